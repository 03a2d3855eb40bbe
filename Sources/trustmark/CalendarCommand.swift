import ArgumentParser
import Foundation
import TrustmarkCore
import TrustmarkServer

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Count working days on a scheme's calendar.",
        discussion: """
            trustmark calendar --scheme Schemes/keuronline.yaml --from 2026-12-24 --add-working-days 2   # prints 2026-12-29
            trustmark calendar --scheme Schemes/becom.yaml --between 2026-07-17 2026-07-27              # prints 5
            trustmark calendar --scheme Schemes/service-siegel.yaml --holidays 2027
            """)

    @Option(help: "The scheme file whose calendar counts.")
    var scheme: String

    @Option(help: "The first day (YYYY-MM-DD).")
    var from: String?

    @Option(name: .customLong("add-working-days"), help: "Print the day this many working days after --from.")
    var addWorkingDays: Int?

    @Option(parsing: .upToNextOption, help: "Print the number of working days after the first date up to and including the second.")
    var between: [String] = []

    @Option(help: "List the public holidays of a year.")
    var holidays: Int?

    func run() throws {
        let calendar: WorkingDayCalendar
        do {
            calendar = try CalendarData.calendar(for: try SchemeFile.load(scheme).scheme, resources: try CalendarData.resourcesDirectory())
        } catch let error as SchemeFile.LoadError {
            for line in error.lines { stderr(line) }
            throw ExitCode(1)
        } catch {
            stderr("trustmark: \(error)")
            throw ExitCode(1)
        }
        if let year = holidays {
            guard Day.supportedYears.contains(year) else { throw fail("\(year) is outside the years the calendar covers (\(Day.supportedYears.lowerBound)-\(Day.supportedYears.upperBound))") }
            for holiday in calendar.holidays(in: year) { say("\(holiday.day)  \(holiday.name)") }
            return
        }
        if !between.isEmpty {
            guard between.count == 2 else { throw fail("--between takes two dates, e.g. --between 2026-12-24 2027-01-04") }
            say("\(calendar.workingDays(from: try day(between[0]), through: try day(between[1])))")
            return
        }
        guard let from, let addWorkingDays else { throw fail("give --from and --add-working-days, --between, or --holidays (see --help)") }
        guard addWorkingDays >= 0 else { throw fail("--add-working-days must not be negative") }
        do {
            say("\(try calendar.adding(workingDays: addWorkingDays, to: try day(from)))")
        } catch let error as WorkingDayCalendar.Failure {
            throw fail("the result lies outside the years the calendar covers (\(error))")
        }
    }

    private func day(_ text: String) throws -> Day {
        guard let day = Day(text) else {
            throw fail("'\(text)' is not a date between \(Day.supportedYears.lowerBound)-01-01 and \(Day.supportedYears.upperBound)-12-31 (YYYY-MM-DD)")
        }
        return day
    }

    private func fail(_ message: String) -> ExitCode {
        stderr("trustmark calendar: \(message)")
        return ExitCode(1)
    }
}
