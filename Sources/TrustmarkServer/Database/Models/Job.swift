import FluentKit
import Foundation

/// A unit of background work: run at `runAt` by whichever instance claims it first.
final class Job: Model, @unchecked Sendable {
    static let schema = "jobs"

    enum Status: String, Sendable { case queued, running, done, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Field(key: "run_at") var runAt: Date
    @Field(key: "status") var statusRaw: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    /// Jobs with the same key exist once (a recurring occurrence, a deadline's expiry, ...).
    @OptionalField(key: "unique_key") var uniqueKey: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    init(kind: String, payload: String, runAt: Date, maxAttempts: Int, uniqueKey: String?, createdAt: Date) {
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.statusRaw = Status.queued.rawValue
        self.attempts = 0
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.createdAt = createdAt
    }

    var status: Status { Status(rawValue: statusRaw) ?? .failed }
}

final class Deadline: Model, @unchecked Sendable {
    static let schema = "deadlines"

    @ID(key: .id) var id: UUID?
    @Field(key: "subject_type") var subjectType: String
    @Field(key: "subject_id") var subjectID: String
    @Field(key: "kind") var kind: String
    @Field(key: "starts_at") var startsAt: Date
    /// The scheme's period, e.g. "2 working days".
    @Field(key: "length") var length: String
    @OptionalField(key: "remind_before") var remindBefore: String?
    /// Derived from the start, the length and the events; kept for the indexed scan only.
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class DeadlineEventRow: Model, @unchecked Sendable {
    static let schema = "deadline_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "deadline_id") var deadline: Deadline
    @Field(key: "kind") var kind: String
    @Field(key: "at") var at: Date

    init() {}

    init(deadlineID: UUID, kind: String, at: Date) {
        self.$deadline.id = deadlineID
        self.kind = kind
        self.at = at
    }
}
