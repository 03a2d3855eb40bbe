import FluentKit
import SQLKit

/// A review's fraud score and the signals behind it, and the index the same-address signal reads.
struct M0015AddReviewFraud: AsyncMigration {
    var name: String { "0015-add-review-fraud" }

    func prepare(on database: any Database) async throws {
        try await database.schema("reviews").field("fraud_score", .int).update()
        try await database.schema("reviews").field("fraud_signals", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX reviews_address_idx ON reviews (shop_id, client_address, created_at)").run()
        try await sql.raw("CREATE INDEX reviews_created_idx ON reviews (shop_id, created_at)").run()
        try await sql.raw("CREATE INDEX review_invitations_shop_idx ON review_invitations (shop_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX reviews_address_idx").run()
            try await sql.raw("DROP INDEX reviews_created_idx").run()
            try await sql.raw("DROP INDEX review_invitations_shop_idx").run()
        }
        try await database.schema("reviews").deleteField("fraud_score").update()
        try await database.schema("reviews").deleteField("fraud_signals").update()
    }
}
