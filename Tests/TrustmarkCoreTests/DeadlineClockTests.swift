import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Deadlines")
struct DeadlineClockTests {
    let clock = DeadlineClock(calendar: try! WorkingDayCalendar(country: "NL", timeZone: TimeZone(identifier: "Europe/Amsterdam")!))
    let iso = ISO8601DateFormatter()
    func at(_ text: String) -> Date { iso.date(from: text)! }

    @Test func twoWorkingDaysOverChristmasEndAtMidnightAmsterdamTime() throws {
        // Thursday 24 December 2026, 11:00 Amsterdam time: Friday and the weekend do not count.
        let due = try clock.due(start: at("2026-12-24T10:00:00Z"), length: Period(2, .workingDays), events: [], now: at("2026-12-24T10:00:00Z"))
        #expect(iso.string(from: due) == "2026-12-29T23:00:00Z")
    }

    @Test func aPauseAddsTheWorkingDaysItCovered() throws {
        let start = at("2027-01-04T09:00:00Z") // Monday
        let events = [DeadlineEvent(.paused, at: at("2027-01-05T09:00:00Z")), DeadlineEvent(.resumed, at: at("2027-01-07T09:00:00Z"))]
        let due = try clock.due(start: start, length: Period(5, .workingDays), events: events, now: at("2027-01-07T10:00:00Z"))
        // Without the pause: Monday 11 January; paused Tuesday to Thursday adds two working days.
        #expect(iso.string(from: due) == "2027-01-13T23:00:00Z")
    }

    @Test func whilePausedTheDueMomentMovesWithTime() throws {
        let start = at("2027-01-04T09:00:00Z")
        let events = [DeadlineEvent(.paused, at: at("2027-01-05T09:00:00Z"))]
        let early = try clock.due(start: start, length: Period(5, .workingDays), events: events, now: at("2027-01-06T09:00:00Z"))
        let later = try clock.due(start: start, length: Period(5, .workingDays), events: events, now: at("2027-01-12T09:00:00Z"))
        #expect(later > early)
        #expect(try clock.state(start: start, length: Period(5, .workingDays), events: events, now: at("2027-02-01T09:00:00Z"), remindBefore: nil) == .paused,
                "a paused deadline is never overdue")
    }

    @Test func statesFollowTheEvents() throws {
        let start = at("2027-01-04T09:00:00Z")
        let length = Period(2, .workingDays) // due end of Wednesday 6 January
        func state(_ now: String, _ events: [DeadlineEvent] = []) throws -> DeadlineState {
            try clock.state(start: start, length: length, events: events, now: at(now), remindBefore: Period(1, .workingDays))
        }
        #expect(try state("2027-01-04T12:00:00Z") == .running)
        #expect(try state("2027-01-05T23:30:00Z") == .dueSoon)
        #expect(try state("2027-01-06T23:00:01Z") == .overdue)
        #expect(try state("2027-01-08T10:00:00Z", [DeadlineEvent(.met, at: at("2027-01-05T10:00:00Z"))]) == .met)
        #expect(try state("2027-01-08T10:00:00Z", [DeadlineEvent(.cancelled, at: at("2027-01-05T10:00:00Z"))]) == .cancelled)
    }

    @Test func calendarPeriodsCountOnTheCalendar() throws {
        let due = try clock.due(start: at("2026-12-24T10:00:00Z"), length: Period(2, .months), events: [], now: at("2026-12-24T10:00:00Z"))
        #expect(iso.string(from: due) == "2027-02-24T10:00:00Z")
        let reminder = try clock.reminderTime(due: due, before: Period(2, .weeks))
        #expect(iso.string(from: reminder) == "2027-02-10T10:00:00Z")
    }
}
