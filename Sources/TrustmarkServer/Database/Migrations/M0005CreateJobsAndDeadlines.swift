import FluentKit
import SQLKit

/// The job queue, deadlines with their events, and delivery bookkeeping on the outbox.
struct M0005CreateJobsAndDeadlines: AsyncMigration {
    var name: String { "0005-create-jobs-and-deadlines" }

    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("run_at", .datetime, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("last_error", .string)
            .field("locked_by", .string)
            .field("locked_until", .datetime)
            .field("unique_key", .string)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await database.schema("deadlines")
            .id()
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("kind", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("length", .string, .required)
            .field("remind_before", .string)
            .field("due_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("deadline_events")
            .id()
            .field("deadline_id", .uuid, .required, .references("deadlines", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.schema("outbox_messages").field("attempts", .int, .required, .sql(.default(0))).update()
        try await database.schema("outbox_messages").field("last_error", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        // The worker's scan reads only queued jobs by time; a partial index keeps it independent of
        // how many finished jobs and future deadlines the table holds (same syntax on both databases).
        try await sql.raw("CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'queued'").run()
        try await sql.raw("CREATE INDEX jobs_stale_idx ON jobs (locked_until) WHERE status = 'running'").run()
        try await sql.raw("CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key)").run()
        try await sql.raw("CREATE INDEX deadlines_open_due_idx ON deadlines (due_at) WHERE closed_at IS NULL").run()
        try await sql.create(index: "deadlines_subject_idx").on("deadlines").column("subject_type").column("subject_id").run()
        try await sql.create(index: "deadline_events_deadline_idx").on("deadline_events").column("deadline_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("last_error").update()
        try await database.schema("outbox_messages").deleteField("attempts").update()
        for table in ["deadline_events", "deadlines", "jobs"] { try await database.schema(table).delete() }
    }
}
