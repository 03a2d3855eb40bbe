import FluentKit
import SQLKit

/// Scheme versions, rule changes with their notices and members' answers, and the end of a
/// membership on an organisation; the record learns which scheme version a decision followed.
struct M0003CreateSchemeVersions: AsyncMigration {
    var name: String { "0003-create-scheme-versions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("scheme_versions")
            .id()
            .field("scheme_id", .string, .required)
            .field("sequence", .int, .required)
            .field("content_hash", .string, .required)
            .field("content", .string, .required)
            .field("code_version", .string, .required)
            .field("loaded_at", .datetime, .required)
            .unique(on: "scheme_id", "sequence")
            .create()
        try await database.schema("rule_changes")
            .id()
            .field("scheme_version_id", .uuid, .required, .references("scheme_versions", "id"))
            .field("title", .string, .required)
            .field("summary", .string, .required)
            .field("far_reaching", .bool, .required)
            .field("changed_articles", .string, .required)
            .field("published_at", .datetime, .required)
            .field("transition_ends_at", .datetime)
            .field("published_by", .uuid)
            .unique(on: "scheme_version_id")
            .create()
        try await database.schema("rule_change_notices")
            .id()
            .field("rule_change_id", .uuid, .required, .references("rule_changes", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("channel", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        try await database.schema("rule_change_responses")
            .id()
            .field("rule_change_id", .uuid, .required, .references("rule_changes", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("response", .string, .required)
            .field("responded_at", .datetime, .required)
            .field("user_id", .uuid)
            .unique(on: "rule_change_id", "organisation_id")
            .create()
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("organisations").field("membership_ended_at", .datetime).update()
        try await database.schema("organisations").field("membership_end_reason", .string).update()
        try await database.schema("audit_entries")
            .field("scheme_version_id", .uuid)
            .update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "rule_change_notices_change_idx").on("rule_change_notices").column("rule_change_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").deleteField("scheme_version_id").update()
        try await database.schema("organisations").deleteField("membership_end_reason").update()
        try await database.schema("organisations").deleteField("membership_ended_at").update()
        for table in ["rule_change_responses", "rule_change_notices", "rule_changes", "scheme_versions"] {
            try await database.schema(table).delete()
        }
    }
}
