import FluentKit
import Foundation
import TrustmarkCore

/// Deadlines of every feature: started with a period from the scheme, paused and resumed, met or
/// cancelled by recorded events, with a reminder job before and a due job at the due moment. The
/// stored `due_at` only serves the indexed scan; the state is always recomputed from the events.
struct DeadlinesService: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock
    let deadlineClock: DeadlineClock

    static let reminderJob = "deadline.reminder"
    static let dueJob = "deadline.due"

    /// What a feature does when one of its deadlines needs a reminder or has passed.
    struct Actions: Sendable {
        var reminder: (@Sendable (Deadline, JobContext) async throws -> Void)?
        var due: @Sendable (Deadline, JobContext) async throws -> Void
    }

    @discardableResult
    func start(subjectType: String, subjectID: String, kind: String, length: Period, remindBefore: Period? = nil, on db: any Database) async throws -> Deadline {
        let now = clock.now()
        let deadline = Deadline()
        deadline.id = UUID()
        deadline.subjectType = subjectType
        deadline.subjectID = subjectID
        deadline.kind = kind
        deadline.startsAt = now
        deadline.length = length.description
        deadline.remindBefore = remindBefore?.description
        deadline.createdAt = now
        deadline.dueAt = try deadlineClock.due(start: now, length: length, events: [], now: now)
        try await deadline.create(on: db)
        try await schedule(deadline, on: db)
        return deadline
    }

    /// Records an event and brings the due moment (and the jobs that watch it) up to date.
    func record(_ kind: DeadlineEvent.Kind, deadlineID: UUID, on db: any Database) async throws {
        guard let deadline = try await Deadline.find(deadlineID, on: db) else { throw AppError.notFound }
        guard deadline.closedAt == nil else { throw AppError.conflict("deadline_closed", "deadline_closed") }
        let now = clock.now()
        try await DeadlineEventRow(deadlineID: deadlineID, kind: kind.rawValue, at: now).create(on: db)
        if kind == .met || kind == .cancelled { deadline.closedAt = now }
        deadline.dueAt = try await dueMoment(deadline, on: db)
        try await deadline.save(on: db)
        if deadline.closedAt == nil { try await schedule(deadline, on: db) }
    }

    func events(of deadline: Deadline, on db: any Database) async throws -> [DeadlineEvent] {
        try await DeadlineEventRow.query(on: db).filter(\.$deadline.$id == deadline.requireID()).sort(\.$at).all()
            .compactMap { row in DeadlineEvent.Kind(rawValue: row.kind).map { DeadlineEvent($0, at: row.at) } }
    }

    func dueMoment(_ deadline: Deadline, on db: any Database) async throws -> Date {
        try deadlineClock.due(start: deadline.startsAt, length: try period(deadline.length), events: try await events(of: deadline, on: db), now: clock.now())
    }

    func state(_ deadline: Deadline, on db: any Database) async throws -> DeadlineState {
        try deadlineClock.state(start: deadline.startsAt, length: try period(deadline.length), events: try await events(of: deadline, on: db),
                                now: clock.now(), remindBefore: try deadline.remindBefore.map(period))
    }

    /// One reminder job and one due job per due moment; a job for a moment that has since moved
    /// finds the deadline changed and does nothing.
    private func schedule(_ deadline: Deadline, on db: any Database) async throws {
        let id = try deadline.requireID()
        let stamp = Int(deadline.dueAt.timeIntervalSince1970)
        let now = clock.now()
        if let remind = try deadline.remindBefore.map(period) {
            let at = try deadlineClock.reminderTime(due: deadline.dueAt, before: remind)
            if at > now {
                try await JobQueue.enqueue(Self.reminderJob, payload: id.uuidString, at: at, uniqueKey: "deadline:\(id):reminder:\(stamp)", now: now, on: db)
            }
        }
        try await JobQueue.enqueue(Self.dueJob, payload: id.uuidString, at: deadline.dueAt, uniqueKey: "deadline:\(id):due:\(stamp)", now: now, on: db)
    }

    private func period(_ text: String) throws -> Period {
        guard let period = Period.parse(text) else { throw AppError(.internalServerError, code: "bad_period", messageKey: "error_internal") }
        return period
    }

    /// Connects the deadline jobs to each feature's actions.
    func registerJobs(on queue: JobQueue, actions: [String: Actions]) {
        let service = self
        queue.register(Self.reminderJob) { context in
            guard let deadline = try await service.open(context) else { return }
            guard try await service.state(deadline, on: context.storage.db) == .dueSoon else { return }
            try await actions[deadline.kind]?.reminder?(deadline, context)
        }
        queue.register(Self.dueJob) { context in
            guard let deadline = try await service.open(context) else { return }
            guard try await service.state(deadline, on: context.storage.db) == .overdue else { return }
            try await context.storage.db.transaction { db in
                try await Record.append(on: db, at: context.clock.now(), actor: .system, action: "deadline.passed", subjectType: deadline.subjectType,
                                        subjectID: deadline.subjectID, after: ["deadline": deadline.kind, "due": ISO8601DateFormatter().string(from: deadline.dueAt)])
            }
            try await actions[deadline.kind]?.due(deadline, context)
        }
    }

    private func open(_ context: JobContext) async throws -> Deadline? {
        guard let id = UUID(uuidString: context.payload), let deadline = try await Deadline.find(id, on: context.storage.db), deadline.closedAt == nil else { return nil }
        return deadline
    }
}
