import FluentKit
import SQLKit

/// The record of decisions and the outbox of messages.
struct M0002CreateRecord: AsyncMigration {
    var name: String { "0002-create-record" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .id()
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_role", .string, .required)
            .field("action", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("before", .string)
            .field("after", .string)
            .create()
        try await database.schema("outbox_messages")
            .id()
            .field("created_at", .datetime, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("locale", .string, .required)
            .field("kind", .string, .required)
            .field("delivered_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "audit_entries_subject_idx").on("audit_entries").column("subject_type").column("subject_id").run()
        try await sql.create(index: "outbox_messages_created_idx").on("outbox_messages").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
        try await database.schema("audit_entries").delete()
    }
}
