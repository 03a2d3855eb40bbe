import Foundation

/// An amount of money in integer cents with its currency. Never a floating-point number: fees,
/// VAT and invoices must add up to the cent.
public struct Money: Equatable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let cents: Int
    public let currency: String

    public init(cents: Int, currency: String) {
        self.cents = cents
        self.currency = currency
    }

    /// Parses `60`, `60.00`, `97.50` or `-3.5` (a dot, at most two decimals).
    public static func parse(_ text: String, currency: String) -> Money? {
        var body = Substring(text.trimmingWhitespace())
        var negative = false
        if body.first == "-" { negative = true; body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), parts[0].allSatisfy(\.isASCII), !parts[0].isEmpty else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
            fraction = digits.count == 1 ? value * 10 : value
        }
        guard whole <= 100_000_000 else { return nil }
        let cents = whole * 100 + fraction
        return Money(cents: negative ? -cents : cents, currency: currency)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

    /// `EUR 60.00`
    public var description: String { "\(currency) \(plain)" }

    /// `60.00`
    public var plain: String {
        let sign = cents < 0 ? "-" : ""
        let value = abs(cents)
        return "\(sign)\(value / 100).\((value % 100).zeroPadded(2))"
    }
}

/// A length of time as a scheme states it: a number of working days, calendar days, weeks, months
/// or years. Working days are counted on the scheme's calendar; the others on the calendar itself.
public struct Period: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case workingDays = "working day"
        case days = "day"
        case weeks = "week"
        case months = "month"
        case years = "year"
    }

    public let amount: Int
    public let unit: Unit

    public init(_ amount: Int, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `2 working days`, `1 month`, `14 days`, `1 week`, `1 year` (singular or plural).
    public static func parse(_ text: String) -> Period? {
        let words = text.lowercased().split(separator: " ").map(String.init)
        guard words.count >= 2, let amount = Int(words[0]) else { return nil }
        var unitText = words.dropFirst().joined(separator: " ")
        if unitText.hasSuffix("s") { unitText.removeLast() }
        guard let unit = Unit(rawValue: unitText) else { return nil }
        return Period(amount, unit)
    }

    public var description: String { "\(amount) \(unit.rawValue)\(amount == 1 ? "" : "s")" }

    /// The same length as an ISO 8601 duration, for units the calendar counts (not working days).
    public var calendarDuration: ISO8601Duration? {
        switch unit {
        case .workingDays: return nil
        case .days: return ISO8601Duration(days: amount)
        case .weeks: return ISO8601Duration(weeks: amount)
        case .months: return ISO8601Duration(months: amount)
        case .years: return ISO8601Duration(years: amount)
        }
    }

    /// The moment this period after `date` ends, counted on the calendar in `timeZone` (so "1 month"
    /// from 31 January ends on the last day of February). `nil` for working days, which need the
    /// scheme's working-day calendar.
    public func added(to date: Date, timeZone: TimeZone) -> Date? {
        calendarDuration?.added(to: date, in: timeZone)
    }

    /// A rough length in days, only for comparing periods of different units (maximum checks).
    public var approximateDays: Double {
        switch unit {
        case .workingDays: return Double(amount) * 7 / 5
        case .days: return Double(amount)
        case .weeks: return Double(amount) * 7
        case .months: return Double(amount) * 30.44
        case .years: return Double(amount) * 365.25
        }
    }
}

/// A text in each of the scheme's languages.
public struct LocalizedText: Equatable, Hashable, Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The text in `language`, else in the first of `fallbacks` that has one.
    public func text(_ language: String, fallbacks: [String] = []) -> String {
        if let value = values[language] { return value }
        for fallback in fallbacks { if let value = values[fallback] { return value } }
        return values.sorted { $0.key < $1.key }.first?.value ?? ""
    }
}

/// A percentage with up to two decimals, kept in hundredths of a percent (21% = 2100).
public struct Percentage: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let basisPoints: Int

    public init(basisPoints: Int) { self.basisPoints = basisPoints }

    public static func parse(_ text: String) -> Percentage? {
        guard let money = Money.parse(text, currency: ""), money.cents >= 0 else { return nil }
        return Percentage(basisPoints: money.cents)
    }

    public var description: String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100)%" : "\(basisPoints / 100).\((basisPoints % 100).zeroPadded(2))%"
    }
}
