import Crypto
import FluentKit
import Foundation
import TrustmarkCore
import SQLKit

/// The record as a hash chain: each entry's hash covers its own fields and the previous entry's
/// hash, so changing or removing any entry breaks every link after it.
enum RecordChain {
    static let genesis = String(repeating: "0", count: 64)
    /// The advisory lock that serialises appends on PostgreSQL (any constant shared by all instances;
    /// a 32-bit value, paired with the schema's hash so that chains in other schemas of the same
    /// database do not wait for each other).
    static let lockKey: Int32 = 7_247_001

    /// Dates are chained at millisecond precision, which both databases store exactly.
    static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func hash(of entry: AuditEntry, previous: String) -> String {
        let fields: [String] = [
            "\(entry.sequence ?? 0)", previous, "\(Int64((entry.at.timeIntervalSince1970 * 1000).rounded()))",
            entry.actorID?.uuidString ?? "", entry.actorRole, entry.action, entry.subjectType, entry.subjectID,
            entry.before ?? "", entry.after ?? "", entry.schemeVersionID?.uuidString ?? "", entry.id?.uuidString ?? "",
        ]
        let text = fields.joined(separator: "\u{1F}")
        return Hex.string(SHA256.hash(data: Data(text.utf8)))
    }

    /// Gives `entry` its place at the end of the chain and saves it, inside the caller's transaction.
    static func append(_ entry: AuditEntry, on db: any Database) async throws {
        try await append([entry], on: db)
    }

    /// Gives each entry, in order, its place at the end of the chain and saves them all with one
    /// statement, inside the caller's transaction. Written in plain SQL: this runs with every change
    /// of the platform, and a model's field reflection costs more than the two statements.
    static func append(_ entries: [AuditEntry], on db: any Database) async throws {
        guard !entries.isEmpty else { return }
        guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Int(lockKey)), hashtext(current_schema()))").run()
        }
        struct Head: Decodable {
            let sequence: Int
            let entry_hash: String?
        }
        let last = try await sql.raw("SELECT sequence, entry_hash FROM audit_entries WHERE sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1")
            .first(decoding: Head.self)
        var sequence = last?.sequence ?? 0
        var previous = last?.entry_hash ?? genesis
        var insert = sql.insert(into: AuditEntry.schema)
            .columns("id", "at", "actor_id", "actor_role", "action", "subject_type", "subject_id", "before", "after", "scheme_version_id",
                     "sequence", "previous_hash", "entry_hash")
        for entry in entries {
            if entry.id == nil { entry.id = UUID.timeOrdered() }
            entry.at = millisecondPrecision(entry.at)
            sequence += 1
            entry.sequence = sequence
            entry.previousHash = previous
            let hash = hash(of: entry, previous: previous)
            entry.entryHash = hash
            previous = hash
            insert = insert.values([SQLBind(entry.id!), SQLBind(entry.at), SQLBind.orNull(entry.actorID), SQLBind(entry.actorRole), SQLBind(entry.action),
                                    SQLBind(entry.subjectType), SQLBind(entry.subjectID), SQLBind.orNull(entry.before), SQLBind.orNull(entry.after),
                                    SQLBind.orNull(entry.schemeVersionID), SQLBind(sequence), SQLBind(entry.previousHash!), SQLBind(hash)])
        }
        try await insert.run()
        for entry in entries { entry.$id.exists = true }
    }

    struct Break: Equatable, Sendable, CustomStringConvertible {
        let sequence: Int?
        let id: UUID?
        let reason: String
        var description: String { "entry \(sequence.map(String.init) ?? "without a place") (\(id?.uuidString ?? "?")): \(reason)" }
    }

    /// Walks the whole chain; `nil` when it is intact, else the first broken entry.
    static func verify(on db: any Database) async throws -> (checked: Int, firstBreak: Break?) {
        if let loose = try await AuditEntry.query(on: db).filter(\.$sequence == nil).first() {
            return (0, Break(sequence: nil, id: loose.id, reason: "it was added outside the chain"))
        }
        var previous = genesis
        var expected = 1
        var checked = 0
        let batch = 1000
        while true {
            let entries = try await AuditEntry.query(on: db).filter(\.$sequence >= expected).sort(\.$sequence).limit(batch).all()
            if entries.isEmpty { return (checked, nil) }
            for entry in entries {
                guard entry.sequence == expected else {
                    return (checked, Break(sequence: entry.sequence, id: entry.id, reason: "entry \(expected) before it is missing"))
                }
                guard entry.previousHash == previous else {
                    return (checked, Break(sequence: entry.sequence, id: entry.id, reason: "it does not follow the entry before it (that one was altered or removed)"))
                }
                guard entry.entryHash == hash(of: entry, previous: previous) else {
                    return (checked, Break(sequence: entry.sequence, id: entry.id, reason: "its content was altered after it was written"))
                }
                previous = entry.entryHash ?? ""
                expected += 1
                checked += 1
            }
        }
    }
}
