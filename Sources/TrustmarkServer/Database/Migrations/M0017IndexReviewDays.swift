import FluentKit
import SQLKit

/// A shop's day row is found by shop and day when a review is published; without this index every
/// publication read all shops' rows of that day.
struct M0017IndexReviewDays: AsyncMigration {
    var name: String { "0017-index-review-days" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX review_days_shop_idx ON review_days (shop_id, day)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX review_days_shop_idx").run()
    }
}
