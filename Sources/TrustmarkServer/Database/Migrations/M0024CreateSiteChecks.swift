import FluentKit
import SQLKit

/// The website checker's runs: which shop (or application, or a site staff named), why it ran, what
/// it read, whether its HTTPS certificate held, and each check's outcome with its evidence; and on misuse cases, what the scan of the
/// foreign page found.
struct M0024CreateSiteChecks: AsyncMigration {
    var name: String { "0024-create-site-checks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("site_checks")
            .id()
            .field("shop_id", .uuid, .references("shops", "id"))
            .field("application_id", .uuid)
            .field("url", .string, .required)
            .field("reason", .string, .required)
            .field("failure", .string)
            .field("failure_detail", .string)
            .field("certificate", .string)
            .field("pages", .string, .required)
            .field("results", .string, .required)
            .field("found", .int, .required)
            .field("not_found", .int, .required)
            .field("unsure", .int, .required)
            .field("regressions", .string, .required)
            .field("milliseconds", .int, .required)
            .field("checked_at", .datetime, .required)
            .create()
        for (name, type) in [("scan_outcome", DatabaseSchema.DataType.string), ("scan_evidence", .string), ("scanned_at", .datetime)] {
            try await database.schema("seal_sightings").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update()
        }
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "site_checks_shop_idx").on("site_checks").column("shop_id").column("checked_at").run()
        try await sql.create(index: "site_checks_application_idx").on("site_checks").column("application_id").run()
        try await sql.create(index: "site_checks_checked_idx").on("site_checks").column("checked_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("site_checks").delete()
        for name in ["scanned_at", "scan_evidence", "scan_outcome"] {
            try await database.schema("seal_sightings").deleteField(.key(.init(stringLiteral: name))).update()
        }
    }
}
