import FluentKit
import Foundation
import SQLKit
import Synchronization
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("The job queue")
struct JobQueueTests {
    struct Boom: Error {}

    @Test func aFailingJobIsRetriedWithBackOffThenShownAsFailedAndCanBeRetried() async throws {
        try await TestApp.with { app, client in
            // setup: a job that always fails, allowed three attempts
            app.jobs.register("test.fails") { _ in throw Boom() }
            let now = app.clock.now()
            try await JobQueue.enqueue("test.fails", at: now, maxAttempts: 3, now: now, on: app.storage.db)
            // MUT + validation: each attempt waits longer before the next
            #expect(try await app.jobs.runDue() == 1)
            var job = try #require(try await Job.query(on: app.storage.db).filter(\.$kind == "test.fails").first())
            #expect(job.status == .queued)
            #expect(job.attempts == 1)
            #expect(job.runAt == now.addingTimeInterval(30))
            #expect(try await app.jobs.runDue() == 0, "not due again before its back-off")
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT30S"))
            try await app.jobs.runDue()
            job = try #require(try await Job.query(on: app.storage.db).filter(\.$kind == "test.fails").first())
            #expect(job.runAt == app.clock.now().addingTimeInterval(60))
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT1M"))
            try await app.jobs.runDue()
            job = try #require(try await Job.query(on: app.storage.db).filter(\.$kind == "test.fails").first())
            #expect(job.status == .failed)
            #expect(job.lastError?.contains("Boom") == true)
            // An administrator sees it and sends it round again.
            try await app.makeUser("boss@trustmark.test", role: .admin)
            let admin = Browser(client)
            try await admin.login("boss@trustmark.test")
            let page = try await admin.get("/staff/jobs")
            #expect(page.body.contains("test.fails"))
            #expect(page.body.contains("3/3"))
            #expect(try await admin.post("/staff/jobs/\(job.id!.uuidString)/retry", [:]).status == .seeOther)
            #expect(try #require(try await Job.find(job.id, on: app.storage.db)).status == .queued)
        }
    }

    @Test func websiteChecksRunInTheirOwnLaneSoMailDoesNotWaitBehindThem() async throws {
        try await TestApp.with { app, _ in
            // setup: a slow website check due before a mail
            let ran = Mutex<[String]>([])
            app.jobs.register(SiteCheckService.runJob) { _ in ran.withLock { $0.append("check") } }
            app.jobs.register("test.mail") { _ in ran.withLock { $0.append("mail") } }
            let now = app.clock.now()
            try await JobQueue.enqueue(SiteCheckService.runJob, at: now.addingTimeInterval(-60), now: now, on: app.storage.db)
            try await JobQueue.enqueue("test.mail", at: now, now: now, on: app.storage.db)
            // MUT + validation: the quick lane takes the mail and leaves the check to the slow lane.
            #expect(try await app.jobs.runDue(lane: .quick) == 1)
            #expect(ran.withLock { $0 } == ["mail"])
            #expect(try await app.jobs.runDue(lane: .slow) == 1)
            #expect(ran.withLock { $0 } == ["mail", "check"])
        }
    }

    @Test func anImportRunsInALaneOfItsOwnSoItWaitsNeitherForChecksNorHoldsUpMail() async throws {
        try await TestApp.with { app, _ in
            // setup: a website check, then an import a person watches, then a mail
            let ran = Mutex<[String]>([])
            app.jobs.register(SiteCheckService.runJob) { _ in ran.withLock { $0.append("check") } }
            app.jobs.register(WorkProgress.importJob) { _ in ran.withLock { $0.append("import") } }
            app.jobs.register("test.mail") { _ in ran.withLock { $0.append("mail") } }
            let now = app.clock.now()
            try await JobQueue.enqueue(SiteCheckService.runJob, at: now.addingTimeInterval(-120), now: now, on: app.storage.db)
            try await JobQueue.enqueue(WorkProgress.importJob, at: now.addingTimeInterval(-60), now: now, on: app.storage.db)
            try await JobQueue.enqueue("test.mail", at: now, now: now, on: app.storage.db)
            // MUT + validation: each lane takes only its own.
            #expect(try await app.jobs.runDue(lane: .work) == 1)
            #expect(try await app.jobs.runDue(lane: .quick) == 1)
            #expect(ran.withLock { $0 } == ["import", "mail"], "the check, due first, held neither")
            #expect(try await app.jobs.runDue(lane: .slow) == 1)
        }
    }

    @Test func twoWorkersOnOneDatabaseRunEachJobExactlyOnce() async throws {
        try await TestApp.with { app, _ in
            // setup: a second queue, on its own connections when the database is PostgreSQL
            var second = app.jobs
            var otherStorage: Storage?
            if case .postgres = app.config.database {
                otherStorage = try Storage(location: app.config.database, logger: .init(label: "second"))
                second = JobQueue(storage: otherStorage!, clock: app.clock, logger: .init(label: "second"))
            } else {
                second = JobQueue(storage: app.storage, clock: app.clock, logger: .init(label: "second"))
            }
            let handler: JobQueue.Handler = { context in
                // A second run of the same job would hit the primary key and fail the job.
                try await Setting(key: "ran:\(context.jobID)", value: "1").create(on: context.storage.db)
            }
            app.jobs.register("test.once", handler)
            second.register("test.once", handler)
            let now = app.clock.now()
            let count = 200
            for _ in 0..<count { try await JobQueue.enqueue("test.once", at: now, now: now, on: app.storage.db) }
            // MUT: both drain the queue at the same time
            async let first = app.jobs.runDue()
            async let other = second.runDue()
            let (a, b) = try await (first, other)
            // validation
            #expect(a + b == count)
            #expect(try await Job.query(on: app.storage.db).filter(\.$statusRaw == "done").count() == count)
            #expect(try await Setting.query(on: app.storage.db).filter(\.$id ~~ (try await Job.query(on: app.storage.db).all()).map { "ran:\($0.id!)" }).count() == count)
            await otherStorage?.shutdown()
        }
    }

    @Test func movingTheClockRunsEverythingThatFellDueBeforeItAnswers() async throws {
        try await TestApp.with { app, client in
            app.jobs.register("test.mark") { context in
                try await Setting(key: "marked:\(context.payload)", value: "1").create(on: context.storage.db)
            }
            let now = app.clock.now()
            try await JobQueue.enqueue("test.mark", payload: "in-two-days", at: now.addingTimeInterval(2 * 86400), now: now, on: app.storage.db)
            try await JobQueue.enqueue("test.mark", payload: "in-five-days", at: now.addingTimeInterval(5 * 86400), now: now, on: app.storage.db)
            let reply = try await APIClient(client: client).call(.post, "/api/v1/dev/clock", json: ["advance": "P3D"])
            // The job due in two days, and the six daily jobs (clean-up, membership, complaint
            // figures, rating window, sanction deadlines, the website checker's schedule) whose hour passed.
            #expect(reply.json["jobsRun"] as? Int == 7)
            #expect(try await Setting.find("marked:in-two-days", on: app.storage.db) != nil)
            #expect(try await Setting.find("marked:in-five-days", on: app.storage.db) == nil)
        }
    }

    @Test func aRecurringJobKeepsExactlyOneNextRunQueued() async throws {
        try await TestApp.with { app, _ in
            // The daily clean-up runs at 03:00 in the scheme's time zone (Amsterdam: 02:00 UTC in winter).
            try await app.jobs.scheduleRecurring()
            try await app.jobs.scheduleRecurring()
            var queued = try await Job.query(on: app.storage.db).filter(\.$kind == MaintenanceJob.kind).filter(\.$statusRaw == "queued").all()
            #expect(queued.count == 1)
            #expect(ISO8601DateFormatter().string(from: queued[0].runAt) == "2026-12-25T02:00:00Z")
            // An expired session exists; the clean-up removes it.
            try await app.makeUser("anna@shop.test", role: .member)
            let user = try #require(try await User.query(on: app.storage.db).first())
            try await WebSession(tokenDigest: "old", userID: user.id!, now: app.clock.now(), expiresAt: app.clock.now().addingTimeInterval(60)).create(on: app.storage.db)
            app.settableClock.advance(by: try ISO8601Duration(parsing: "P1D"))
            try await app.jobs.runDue()
            #expect(try await WebSession.query(on: app.storage.db).count() == 0)
            queued = try await Job.query(on: app.storage.db).filter(\.$kind == MaintenanceJob.kind).filter(\.$statusRaw == "queued").all()
            #expect(queued.count == 1)
            #expect(ISO8601DateFormatter().string(from: queued[0].runAt) == "2026-12-26T02:00:00Z")
        }
    }

    @Test func aJobWhoseWorkerVanishedIsRunAgainAfterItsLease() async throws {
        try await TestApp.with { app, _ in
            app.jobs.register("test.mark") { context in
                try await Setting(key: "marked:\(context.jobID)", value: "1").create(on: context.storage.db)
            }
            let now = app.clock.now()
            try await JobQueue.enqueue("test.mark", at: now, now: now, on: app.storage.db)
            // A worker claims it and dies without finishing.
            _ = try #require(try await app.jobs.claim())
            #expect(try await app.jobs.runDue() == 0, "still leased")
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT6M"))
            #expect(try await app.jobs.runDue() == 1)
            #expect(try await Job.query(on: app.storage.db).filter(\.$statusRaw == "done").count() == 1)
        }
    }

    @Test func aQueuedMailWakesTheWorkerInsteadOfWaitingForItsTick() async throws {
        let wake = JobWake()
        // Nobody signals: the wait runs out.
        #expect(await wake.wait(upTo: .milliseconds(20)) == false)
        // A signal while nobody waits is kept for the next wait.
        wake.signal()
        #expect(await wake.wait(upTo: .seconds(30)) == true)
        // A signal during a long wait ends it at once (the test would take 30 s otherwise).
        let started = ContinuousClock.now
        async let woken = wake.wait(upTo: .seconds(30))
        try await Task.sleep(for: .milliseconds(20))
        wake.signal()
        #expect(await woken == true)
        #expect(ContinuousClock.now - started < .seconds(29))
        // The outbox signals when it queues a mail.
        try await TestApp.with { app, _ in
            let signalled = JobWake()
            try await MailOutbox(wake: signalled).add(on: app.storage.db, at: app.clock.now(), to: "a@b.test", subject: "s", body: "b", locale: "nl", kind: "test")
            #expect(await signalled.wait(upTo: .milliseconds(1)) == true)
        }
    }
}
