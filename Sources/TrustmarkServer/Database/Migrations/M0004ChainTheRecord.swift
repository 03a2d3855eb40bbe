import FluentKit
import Foundation
import SQLKit

/// Turns the record into a hash chain: each entry gets a place (sequence), the hash of the entry
/// before it and its own hash. Entries that already exist are chained in the order they were made.
struct M0004ChainTheRecord: AsyncMigration {
    var name: String { "0004-chain-the-record" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("audit_entries").field("sequence", .int).update()
        try await database.schema("audit_entries").field("previous_hash", .string).update()
        try await database.schema("audit_entries").field("entry_hash", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "audit_entries_sequence_idx").on("audit_entries").column("sequence").unique().run()
        var previous = RecordChain.genesis
        var sequence = 0
        for entry in try await AuditEntry.query(on: database).sort(\.$at).sort(\.$id).all() {
            sequence += 1
            entry.at = RecordChain.millisecondPrecision(entry.at)
            entry.sequence = sequence
            entry.previousHash = previous
            entry.entryHash = RecordChain.hash(of: entry, previous: previous)
            try await entry.save(on: database)
            previous = entry.entryHash!
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").deleteField("entry_hash").update()
        try await database.schema("audit_entries").deleteField("previous_hash").update()
        try await database.schema("audit_entries").deleteField("sequence").update()
    }
}
