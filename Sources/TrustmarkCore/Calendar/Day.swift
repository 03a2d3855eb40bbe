import Foundation

/// A calendar day without a time, as deadlines and membership periods are counted. Stored as a
/// Julian day number so that adding days and finding the weekday are plain arithmetic.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let julian: Int

    /// The years the calendars can answer for; outside them a date is refused, not guessed.
    public static let supportedYears = 1970...2199

    public init(julian: Int) { self.julian = julian }

    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        // The usual Gregorian-to-Julian-day-number conversion.
        let a = (14 - month) / 12
        let y = year + 4800 - a
        let m = month + 12 * a - 3
        julian = day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) {
        let a = julian + 32044
        let b = (4 * a + 3) / 146097
        let c = a - 146097 * b / 4
        let d = (4 * c + 3) / 1461
        let e = c - 1461 * d / 4
        let m = (5 * e + 2) / 153
        return (100 * b + d - 4800 + m / 10, m + 3 - 12 * (m / 10), e - (153 * m + 2) / 5 + 1)
    }

    public var year: Int { components.year }

    /// 1 = Monday ... 7 = Sunday (ISO 8601).
    public var weekday: Int { julian % 7 + 1 }
    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days: Int) -> Day { Day(julian: julian + days) }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.julian < rhs.julian }

    public var description: String {
        let (y, m, d) = components
        return y.zeroPadded(4) + "-" + m.zeroPadded(2) + "-" + d.zeroPadded(2)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The day a moment falls on in `timeZone`.
    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let a = (14 - parts.month!) / 12
        let y = parts.year! + 4800 - a
        let m = parts.month! + 12 * a - 3
        julian = parts.day! + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    /// The first moment of the next day in `timeZone`: a deadline on this day runs until then.
    public func end(in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let next = adding(days: 1).components
        return calendar.date(from: DateComponents(year: next.year, month: next.month, day: next.day))!
    }

    /// A moment inside this day in `timeZone` (twelve hours before its end), for formatters and
    /// documents that take dates.
    public func midday(in timeZone: TimeZone) -> Date {
        end(in: timeZone).addingTimeInterval(-12 * 3600)
    }

    /// Easter Sunday of `year` (Gregorian computus).
    public static func easter(_ year: Int) -> Day {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Day(year: year, month: month, day: day)!
    }
}
