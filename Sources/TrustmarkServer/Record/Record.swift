import FluentKit
import Foundation
import TrustmarkCore

/// Appends to the record of decisions. Always called inside the transaction that makes the change,
/// so a change without its record (or a record of a change that did not happen) cannot exist. Each
/// entry is chained to the one before it (`RecordChain`), so any later edit or deletion shows.
enum Record {
    struct Actor: Sendable {
        let userID: UUID?
        let role: String

        static let system = Actor(userID: nil, role: "system")
        static let commandLine = Actor(userID: nil, role: "cli")

        init(userID: UUID?, role: String) {
            self.userID = userID
            self.role = role
        }

        init(_ identity: Identity) {
            self.init(userID: identity.userID, role: identity.role.rawValue)
        }
    }

    static func append(on db: any Database, at: Date, actor: Actor, action: String, subjectType: String, subjectID: String,
                       before: [String: String]? = nil, after: [String: String]? = nil, schemeVersion: UUID? = nil) async throws {
        let entry = entry(at: at, actor: actor, action: action, subjectType: subjectType, subjectID: subjectID, before: before, after: after)
        entry.schemeVersionID = schemeVersion
        try await RecordChain.append(entry, on: db)
    }

    /// An entry to append later with others (`append(_:on:)`), in one statement.
    static func entry(at: Date, actor: Actor, action: String, subjectType: String, subjectID: String,
                      before: [String: String]? = nil, after: [String: String]? = nil) -> AuditEntry {
        AuditEntry(at: at, actorID: actor.userID, actorRole: actor.role, action: action, subjectType: subjectType,
                   subjectID: subjectID, before: before.map(encode), after: after.map(encode), schemeVersionID: nil)
    }

    /// Appends entries made with `entry(...)`, in their order, inside the caller's transaction.
    static func append(_ entries: [AuditEntry], on db: any Database) async throws {
        try await RecordChain.append(entries, on: db)
    }

    private static func encode(_ values: [String: String]) -> String {
        StringJSON.text(values)
    }
}
