import FluentKit
import Foundation

/// One line of the record: who did what to which object, with the state before and after.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "action") var action: String
    @Field(key: "subject_type") var subjectType: String
    @Field(key: "subject_id") var subjectID: String
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    /// The scheme version whose rules the decision followed, where it followed any.
    @OptionalField(key: "scheme_version_id") var schemeVersionID: UUID?
    /// The entry's place in the chain, the hash of the entry before it, and its own hash.
    @OptionalField(key: "sequence") var sequence: Int?
    @OptionalField(key: "previous_hash") var previousHash: String?
    @OptionalField(key: "entry_hash") var entryHash: String?

    init() {}

    init(at: Date, actorID: UUID?, actorRole: String, action: String, subjectType: String, subjectID: String, before: String?, after: String?, schemeVersionID: UUID? = nil) {
        self.schemeVersionID = schemeVersionID
        self.at = at
        self.actorID = actorID
        self.actorRole = actorRole
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.before = before
        self.after = after
    }
}

/// A message waiting for delivery, written in the same transaction as the change that causes it.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "locale") var locale: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    /// A kept letter that goes with the message as a PDF attachment.
    @OptionalField(key: "letter_id") var letterID: UUID?

    init() {}

    init(createdAt: Date, recipient: String, subject: String, body: String, locale: String, kind: String) {
        self.createdAt = createdAt
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.locale = locale
        self.kind = kind
        self.attempts = 0
    }
}
