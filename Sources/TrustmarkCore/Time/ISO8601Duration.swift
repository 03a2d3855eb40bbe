import Foundation

/// An ISO 8601 duration such as `P3D`, `PT2H30M`, `P1M` or `P2W`. Years and months are calendar
/// units, so they are added with a calendar rather than converted to seconds.
public struct ISO8601Duration: Equatable, Sendable, CustomStringConvertible {
    public var years = 0, months = 0, weeks = 0, days = 0
    public var hours = 0, minutes = 0, seconds = 0

    public init(years: Int = 0, months: Int = 0, weeks: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0) {
        self.years = years; self.months = months; self.weeks = weeks; self.days = days
        self.hours = hours; self.minutes = minutes; self.seconds = seconds
    }

    public struct ParseError: Error, Equatable, Sendable {
        public let input: String
    }

    /// Parses the text form; each unit at most once, in the standard order, whole numbers only.
    public init(parsing text: String) throws(ParseError) {
        var rest = Substring(text.uppercased())
        guard rest.first == "P", rest.count > 1 else { throw ParseError(input: text) }
        rest = rest.dropFirst()
        var inTime = false
        var number = ""
        var seen = Set<String>()
        var lastOrder = -1
        let dateOrder: [Character: Int] = ["Y": 0, "M": 1, "W": 2, "D": 3]
        let timeOrder: [Character: Int] = ["H": 4, "M": 5, "S": 6]
        var anyUnit = false
        for char in rest {
            if char == "T" {
                guard !inTime, number.isEmpty else { throw ParseError(input: text) }
                inTime = true
                continue
            }
            if char.isASCII, char.isNumber {
                number.append(char)
                continue
            }
            guard let order = (inTime ? timeOrder : dateOrder)[char], !number.isEmpty,
                  let value = Int(number), value <= 100_000, order > lastOrder
            else { throw ParseError(input: text) }
            let key = "\(inTime ? "T" : "")\(char)"
            guard seen.insert(key).inserted else { throw ParseError(input: text) }
            lastOrder = order
            number = ""
            anyUnit = true
            switch (inTime, char) {
            case (false, "Y"): years = value
            case (false, "M"): months = value
            case (false, "W"): weeks = value
            case (false, "D"): days = value
            case (true, "H"): hours = value
            case (true, "M"): minutes = value
            case (true, "S"): seconds = value
            default: throw ParseError(input: text)
            }
        }
        guard number.isEmpty, anyUnit else { throw ParseError(input: text) }
        if inTime, !seen.contains(where: { $0.hasPrefix("T") }) {
            throw ParseError(input: text)
        }
    }

    public func added(to date: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var components = DateComponents()
        components.year = years
        components.month = months
        components.day = weeks * 7 + days
        components.hour = hours
        components.minute = minutes
        components.second = seconds
        return calendar.date(byAdding: components, to: date) ?? date
    }

    public var description: String {
        var text = "P"
        if years > 0 { text += "\(years)Y" }
        if months > 0 { text += "\(months)M" }
        if weeks > 0 { text += "\(weeks)W" }
        if days > 0 { text += "\(days)D" }
        if hours > 0 || minutes > 0 || seconds > 0 {
            text += "T"
            if hours > 0 { text += "\(hours)H" }
            if minutes > 0 { text += "\(minutes)M" }
            if seconds > 0 { text += "\(seconds)S" }
        }
        return text == "P" ? "PT0S" : text
    }
}
