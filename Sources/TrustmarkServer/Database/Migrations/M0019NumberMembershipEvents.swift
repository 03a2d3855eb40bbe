import FluentKit
import SQLKit

/// Each membership event keeps the value of `seal.version` its transaction set, so that the seal and
/// page caches can ask which organisations changed between two values they read and forget just
/// their shops (instead of every shop whenever the counter moves).
struct M0019NumberMembershipEvents: AsyncMigration {
    var name: String { "0019-number-membership-events" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE membership_events ADD COLUMN seal_version BIGINT").run()
        try await sql.raw("CREATE INDEX membership_events_seal_version_idx ON membership_events (seal_version)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX membership_events_seal_version_idx").run()
        try await sql.raw("ALTER TABLE membership_events DROP COLUMN seal_version").run()
    }
}
