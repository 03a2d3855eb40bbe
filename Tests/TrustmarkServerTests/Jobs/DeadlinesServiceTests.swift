import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Deadlines in the database")
struct DeadlinesServiceTests {
    @Test func remindersAndDueActionsRunAsJobsAndFollowPauses() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            // setup: actions that leave a mark
            let actions = DeadlinesService.Actions(
                reminder: { deadline, context in try await Setting(key: "reminded:\(deadline.subjectID)", value: "1").create(on: context.storage.db) },
                due: { deadline, context in try await Setting(key: "passed:\(deadline.subjectID)", value: "1").create(on: context.storage.db) })
            app.deadlines.registerJobs(on: app.jobs, actions: ["test.answer": actions])
            // MUT: Thursday 24 December 2026, 2 working days with a reminder 1 working day before
            let deadline = try await app.deadlines.start(subjectType: "test", subjectID: "a", kind: "test.answer",
                                                         length: Period(2, .workingDays), remindBefore: Period(1, .workingDays), on: app.storage.db)
            #expect(ISO8601DateFormatter().string(from: deadline.dueAt) == "2026-12-29T23:00:00Z")
            #expect(try await app.deadlines.state(deadline, on: app.storage.db) == .running)
            // One working day before: the reminder goes out as the last day (Tuesday) begins, not earlier.
            app.settableClock.advance(by: try ISO8601Duration(parsing: "P4D"))
            try await app.jobs.runDue()
            #expect(try await Setting.find("reminded:a", on: app.storage.db) == nil)
            try app.settableClock.set(ISO8601DateFormatter().date(from: "2026-12-28T23:30:00Z")!)
            try await app.jobs.runDue()
            #expect(try await Setting.find("reminded:a", on: app.storage.db) != nil)
            #expect(try await Setting.find("passed:a", on: app.storage.db) == nil)
            // Waiting for the consumer: paused as Tuesday begins, resumed as Thursday begins; the working
            // days after the pause day up to the resume day (Wednesday, Thursday) are added.
            try await app.deadlines.record(.paused, deadlineID: deadline.id!, on: app.storage.db)
            app.settableClock.advance(by: try ISO8601Duration(parsing: "P2D"))
            #expect(try await app.jobs.runDue() >= 1, "the old due job runs, finds the deadline paused and does nothing")
            #expect(try await Setting.find("passed:a", on: app.storage.db) == nil)
            try await app.deadlines.record(.resumed, deadlineID: deadline.id!, on: app.storage.db)
            let moved = try #require(try await Deadline.find(deadline.id, on: app.storage.db))
            #expect(ISO8601DateFormatter().string(from: moved.dueAt) == "2026-12-31T23:00:00Z")
            app.settableClock.advance(by: try ISO8601Duration(parsing: "P7D"))
            try await app.jobs.runDue()
            #expect(try await Setting.find("passed:a", on: app.storage.db) != nil)
            #expect(try await app.deadlines.state(moved, on: app.storage.db) == .overdue)
        }
    }

    @Test func aMetDeadlineTriggersNothingAndCannotChangeAgain() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            let actions = DeadlinesService.Actions(reminder: nil) { deadline, context in
                try await Setting(key: "passed:\(deadline.subjectID)", value: "1").create(on: context.storage.db)
            }
            app.deadlines.registerJobs(on: app.jobs, actions: ["test.answer": actions])
            let deadline = try await app.deadlines.start(subjectType: "test", subjectID: "b", kind: "test.answer", length: Period(2, .workingDays), on: app.storage.db)
            try await app.deadlines.record(.met, deadlineID: deadline.id!, on: app.storage.db)
            app.settableClock.advance(by: try ISO8601Duration(parsing: "P10D"))
            try await app.jobs.runDue()
            #expect(try await Setting.find("passed:b", on: app.storage.db) == nil)
            #expect(try await app.deadlines.state(try #require(try await Deadline.find(deadline.id, on: app.storage.db)), on: app.storage.db) == .met)
            await #expect(throws: AppError.self) { try await app.deadlines.record(.paused, deadlineID: deadline.id!, on: app.storage.db) }
        }
    }
}
