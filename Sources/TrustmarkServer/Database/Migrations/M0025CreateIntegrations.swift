import FluentKit
import SQLKit

/// What shops' platforms connect with: API keys per shop (stored as a digest, with their scopes and
/// when last used), webhook endpoints (a member's or the staff's, with the events they want and the
/// secret that signs deliveries), and each delivery with its attempts and the receiver's answer.
struct M0025CreateIntegrations: AsyncMigration {
    var name: String { "0025-create-integrations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("api_keys")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("shop_id", .uuid, .required, .references("shops", "id"))
            .field("name", .string, .required)
            .field("hint", .string, .required)
            .field("key_digest", .string, .required)
            .field("scopes", .string, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("revoked_by", .uuid)
            .unique(on: "key_digest")
            .create()
        try await database.schema("webhook_endpoints")
            .id()
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            .field("events", .string, .required)
            .field("state", .string, .required)
            .field("failures", .int, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("failing_since", .datetime)
            .create()
        try await database.schema("webhook_deliveries")
            .id()
            .field("endpoint_id", .uuid, .required, .references("webhook_endpoints", "id"))
            .field("event", .string, .required)
            .field("event_id", .uuid, .required)
            .field("payload", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("last_status", .int)
            .field("last_response", .string)
            .field("last_error", .string)
            .field("replay_of", .uuid)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "api_keys_organisation_idx").on("api_keys").column("organisation_id").run()
        try await sql.create(index: "webhook_endpoints_organisation_idx").on("webhook_endpoints").column("organisation_id").run()
        try await sql.create(index: "webhook_deliveries_endpoint_idx").on("webhook_deliveries").column("endpoint_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_deliveries").delete()
        try await database.schema("webhook_endpoints").delete()
        try await database.schema("api_keys").delete()
    }
}
