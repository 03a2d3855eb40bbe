import FluentKit
import SQLKit

/// The public record of a shop reads its organisation's applications (for the check log); with a
/// national register that must be an index lookup, not a scan of every application.
struct M0010IndexApplicationsByOrganisation: AsyncMigration {
    var name: String { "0010-index-applications-by-organisation" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX applications_organisation_idx ON applications (organisation_id)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX applications_organisation_idx").run()
    }
}
