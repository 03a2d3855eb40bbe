import FluentKit
import SQLKit

/// Organisations, users, sessions, API tokens, single-use account links and shared settings.
struct M0001CreateAccounts: AsyncMigration {
    var name: String { "0001-create-accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organisations")
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string)
            .field("role", .string, .required)
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("locale", .string, .required)
            .field("disabled_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema("web_sessions")
            .id()
            .field("token_digest", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_digest")
            .create()
        try await database.schema("api_tokens")
            .id()
            .field("token_digest", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_digest")
            .create()
        try await database.schema("account_tokens")
            .id()
            .field("token_digest", .string, .required)
            .field("purpose", .string, .required)
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_digest")
            .create()
        try await database.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "users_organisation_idx").on("users").column("organisation_id").run()
        try await sql.create(index: "web_sessions_user_idx").on("web_sessions").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["settings", "account_tokens", "api_tokens", "web_sessions", "users", "organisations"] {
            try await database.schema(table).delete()
        }
    }
}
