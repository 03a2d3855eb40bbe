import Foundation
import Yams

extension WorkingDayCalendar {
    /// The calendar a scheme's deadlines count on: its country and region, its own closed and
    /// working days, and (for the Netherlands) the decree days from the operator's data file.
    public init(scheme: Scheme, equalDays: [String]) throws(Failure) {
        try self.init(country: scheme.calendar.holidays, region: scheme.calendar.region,
                      timeZone: TimeZone(identifier: scheme.timeZone) ?? TimeZone(identifier: "UTC")!,
                      extraClosed: scheme.calendar.extraClosedDays, extraWorking: scheme.calendar.extraWorkingDays, equalDays: equalDays)
    }
}

/// Reads `Resources/Calendars/nl-gelijkgestelde-dagen.yaml`: a `days:` list of dates.
public enum EqualDaysFile {
    public static func parse(_ text: String) throws(WorkingDayCalendar.Failure) -> [String] {
        guard let node = try? Yams.compose(yaml: text), let list = node.mapping?[Node("days")]?.sequence else {
            throw .badDate("the file has no 'days:' list")
        }
        var days: [String] = []
        for item in list {
            guard let text = item.scalar?.string, Day(text) != nil else { throw .badDate(item.scalar?.string ?? "?") }
            days.append(text)
        }
        return days
    }
}
