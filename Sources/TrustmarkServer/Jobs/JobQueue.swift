import FluentKit
import Foundation
import Logging
import SQLKit
import TrustmarkCore

/// What a job handler gets: the job's payload and attempt, and the system's clock and storage.
struct JobContext: Sendable {
    let jobID: UUID
    let payload: String
    let attempt: Int
    let storage: Storage
    let clock: any TrustmarkClock
    let logger: Logger
}

/// The database-backed job queue. Any number of instances may run workers against one database:
/// claiming a job is a single atomic statement, so each job runs once.
final class JobQueue: @unchecked Sendable {
    typealias Handler = @Sendable (JobContext) async throws -> Void

    let storage: Storage
    let clock: any TrustmarkClock
    let logger: Logger
    /// Names this process in `locked_by`, so an operator can see who runs what.
    let workerName: String
    /// A claimed job whose worker vanished is handed out again after this long.
    let lease: TimeInterval = 300
    private let lock = NSLock()
    private var handlers: [String: Handler] = [:]
    private var recurring: [RecurringJob] = []

    init(storage: Storage, clock: any TrustmarkClock, logger: Logger) {
        self.storage = storage
        self.clock = clock
        self.logger = logger
        self.workerName = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(6))"
    }

    func register(_ kind: String, _ handler: @escaping Handler) {
        lock.withLock { handlers[kind] = handler }
    }

    /// Queues a job, inside the caller's transaction when `db` is one. With a `uniqueKey` that is
    /// already queued, nothing new is added.
    @discardableResult
    static func enqueue(_ kind: String, payload: String = "", at runAt: Date, maxAttempts: Int = 8, uniqueKey: String? = nil,
                        now: Date, on db: any Database) async throws -> Bool {
        if let uniqueKey, try await Job.query(on: db).filter(\.$uniqueKey == uniqueKey).first() != nil { return false }
        do {
            try await Job(kind: kind, payload: payload, runAt: runAt, maxAttempts: maxAttempts, uniqueKey: uniqueKey, createdAt: now).create(on: db)
        } catch where uniqueKey != nil {
            // Another instance queued the same job between the check and the insert.
            return false
        }
        return true
    }

    /// Retry delays grow: 30 s, 1 min, 2 min, ... up to an hour.
    static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempt - 1))))
    }

    // MARK: claiming and running

    struct Claimed: Sendable {
        let id: UUID
        let kind: String
        let payload: String
        let attempts: Int
        let maxAttempts: Int
    }

    /// Which jobs a worker takes: all of them (tests, the developers' clock), the website checks, the
    /// work a person started and watches, or everything else, so that mail and webhooks never wait
    /// behind website checks or an import, and an import never waits behind a round of website checks.
    enum Lane: Sendable, Equatable {
        case all, slow, work, quick

        /// Website checks wait seconds per page (politeness to the shop's server) and minutes for a
        /// site that does not answer.
        static let slowKinds = [SiteCheckService.runJob]
        /// A member import takes seconds to minutes for a long list, while its page shows the bar.
        static let workKinds = [WorkProgress.importJob]
    }

    /// Takes the oldest due job of the lane, marking it running; `nil` when nothing is due.
    func claim(lane: Lane = .all) async throws -> Claimed? {
        let now = clock.now()
        let sql = storage.sql
        let skipLocked = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let list = { (kinds: [String]) in kinds.map { "'\($0)'" }.joined(separator: ", ") }
        let laneFilter = switch lane {
        case .all: ""
        case .slow: " AND kind IN (\(list(Lane.slowKinds)))"
        case .work: " AND kind IN (\(list(Lane.workKinds)))"
        case .quick: " AND kind NOT IN (\(list(Lane.slowKinds + Lane.workKinds)))"
        }
        let rows = try await sql.raw("""
            UPDATE jobs SET status = 'running', locked_by = \(bind: workerName), locked_until = \(bind: now.addingTimeInterval(lease)), attempts = attempts + 1
            WHERE status = 'queued' AND id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= \(bind: now)\(unsafeRaw: laneFilter) ORDER BY run_at LIMIT 1\(unsafeRaw: skipLocked))
            RETURNING id, kind, payload, attempts, max_attempts
            """).all()
        guard let row = rows.first else { return nil }
        return Claimed(id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
                       payload: try row.decode(column: "payload", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
                       maxAttempts: try row.decode(column: "max_attempts", as: Int.self))
    }

    /// Hands jobs of a vanished worker (lease run out) back to the queue.
    func reclaimStale() async throws {
        let now = clock.now()
        try await storage.sql.raw("UPDATE jobs SET status = 'queued', locked_by = NULL WHERE status = 'running' AND locked_until < \(bind: now)").run()
    }

    /// Runs one claimed job and records the outcome: done, queued again after a back-off, or failed.
    func run(_ job: Claimed) async {
        let handler = lock.withLock { handlers[job.kind] }
        let context = JobContext(jobID: job.id, payload: job.payload, attempt: job.attempts, storage: storage, clock: clock, logger: logger)
        do {
            guard let handler else { throw JobError.noHandler(job.kind) }
            try await handler(context)
            try await finish(job.id, status: .done, error: nil, runAt: nil)
            if let recurring = lock.withLock({ self.recurring.first { $0.kind == job.kind } }) {
                try await scheduleNext(recurring, after: clock.now())
            }
        } catch {
            let message = String(describing: error).prefix(1000)
            let last = job.attempts >= job.maxAttempts
            logger.warning("job failed", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)", "error": "\(message)"])
            try? await finish(job.id, status: last ? .failed : .queued, error: String(message),
                              runAt: last ? nil : clock.now().addingTimeInterval(Self.backoff(afterAttempt: job.attempts)))
        }
    }

    private func finish(_ id: UUID, status: Job.Status, error: String?, runAt: Date?) async throws {
        guard let job = try await Job.find(id, on: storage.db) else { return }
        job.statusRaw = status.rawValue
        job.lastError = error ?? job.lastError
        job.lockedBy = nil
        job.lockedUntil = nil
        if let runAt { job.runAt = runAt }
        if status == .done || status == .failed { job.finishedAt = clock.now() }
        try await job.save(on: storage.db)
    }

    /// Runs every job that is due now, one after another, until none is left. The developers' clock
    /// calls this after moving, so that everything that fell due has happened when it answers.
    @discardableResult
    func runDue(limit: Int = 10_000, lane: Lane = .all) async throws -> Int {
        try await reclaimStale()
        var count = 0
        while count < limit, let job = try await claim(lane: lane) {
            await run(job)
            count += 1
        }
        return count
    }

    /// Puts a failed job back in the queue (an administrator's retry).
    func retry(_ id: UUID) async throws {
        guard let job = try await Job.find(id, on: storage.db), job.status == .failed else { throw AppError.notFound }
        job.statusRaw = Job.Status.queued.rawValue
        job.runAt = clock.now()
        job.attempts = 0
        job.finishedAt = nil
        try await job.save(on: storage.db)
    }

    // MARK: recurring work

    func register(recurring job: RecurringJob, _ handler: @escaping Handler) {
        lock.withLock {
            handlers[job.kind] = handler
            recurring.append(job)
        }
    }

    /// Makes sure each recurring job has its next run queued (once, whatever the number of instances).
    func scheduleRecurring() async throws {
        for job in lock.withLock({ recurring }) {
            if try await Job.query(on: storage.db).filter(\.$kind == job.kind).filter(\.$statusRaw ~~ ["queued", "running"]).first() == nil {
                try await scheduleNext(job, after: clock.now())
            }
        }
    }

    private func scheduleNext(_ job: RecurringJob, after date: Date) async throws {
        let next = job.next(after: date)
        let key = "recurring:\(job.kind):\(Int(next.timeIntervalSince1970))"
        try await Self.enqueue(job.kind, at: next, maxAttempts: 3, uniqueKey: key, now: clock.now(), on: storage.db)
    }
}

enum JobError: Error, CustomStringConvertible {
    case noHandler(String)
    var description: String {
        switch self {
        case .noHandler(let kind): return "no handler for jobs of kind '\(kind)'"
        }
    }
}

/// Work that repeats: daily at a time of day in a time zone.
struct RecurringJob: Sendable {
    let kind: String
    let hour: Int
    let timeZone: TimeZone

    func next(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.date(bySettingHour: hour, minute: 0, second: 0, of: date) ?? date
        return today > date ? today : calendar.date(byAdding: .day, value: 1, to: today) ?? date.addingTimeInterval(86400)
    }
}
