import FluentKit
import SQLKit

/// Failed sign-ins, by account and by address, so that guessing passwords is slowed on every
/// instance alike (the rows are shared through the database) and the account's owner is told.
struct M0026CreateLoginFailures: AsyncMigration {
    var name: String { "0026-create-login-failures" }

    func prepare(on database: any Database) async throws {
        try await database.schema("login_failures")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "login_failures_email_idx").on("login_failures").column("email").column("at").run()
        try await sql.create(index: "login_failures_address_idx").on("login_failures").column("address").column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_failures").delete()
    }
}
