import FluentKit
import SQLKit

/// Flags on reviews and what moderation made of them; removed reviews keep their reason.
struct M0014CreateReviewFlags: AsyncMigration {
    var name: String { "0014-create-review-flags" }

    func prepare(on database: any Database) async throws {
        try await database.schema("review_flags")
            .id()
            .field("review_id", .uuid, .required, .references("reviews", "id", onDelete: .cascade))
            .field("shop_id", .uuid, .required)
            .field("by", .string, .required)
            .field("by_user", .uuid)
            .field("reason", .string, .required)
            .field("note", .string)
            .field("created_at", .datetime, .required)
            .field("outcome", .string)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .create()
        try await database.schema("reviews").field("removed_reason", .string).update()
        try await database.schema("reviews").field("removed_at", .datetime).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX review_flags_open_idx ON review_flags (outcome, created_at)").run()
        try await sql.raw("CREATE INDEX review_flags_shop_idx ON review_flags (shop_id, by, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("review_flags").delete()
        try await database.schema("reviews").deleteField("removed_reason").update()
        try await database.schema("reviews").deleteField("removed_at").update()
    }
}
