import FluentKit
import SQLKit

/// The register asks every few seconds which shops' figures changed: an index on `updated_at`.
struct M0012IndexShopStatsByUpdate: AsyncMigration {
    var name: String { "0012-index-shop-stats-by-update" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX shop_stats_updated_idx ON shop_stats (updated_at)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX shop_stats_updated_idx").run()
    }
}
