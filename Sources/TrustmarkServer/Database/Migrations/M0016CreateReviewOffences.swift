import FluentKit
import SQLKit

/// Confirmed review fraud and the ladder's steps, staff tasks (phone calls, meetings, returning a
/// shop online), a shop's suspension as the seal and register read it, and letters attached to mail.
struct M0016CreateReviewOffences: AsyncMigration {
    var name: String { "0016-create-review-offences" }

    func prepare(on database: any Database) async throws {
        try await database.schema("review_offences")
            .id()
            .field("shop_id", .uuid, .required, .references("shops", "id"))
            .field("organisation_id", .uuid, .required)
            .field("number", .int, .required)
            .field("step", .int)
            .field("proposed_step", .int)
            .field("action", .string, .required)
            .field("deviation_reason", .string)
            .field("explanation", .string, .required)
            .field("reviews", .string, .required)
            .field("starts_on", .string, .required)
            .field("offline", .bool, .required)
            .field("back_online_on", .string)
            .field("duration_ends_on", .string)
            .field("notice_until", .string)
            .field("returned_at", .datetime)
            .field("returned_by", .uuid)
            .field("return_reason", .string)
            .field("letter_id", .uuid)
            .field("decided_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("staff_tasks")
            .id()
            .field("kind", .string, .required)
            .field("shop_id", .uuid)
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("due_on", .string, .required)
            .field("created_at", .datetime, .required)
            .field("done_at", .datetime)
            .field("done_by", .uuid)
            .field("note", .string)
            .create()
        try await database.schema("shops").field("suspended_from", .string).update()
        try await database.schema("shops").field("suspended_until", .string).update()
        try await database.schema("shops").field("suspension_source", .string).update()
        try await database.schema("outbox_messages").field("letter_id", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX review_offences_shop_idx ON review_offences (shop_id, created_at)").run()
        try await sql.raw("CREATE INDEX staff_tasks_open_idx ON staff_tasks (done_at, due_on)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("letter_id").update()
        for field in ["suspended_from", "suspended_until", "suspension_source"] {
            try await database.schema("shops").deleteField(FieldKey(stringLiteral: field)).update()
        }
        try await database.schema("staff_tasks").delete()
        try await database.schema("review_offences").delete()
    }
}
