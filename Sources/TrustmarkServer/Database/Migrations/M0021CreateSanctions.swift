import FluentKit
import SQLKit

/// Sanctions decided by staff (from a proposal or on their own): the ladder's state, who decided and
/// confirmed, the deadline, the reason and the article. Every step is also in the record.
struct M0021CreateSanctions: AsyncMigration {
    var name: String { "0021-create-sanctions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sanctions")
            .id()
            .field("organisation_id", .uuid, .required)
            .field("shop_id", .uuid, .references("shops", "id"))
            .field("proposal_id", .uuid, .references("sanction_proposals", "id"))
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("reason", .string, .required)
            .field("article", .string)
            .field("tasks", .string, .required)
            .field("decided_by", .uuid, .required)
            .field("decided_on", .string, .required)
            .field("deadline", .string)
            .field("confirmed_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "sanctions_organisation_idx").on("sanctions").column("organisation_id").column("state").run()
        try await sql.create(index: "sanctions_state_idx").on("sanctions").column("state").column("deadline").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sanctions").delete()
    }
}
