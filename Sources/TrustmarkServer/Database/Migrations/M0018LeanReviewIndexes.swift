import FluentKit
import SQLKit

/// Every review and day row is written into each index of its table, so the indexes that do not earn
/// their keep go: `review_days_shop_idx` repeats the index of the (shop, day) unique constraint, and
/// only reviews waiting for their e-mail confirmation have a confirmation token, so its index holds
/// only those (both databases use a partial index for `confirm_token_hash = ?`).
struct M0018LeanReviewIndexes: AsyncMigration {
    var name: String { "0018-lean-review-indexes" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX review_days_shop_idx").run()
        try await sql.raw("DROP INDEX reviews_confirm_idx").run()
        try await sql.raw("CREATE INDEX reviews_confirm_idx ON reviews (confirm_token_hash) WHERE confirm_token_hash IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX reviews_confirm_idx").run()
        try await sql.raw("CREATE INDEX reviews_confirm_idx ON reviews (confirm_token_hash)").run()
        try await sql.raw("CREATE INDEX review_days_shop_idx ON review_days (shop_id, day)").run()
    }
}
