import FluentKit
import Foundation
import SQLKit

/// Reviews, the invitations that ask for them, the per-day rating sums the window is counted from,
/// and the shop figures' per-criterion averages and distribution.
struct M0013CreateReviews: AsyncMigration {
    var name: String { "0013-create-reviews" }

    func prepare(on database: any Database) async throws {
        try await database.schema("review_invitations")
            .id()
            .field("shop_id", .uuid, .required, .references("shops", "id"))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("order_reference", .string, .required)
            .field("order_date", .string)
            .field("locale", .string, .required)
            .field("send_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("token_hash", .string)
            .field("used_at", .datetime)
            .field("source", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "shop_id", "order_reference", "email")
            .create()
        try await database.schema("reviews")
            .id()
            .field("shop_id", .uuid, .required, .references("shops", "id"))
            .field("invitation_id", .uuid)
            .field("origin", .string, .required)
            .field("kind", .string, .required)
            .field("author_name", .string, .required)
            .field("author_email", .string, .required)
            .field("locale", .string, .required)
            .field("overall", .int, .required)
            .field("scores", .string, .required)
            .field("text", .string)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("published_at", .datetime)
            .field("confirm_token_hash", .string)
            .field("confirm_expires_at", .datetime)
            .field("reply", .string)
            .field("reply_at", .datetime)
            .field("client_address", .string)
            .create()
        try await database.schema("review_days")
            .id()
            .field("shop_id", .uuid, .required)
            .field("day", .string, .required)
            .field("count", .int, .required)
            .field("overall_sum", .int64, .required)
            .field("criteria_sums", .string, .required)
            .field("distribution", .string, .required)
            .unique(on: "shop_id", "day")
            .create()
        try await database.schema("shop_stats").field("rating_criteria", .string).update()
        try await database.schema("shop_stats").field("rating_distribution", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX reviews_shop_idx ON reviews (shop_id, state, published_at)").run()
        try await sql.raw("CREATE INDEX reviews_confirm_idx ON reviews (confirm_token_hash)").run()
        try await sql.raw("CREATE INDEX review_invitations_token_idx ON review_invitations (token_hash)").run()
        try await sql.raw("CREATE INDEX review_days_day_idx ON review_days (day)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["review_days", "reviews", "review_invitations"] { try await database.schema(table).delete() }
        try await database.schema("shop_stats").deleteField("rating_criteria").update()
        try await database.schema("shop_stats").deleteField("rating_distribution").update()
    }
}
