import FluentKit
import Foundation
import TrustmarkCore

/// The scheme this server runs: the rules, and the stored version they were loaded as.
public struct ActiveScheme: Sendable {
    public let scheme: Scheme
    public let versionID: UUID
    public let sequence: Int
    public let contentHash: String

    public var timeZone: TimeZone { TimeZone(identifier: scheme.timeZone) ?? TimeZone(identifier: "UTC")! }

    /// The scheme's text in the reader's language, falling back to the scheme's own languages.
    func text(_ text: LocalizedText, _ locale: AppLocale) -> String { scheme.text(text, locale.rawValue) }
}

/// Start-up stops when the scheme file is invalid, with the same lines `scheme check` prints.
public struct SchemeRefused: Error, CustomStringConvertible, Sendable {
    public let lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}

/// Loads the scheme file into the database as a version. An unchanged file reuses the newest
/// version; a changed one becomes the next version. Old versions are never rewritten.
enum SchemeVersions {
    static func activate(_ file: SchemeFile, storage: Storage, at now: Date) async throws -> ActiveScheme {
        let hash = file.contentHash
        for _ in 0..<3 {
            let latest = try await SchemeVersion.query(on: storage.db).filter(\.$schemeID == file.scheme.id).sort(\.$sequence, .descending).first()
            if let latest, latest.contentHash == hash {
                return ActiveScheme(scheme: file.scheme, versionID: try latest.requireID(), sequence: latest.sequence, contentHash: hash)
            }
            let version = SchemeVersion(schemeID: file.scheme.id, sequence: (latest?.sequence ?? 0) + 1, contentHash: hash, content: file.text,
                                        codeVersion: file.scheme.codeOfConduct.version, loadedAt: now)
            do {
                try await storage.db.transaction { db in
                    try await version.create(on: db)
                    try await Record.append(on: db, at: now, actor: .system, action: "scheme.version_loaded", subjectType: "scheme",
                                            subjectID: file.scheme.id, after: ["sequence": "\(version.sequence)", "hash": hash, "code": version.codeVersion],
                                            schemeVersion: version.id)
                }
                return ActiveScheme(scheme: file.scheme, versionID: try version.requireID(), sequence: version.sequence, contentHash: hash)
            } catch {
                // Another instance stored the same sequence at the same moment; read again.
                continue
            }
        }
        throw ConfigError(setting: "TRUSTMARK_SCHEME", message: "could not store the scheme version in the database")
    }

    /// The parsed scheme of a stored version (for comparing with an earlier one).
    static func scheme(of version: SchemeVersion) -> Scheme? {
        if case .valid(let scheme) = SchemeParser.parse(version.content) { return scheme }
        return nil
    }
}
