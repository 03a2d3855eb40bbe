import FluentKit
import SQLKit

/// What a sanction gathers after its decision: the member's objection and its decision by another
/// staff member, the evidence the member sends during an improvement period, the party an
/// unauthorised use concerns when it is no member (name, site, address for the letter), the day the
/// legal step was flagged, and the sanction a step of the ladder followed.
struct M0023SanctionAppeals: AsyncMigration {
    var name: String { "0023-sanction-appeals" }

    private static let columns: [(String, DatabaseSchema.DataType)] = [
        ("appeal_text", .string), ("appealed_on", .string), ("appeal_decision", .string), ("appeal_reason", .string),
        ("appeal_decided_by", .uuid), ("appeal_decided_on", .string), ("misuse_case_id", .uuid), ("party_name", .string),
        ("party_domain", .string), ("party_email", .string), ("party_address", .string), ("legal_step_on", .string), ("follows_id", .uuid),
    ]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for (name, type) in Self.columns {
            try await database.schema("sanctions").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update()
        }
        try await database.schema("sanction_evidence")
            .id()
            .field("sanction_id", .uuid, .required, .references("sanctions", "id"))
            .field("text", .string, .required)
            .field("submitted_by", .uuid, .required)
            .field("submitted_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "sanction_evidence_sanction_idx").on("sanction_evidence").column("sanction_id").column("submitted_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sanction_evidence").delete()
        for (name, _) in Self.columns.reversed() {
            try await database.schema("sanctions").deleteField(.key(.init(stringLiteral: name))).update()
        }
    }
}
