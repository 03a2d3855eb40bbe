import Foundation

/// Which days count as working days for a scheme's deadlines: not Saturday or Sunday, not a public
/// holiday of the scheme's country (and region), not a day the scheme closes; a scheme may also
/// declare a day a working day. Dutch deadlines follow the Algemene termijnenwet.
public struct WorkingDayCalendar: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        case unknownCountry(String)
        case unknownRegion(String)
        case outOfRange(String)
        case badDate(String)
    }

    public let country: String
    public let region: String?
    public let timeZone: TimeZone
    private let extraClosed: Set<Day>
    private let extraWorking: Set<Day>
    /// Days a decree declares equal to a holiday (Netherlands), from the operator's data file.
    private let equalDays: Set<Day>

    public static let countries = ["NL", "BE", "DE"]

    public init(country: String, region: String? = nil, timeZone: TimeZone, extraClosed: [String] = [], extraWorking: [String] = [],
                equalDays: [String] = []) throws(Failure) {
        guard Self.countries.contains(country) else { throw .unknownCountry(country) }
        if let region, country != "DE" || GermanStates.days[region] == nil { throw .unknownRegion(region) }
        func days(_ texts: [String]) throws(Failure) -> Set<Day> {
            var result = Set<Day>()
            for text in texts {
                guard let day = Day(text) else { throw .badDate(text) }
                result.insert(day)
            }
            return result
        }
        self.country = country
        self.region = region
        self.timeZone = timeZone
        self.extraClosed = try days(extraClosed)
        self.extraWorking = try days(extraWorking)
        self.equalDays = country == "NL" ? try days(equalDays) : []
    }

    /// The public holidays of `year`, with their names, in date order.
    public func holidays(in year: Int) -> [(day: Day, name: String)] {
        var list: [(Day, String)]
        switch country {
        case "NL": list = Self.dutch(year)
        case "BE": list = Self.belgian(year)
        default: list = Self.german(year, region: region)
        }
        list += equalDays.filter { $0.year == year }.map { ($0, "Gelijkgestelde dag (Algemene termijnenwet art. 3 lid 3)") }
        return list.sorted { $0.0 < $1.0 }.map { (day: $0.0, name: $0.1) }
    }

    public func isWorkingDay(_ day: Day) -> Bool {
        if extraWorking.contains(day) { return true }
        if day.isWeekend || extraClosed.contains(day) || equalDays.contains(day) { return false }
        return !holidaySet(day.year).contains(day)
    }

    /// The day that is `count` working days after `day` (a deadline of 2 working days from a
    /// Thursday before Christmas ends the following Tuesday).
    public func adding(workingDays count: Int, to day: Day) throws(Failure) -> Day {
        var current = day
        var remaining = count
        while remaining > 0 {
            current = current.adding(days: 1)
            guard Day.supportedYears.contains(current.year) else { throw .outOfRange(current.description) }
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }

    /// The working days after `start` up to and including `end` (0 when `end` is not later).
    public func workingDays(from start: Day, through end: Day) -> Int {
        guard end > start else { return 0 }
        var count = 0
        var current = start.adding(days: 1)
        while current <= end {
            if isWorkingDay(current) { count += 1 }
            current = current.adding(days: 1)
        }
        return count
    }

    private func holidaySet(_ year: Int) -> Set<Day> {
        Set(holidays(in: year).map(\.day))
    }

    // MARK: the countries

    static func fixed(_ year: Int, _ month: Int, _ day: Int) -> Day { Day(year: year, month: month, day: day)! }

    /// Algemene termijnenwet art. 3: New Year, Good Friday, Easter Monday, King's Day (27 April, or
    /// 26 April when the 27th is a Sunday), 5 May, Ascension, Whit Monday, both Christmas days.
    static func dutch(_ year: Int) -> [(Day, String)] {
        let easter = Day.easter(year)
        let kings = fixed(year, 4, 27).weekday == 7 ? fixed(year, 4, 26) : fixed(year, 4, 27)
        return [
            (fixed(year, 1, 1), "Nieuwjaarsdag"), (easter.adding(days: -2), "Goede Vrijdag"), (easter.adding(days: 1), "Tweede Paasdag"),
            (kings, "Koningsdag"), (fixed(year, 5, 5), "Bevrijdingsdag"), (easter.adding(days: 39), "Hemelvaartsdag"),
            (easter.adding(days: 50), "Tweede Pinksterdag"), (fixed(year, 12, 25), "Eerste Kerstdag"), (fixed(year, 12, 26), "Tweede Kerstdag"),
        ]
    }

    /// Belgium's ten legal public holidays.
    static func belgian(_ year: Int) -> [(Day, String)] {
        let easter = Day.easter(year)
        return [
            (fixed(year, 1, 1), "Nieuwjaar"), (easter.adding(days: 1), "Paasmaandag"), (fixed(year, 5, 1), "Dag van de Arbeid"),
            (easter.adding(days: 39), "Onze-Lieve-Heer-Hemelvaart"), (easter.adding(days: 50), "Pinkstermaandag"),
            (fixed(year, 7, 21), "Nationale feestdag"), (fixed(year, 8, 15), "Onze-Lieve-Vrouw-Hemelvaart"), (fixed(year, 11, 1), "Allerheiligen"),
            (fixed(year, 11, 11), "Wapenstilstand"), (fixed(year, 12, 25), "Kerstmis"),
        ]
    }

    /// Germany's nationwide holidays, plus those of the scheme's state.
    static func german(_ year: Int, region: String?) -> [(Day, String)] {
        let easter = Day.easter(year)
        var days: [(Day, String)] = [
            (fixed(year, 1, 1), "Neujahr"), (easter.adding(days: -2), "Karfreitag"), (easter.adding(days: 1), "Ostermontag"),
            (fixed(year, 5, 1), "Tag der Arbeit"), (easter.adding(days: 39), "Christi Himmelfahrt"), (easter.adding(days: 50), "Pfingstmontag"),
            (fixed(year, 10, 3), "Tag der Deutschen Einheit"), (fixed(year, 12, 25), "1. Weihnachtstag"), (fixed(year, 12, 26), "2. Weihnachtstag"),
        ]
        if let region, let extra = GermanStates.days[region] { days += extra(year) }
        return days
    }
}

/// The holidays that German states add to the nationwide ones (whole-state holidays only; days kept
/// only in some municipalities, such as Mariä Himmelfahrt in parts of Bavaria, are left to a
/// scheme's `extra_closed_days`). Recently introduced days start in the year they were introduced.
enum GermanStates {
    typealias Days = @Sendable (Int) -> [(Day, String)]

    static func fixed(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }
    static func epiphany(_ y: Int) -> (Day, String) { (fixed(y, 1, 6), "Heilige Drei Könige") }
    static func corpusChristi(_ y: Int) -> (Day, String) { (Day.easter(y).adding(days: 60), "Fronleichnam") }
    static func allSaints(_ y: Int) -> (Day, String) { (fixed(y, 11, 1), "Allerheiligen") }
    static func reformation(_ y: Int) -> (Day, String) { (fixed(y, 10, 31), "Reformationstag") }
    static func assumption(_ y: Int) -> (Day, String) { (fixed(y, 8, 15), "Mariä Himmelfahrt") }
    static func womensDay(_ y: Int) -> (Day, String) { (fixed(y, 3, 8), "Internationaler Frauentag") }
    /// Buß- und Bettag: the Wednesday before 23 November.
    static func repentance(_ y: Int) -> (Day, String) {
        var day = fixed(y, 11, 22)
        while day.weekday != 3 { day = day.adding(days: -1) }
        return (day, "Buß- und Bettag")
    }

    static let days: [String: Days] = [
        "DE-BW": { [epiphany($0), corpusChristi($0), allSaints($0)] },
        "DE-BY": { [epiphany($0), corpusChristi($0), allSaints($0)] },
        "DE-BE": { $0 >= 2019 ? [womensDay($0)] : [] },
        "DE-BB": { [reformation($0)] },
        "DE-HB": { $0 >= 2018 ? [reformation($0)] : [] },
        "DE-HH": { $0 >= 2018 ? [reformation($0)] : [] },
        "DE-HE": { [corpusChristi($0)] },
        "DE-MV": { $0 >= 2023 ? [womensDay($0), reformation($0)] : [reformation($0)] },
        "DE-NI": { $0 >= 2018 ? [reformation($0)] : [] },
        "DE-NW": { [corpusChristi($0), allSaints($0)] },
        "DE-RP": { [corpusChristi($0), allSaints($0)] },
        "DE-SL": { [corpusChristi($0), assumption($0), allSaints($0)] },
        "DE-SN": { [reformation($0), repentance($0)] },
        "DE-ST": { [epiphany($0), reformation($0)] },
        "DE-SH": { $0 >= 2018 ? [reformation($0)] : [] },
        "DE-TH": { $0 >= 2019 ? [(fixed($0, 9, 20), "Weltkindertag"), reformation($0)] : [reformation($0)] },
    ]
}
