import FluentKit
import Foundation
import SQLKit

/// Where seals were seen (`seal_sightings`: per shop and site, first and last seen, how often; a
/// sighting on a site the shop does not hold is a misuse case for staff) and the per-shop figures
/// the verification page and the directory show (`shop_stats`), kept up to date by the features
/// that change them instead of being counted per request.
struct M0009CreateSealRecords: AsyncMigration {
    var name: String { "0009-create-seal-records" }

    func prepare(on database: any Database) async throws {
        try await database.schema("seal_sightings")
            .id()
            .field("shop_id", .uuid, .required, .references("shops", "id"))
            .field("host", .string, .required)
            .field("own_domain", .bool, .required)
            .field("first_page", .string, .required)
            .field("last_page", .string, .required)
            .field("first_seen", .datetime, .required)
            .field("last_seen", .datetime, .required)
            .field("count", .int64, .required)
            .field("state", .string, .required)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .field("decision_note", .string)
            .unique(on: "shop_id", "host")
            .create()
        try await database.schema("shop_stats")
            .field("shop_id", .uuid, .identifier(auto: false), .references("shops", "id"))
            .field("complaints_12m", .int, .required)
            .field("resolved_12m", .int, .required)
            .field("median_first_answer_hours", .int)
            .field("ratings_12m", .int, .required)
            .field("rating_sum_12m", .int64, .required)
            .field("tier", .string)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX seal_sightings_state_idx ON seal_sightings (own_domain, state, last_seen)").run()
        try await sql.raw("CREATE INDEX shop_stats_tier_idx ON shop_stats (tier)").run()
        try await sql.raw("CREATE INDEX shops_state_name_idx ON shops (state, name)").run()
        try await sql.raw("CREATE INDEX shop_domains_shop_idx ON shop_domains (shop_id)").run()
        try await sql.raw("CREATE INDEX audit_reports_application_idx ON audit_reports (application_id)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX shops_state_name_idx").run()
            try await sql.raw("DROP INDEX shop_domains_shop_idx").run()
            try await sql.raw("DROP INDEX audit_reports_application_idx").run()
        }
        try await database.schema("shop_stats").delete()
        try await database.schema("seal_sightings").delete()
    }
}
