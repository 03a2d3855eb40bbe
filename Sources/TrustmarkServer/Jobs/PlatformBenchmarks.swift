import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// Measurements of the platform services, run by `trustmark benchmark`. They fill a database of
/// their own (never the operator's) and print what they measured.
public enum PlatformBenchmarks {
    /// Fills `deadlines` open deadlines, each with its queued due job spread over the coming year,
    /// then times the worker's tick: the scan that finds due jobs (nothing due, and 100 due).
    public static func dueScan(app: TrustmarkApp, deadlines count: Int, report: (String) -> Void) async throws {
        let sql = app.storage.sql
        let now = app.clock.now()
        let started = Date()
        let batch = 1000
        var inserted = 0
        while inserted < count {
            let size = min(batch, count - inserted)
            let offset = inserted
            try await app.storage.db.transaction { (db: any Database) async throws -> Void in
                let sql = db as! any SQLDatabase
                let deadlineInsert = sql.insert(into: "deadlines").columns("id", "subject_type", "subject_id", "kind", "starts_at", "length", "due_at", "created_at")
                let jobInsert = sql.insert(into: "jobs").columns("id", "kind", "payload", "run_at", "status", "attempts", "max_attempts", "unique_key", "created_at")
                for index in 0..<size {
                    let id = UUID()
                    // Due somewhere in the next year, one minute apart on average; none is due yet.
                    let due = now.addingTimeInterval(3600 + Double((offset + index) % 525_600) * 60)
                    let deadline: [any SQLExpression] = [SQLBind(id), SQLBind("shop"), SQLBind("\(offset + index)"), SQLBind("complaint.shop_answer"),
                                                         SQLBind(now), SQLBind("2 working days"), SQLBind(due), SQLBind(now)]
                    let job: [any SQLExpression] = [SQLBind(UUID()), SQLBind(DeadlinesService.dueJob), SQLBind(id.uuidString), SQLBind(due), SQLBind("queued"),
                                                    SQLBind(0), SQLBind(8), SQLBind("deadline:\(id):due"), SQLBind(now)]
                    deadlineInsert.values(deadline)
                    jobInsert.values(job)
                }
                try await deadlineInsert.run()
                try await jobInsert.run()
            }
            inserted += size
            if inserted % 100_000 == 0 || inserted == count { report("  filled \(inserted) deadlines and jobs (\(Int(Double(inserted) / Date().timeIntervalSince(started))) rows/s)") }
        }
        if sql.dialect.name == "sqlite" {
            try await sql.raw("ANALYZE").run()
            let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: now) ORDER BY run_at LIMIT 1").all()
            let details = plan.compactMap { try? $0.decode(column: "detail", as: String.self) }
            report("  query plan: " + details.joined(separator: "; "))
        } else {
            try await sql.raw("ANALYZE").run()
            let plan = try await sql.raw("EXPLAIN SELECT id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: now) ORDER BY run_at LIMIT 1").all()
            let details = plan.compactMap { try? $0.decode(column: "QUERY PLAN", as: String.self) }
            report("  query plan: " + details.joined(separator: "; "))
        }
        // The common tick: nothing is due.
        var idle: [Double] = []
        for _ in 0..<50 {
            let start = Date()
            try await app.jobs.reclaimStale()
            _ = try await app.jobs.claim()
            idle.append(Date().timeIntervalSince(start) * 1000)
        }
        idle.sort()
        report(String(format: "  tick with nothing due: median %.2f ms, p90 %.2f ms, max %.2f ms (50 ticks)", idle[25], idle[45], idle[49]))
        // A busy tick: 100 deadlines fall due together (their handler finds them and records the passing).
        try await sql.raw("UPDATE jobs SET run_at = \(bind: now.addingTimeInterval(-1)) WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' ORDER BY run_at LIMIT 100)").run()
        app.jobs.register(DeadlinesService.dueJob) { _ in }
        let start = Date()
        let ran = try await app.jobs.runDue()
        report(String(format: "  tick with %d jobs due: %.1f ms (%.2f ms per job)", ran, Date().timeIntervalSince(start) * 1000, Date().timeIntervalSince(start) * 1000 / Double(max(ran, 1))))
    }

    /// Queues `count` messages and delivers them to the SMTP server in the configuration.
    public static func mail(app: TrustmarkApp, count: Int, report: (String) -> Void) async throws {
        let now = app.clock.now()
        try await app.storage.db.transaction { db in
            for index in 0..<count {
                try await MailOutbox().add(on: db, at: now, to: "buyer\(index)@example.nl", subject: "Bevestiging \(index) – € 60,00",
                                           body: "Beste klant,\n\nDit is bericht \(index).\n", locale: "nl", kind: "benchmark")
            }
        }
        let start = Date()
        let ran = try await app.jobs.runDue(limit: count)
        let seconds = Date().timeIntervalSince(start)
        let delivered = try await OutboxMessage.query(on: app.storage.db).filter(\.$deliveredAt != nil).count()
        report(String(format: "  delivered %d of %d messages in %.2f s: %.0f messages/s (one SMTP connection per message)", delivered, ran, seconds, Double(delivered) / seconds))
    }
}
