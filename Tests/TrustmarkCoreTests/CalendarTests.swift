import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Working-day calendars")
struct CalendarTests {
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!
    static let equalDays = try! EqualDaysFile.parse(String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources/Calendars/nl-gelijkgestelde-dagen.yaml").path, encoding: .utf8))

    static func dutch() throws -> WorkingDayCalendar {
        try WorkingDayCalendar(country: "NL", timeZone: amsterdam, equalDays: equalDays)
    }

    /// Known public holidays, written out by hand from published calendars rather than computed.
    static let known: [String: [Int: [String]]] = [
        "NL": [
            2025: ["2025-01-01", "2025-04-18", "2025-04-21", "2025-04-26", "2025-05-05", "2025-05-29", "2025-05-30", "2025-06-09", "2025-12-25", "2025-12-26"],
            2026: ["2026-01-01", "2026-01-02", "2026-04-03", "2026-04-06", "2026-04-27", "2026-05-04", "2026-05-05", "2026-05-14", "2026-05-15", "2026-05-25", "2026-12-25", "2026-12-26"],
            2027: ["2027-01-01", "2027-03-26", "2027-03-29", "2027-04-26", "2027-04-27", "2027-05-05", "2027-05-06", "2027-05-07", "2027-05-17", "2027-12-25", "2027-12-26"],
            2028: ["2028-01-01", "2028-04-14", "2028-04-17", "2028-04-27", "2028-04-28", "2028-05-05", "2028-05-25", "2028-05-26", "2028-06-05", "2028-12-25", "2028-12-26"],
            2029: ["2029-01-01", "2029-03-30", "2029-04-02", "2029-04-27", "2029-05-05", "2029-05-10", "2029-05-11", "2029-05-21", "2029-12-24", "2029-12-25", "2029-12-26", "2029-12-31"],
            2030: ["2030-01-01", "2030-04-19", "2030-04-22", "2030-04-27", "2030-05-05", "2030-05-30", "2030-05-31", "2030-06-10", "2030-12-25", "2030-12-26"],
        ],
        "BE": [
            2025: ["2025-01-01", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09", "2025-07-21", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25"],
            2026: ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-07-21", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"],
            2027: ["2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-17", "2027-07-21", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"],
            2028: ["2028-01-01", "2028-04-17", "2028-05-01", "2028-05-25", "2028-06-05", "2028-07-21", "2028-08-15", "2028-11-01", "2028-11-11", "2028-12-25"],
            2029: ["2029-01-01", "2029-04-02", "2029-05-01", "2029-05-10", "2029-05-21", "2029-07-21", "2029-08-15", "2029-11-01", "2029-11-11", "2029-12-25"],
            2030: ["2030-01-01", "2030-04-22", "2030-05-01", "2030-05-30", "2030-06-10", "2030-07-21", "2030-08-15", "2030-11-01", "2030-11-11", "2030-12-25"],
        ],
        "DE": [
            2025: ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09", "2025-10-03", "2025-12-25", "2025-12-26"],
            2026: ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26"],
            2027: ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-17", "2027-10-03", "2027-12-25", "2027-12-26"],
            2028: ["2028-01-01", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-25", "2028-06-05", "2028-10-03", "2028-12-25", "2028-12-26"],
            2029: ["2029-01-01", "2029-03-30", "2029-04-02", "2029-05-01", "2029-05-10", "2029-05-21", "2029-10-03", "2029-12-25", "2029-12-26"],
            2030: ["2030-01-01", "2030-04-19", "2030-04-22", "2030-05-01", "2030-05-30", "2030-06-10", "2030-10-03", "2030-12-25", "2030-12-26"],
        ],
    ]

    @Test(arguments: ["NL", "BE", "DE"])
    func holidaysMatchTheKnownTable(_ country: String) throws {
        let calendar = country == "NL" ? try Self.dutch() : try WorkingDayCalendar(country: country, timeZone: Self.amsterdam)
        for year in 2025...2030 {
            #expect(calendar.holidays(in: year).map(\.day.description) == Self.known[country]![year]!, "\(country) \(year)")
        }
    }

    @Test func easterSundays() {
        #expect((2025...2030).map { Day.easter($0).description } == ["2025-04-20", "2026-04-05", "2027-03-28", "2028-04-16", "2029-04-01", "2030-04-21"])
    }

    @Test func kingsDayMovesToSaturdayWhenTheTwentySeventhIsASunday() throws {
        // 27 April 2025 and 2031 are Sundays.
        let days = try Self.dutch().holidays(in: 2031).map(\.day.description)
        #expect(days.contains("2031-04-26"))
        #expect(!days.contains("2031-04-27"))
    }

    @Test func addingWorkingDaysSkipsWeekendsAndHolidays() throws {
        let nl = try Self.dutch()
        #expect(try nl.adding(workingDays: 2, to: Day("2026-12-24")!).description == "2026-12-29")
        #expect(try nl.adding(workingDays: 5, to: Day("2027-04-23")!).description == "2027-05-04", "King's Day and its bridge Monday")
        #expect(try nl.adding(workingDays: 1, to: Day("2026-05-13")!).description == "2026-05-18", "Ascension and the Friday after it")
        #expect(nl.workingDays(from: Day("2026-12-24")!, through: Day("2027-01-04")!) == 5)
        #expect(nl.workingDays(from: Day("2027-01-04")!, through: Day("2026-12-24")!) == 0)
        let be = try WorkingDayCalendar(country: "BE", timeZone: Self.amsterdam)
        #expect(try be.adding(workingDays: 5, to: Day("2026-07-17")!).description == "2026-07-27", "21 July is a Belgian holiday")
    }

    @Test func aGermanStateAddsItsOwnDays() throws {
        let lowerSaxony = try WorkingDayCalendar(country: "DE", region: "DE-NI", timeZone: Self.amsterdam)
        #expect(!lowerSaxony.isWorkingDay(Day("2026-10-30")!.adding(days: 1)), "Reformationstag")
        let bavaria = try WorkingDayCalendar(country: "DE", region: "DE-BY", timeZone: Self.amsterdam)
        #expect(bavaria.holidays(in: 2026).map(\.day.description).contains("2026-06-04"), "Fronleichnam, Easter + 60")
        let saxony = try WorkingDayCalendar(country: "DE", region: "DE-SN", timeZone: Self.amsterdam)
        #expect(saxony.holidays(in: 2026).map(\.day.description).contains("2026-11-18"), "Buß- und Bettag")
        #expect(throws: WorkingDayCalendar.Failure.unknownRegion("DE-XX")) { try WorkingDayCalendar(country: "DE", region: "DE-XX", timeZone: Self.amsterdam) }
    }

    @Test func aSchemeAddsAndRemovesDays() throws {
        let calendar = try WorkingDayCalendar(country: "NL", timeZone: Self.amsterdam, extraClosed: ["2026-12-28"], extraWorking: ["2026-12-26"])
        #expect(!calendar.isWorkingDay(Day("2026-12-28")!))
        #expect(calendar.isWorkingDay(Day("2026-12-26")!), "an explicit working day wins, even on a holiday")
    }

    @Test func datesOutOfRangeAreRefused() throws {
        #expect(Day("1969-12-31") == nil)
        #expect(Day("2200-01-01") == nil)
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2028-02-29") != nil)
        #expect(throws: WorkingDayCalendar.Failure.outOfRange("2200-01-01")) { try Self.dutch().adding(workingDays: 10, to: Day("2199-12-24")!) }
        #expect(throws: WorkingDayCalendar.Failure.badDate("2026-13-01")) { try WorkingDayCalendar(country: "NL", timeZone: Self.amsterdam, extraClosed: ["2026-13-01"]) }
    }

    @Test func aDayEndsAtMidnightInTheSchemesTimeZone() {
        let day = Day("2026-12-29")!
        #expect(ISO8601DateFormatter().string(from: day.end(in: Self.amsterdam)) == "2026-12-29T23:00:00Z")
        #expect(Day(ISO8601DateFormatter().date(from: "2026-12-29T23:30:00Z")!, in: Self.amsterdam).description == "2026-12-30")
        #expect(Day("2026-12-24")!.weekday == 4)
    }
}
