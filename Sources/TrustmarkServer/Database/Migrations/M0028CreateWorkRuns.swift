import FluentKit
import SQLKit

/// Long work that staff start and watch: a member import runs as a job and writes how far it got,
/// so its page can show a progress bar on any instance and the report when it is done.
struct M0028CreateWorkRuns: AsyncMigration {
    var name: String { "0028-create-work-runs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("work_runs")
            .id()
            .field("kind", .string, .required)
            .field("label", .string, .required)
            .field("done", .int, .required)
            .field("total", .int, .required)
            .field("locale", .string, .required)
            .field("started_by", .uuid)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("input", .data)
            .field("options", .string, .required)
            .field("result", .string)
            .field("error", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("work_runs").delete()
    }
}
