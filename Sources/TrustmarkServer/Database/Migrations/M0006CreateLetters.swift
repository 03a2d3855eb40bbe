import FluentKit
import SQLKit

/// Official letters as they were sent: the PDF itself and its hash, and when registered post left.
struct M0006CreateLetters: AsyncMigration {
    var name: String { "0006-create-letters" }

    func prepare(on database: any Database) async throws {
        try await database.schema("letters")
            .id()
            .field("kind", .string, .required)
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("locale", .string, .required)
            .field("registered", .bool, .required)
            .field("pdf", .data, .required)
            .field("sha256", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_on", .string)
            .field("sent_recorded_by", .uuid)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "letters_created_idx").on("letters").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("letters").delete()
    }
}
