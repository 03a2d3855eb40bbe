import FluentKit
import Foundation
import Logging
import SQLKit
import TrustmarkCore

/// What a backup holds, written last into its directory: a backup without one is incomplete.
public struct BackupManifest: Codable, Sendable {
    public let version: String
    public let createdAt: Date
    /// `sqlite` (database.sqlite) or `postgres` (database.pgdump, pg_dump's custom format).
    public let database: String
    /// Rows per table when the backup was taken.
    public let tables: [String: Int]
    /// The record's last entry hash, so a restore can show the chain ends where it did.
    public let recordHead: String?
    public let files: Int
}

/// `trustmark backup DIR` and `trustmark restore DIR`: a consistent copy of the database taken
/// while the server runs (SQLite's `VACUUM INTO` reads one snapshot; pg_dump does too) with the
/// complaint attachments, and the way back, checked against the manifest and the record's chain.
struct Backups: Sendable {
    let storage: Storage
    let dataDirectory: String
    let clock: any TrustmarkClock
    let logger: Logger

    static let manifestName = "manifest.json"
    var attachments: String { dataDirectory + "/attachments" }

    /// Rows per table, every table but the migrations' own bookkeeping.
    static func counts(on sql: any SQLDatabase) async throws -> [String: Int] {
        struct Name: Decodable { let name: String }
        let names: [Name] = sql.dialect.name == "sqlite"
            ? try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all(decoding: Name.self)
            : try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
                .all(decoding: Name.self)
        var counts: [String: Int] = [:]
        struct Count: Decodable { let n: Int }
        for name in names.map(\.name) where name != "_fluent_migrations" {
            counts[name] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first(decoding: Count.self)?.n ?? 0
        }
        return counts
    }

    static func recordHead(on sql: any SQLDatabase) async throws -> String? {
        struct Head: Decodable { let entry_hash: String? }
        return try await sql.raw("SELECT entry_hash FROM audit_entries WHERE sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1").first(decoding: Head.self)?.entry_hash
    }

    /// Takes a backup into a new directory under `directory`; `progress` counts the files copied.
    func backup(into directory: String, progress: @Sendable (Int, Int) -> Void) async throws -> (path: String, manifest: BackupManifest) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let target = directory + "/trustmark-backup-" + formatter.string(from: clock.now())
        let files = FileManager.default
        guard !files.fileExists(atPath: target) else { throw BackupError("\(target) exists already") }
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        let kind: String, tables: [String: Int], head: String?
        switch storage.location {
        case .sqlite:
            kind = "sqlite"
            let copy = target + "/database.sqlite"
            try await storage.sql.raw("VACUUM INTO \(bind: copy)").run()
            // The counts of the copy itself: writes after the snapshot are not in it.
            (tables, head) = try await Self.with(.sqlite(path: copy), logger: logger) { sql in
                (try await Self.counts(on: sql), try await Self.recordHead(on: sql))
            }
        case .postgres(let location):
            kind = "postgres"
            // pg_dump reads one snapshot; the counts are read just before it (equal when the server is idle).
            tables = try await Self.counts(on: storage.sql)
            head = try await Self.recordHead(on: storage.sql)
            var arguments = ["--format=custom", "--no-owner", "--file", target + "/database.pgdump"] + Self.connection(location)
            if let schema = location.schema { arguments += ["--schema", schema] }
            try Self.runTool("pg_dump", arguments, password: location.password)
        case .sqliteInMemory:
            throw BackupError("an in-memory database cannot be backed up")
        }
        let copied = try Self.copyTree(from: attachments, to: target + "/attachments", progress: progress)
        let manifest = BackupManifest(version: TrustmarkVersion.current, createdAt: clock.now(), database: kind, tables: tables, recordHead: head, files: copied)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: target + "/" + Self.manifestName))
        return (target, manifest)
    }

    /// Opens a database apart from the running application, for `body`, and closes it again.
    static func with<T: Sendable>(_ location: DatabaseLocation, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let storage = try Storage(location: location, logger: logger)
        do {
            let result = try await body(storage.sql)
            await storage.shutdown()
            return result
        } catch {
            await storage.shutdown()
            throw error
        }
    }

    static func connection(_ location: DatabaseLocation.PostgresLocation) -> [String] {
        ["--host", location.host, "--port", "\(location.port)", "--username", location.username, "--dbname", location.database]
    }

    /// Runs pg_dump or pg_restore from PATH or Debian's PostgreSQL directories; a failure names its output.
    static func runTool(_ name: String, _ arguments: [String], password: String?) throws {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BackupError("\(name) was not found; install PostgreSQL's client tools")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BackupError("\(name) failed: \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Copies every file below `source` (none is fine) into `target`; the number copied.
    static func copyTree(from source: String, to target: String, progress: @Sendable (Int, Int) -> Void) throws -> Int {
        let files = FileManager.default
        guard files.fileExists(atPath: source) else { return 0 }
        let paths = (files.subpaths(atPath: source) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return files.fileExists(atPath: source + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        for (index, path) in paths.enumerated() {
            let destination = target + "/" + path
            try files.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if files.fileExists(atPath: destination) { try files.removeItem(atPath: destination) }
            try files.copyItem(atPath: source + "/" + path, toPath: destination)
            progress(index + 1, paths.count)
        }
        return paths.count
    }
}

public struct BackupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Putting a backup back: the database first (before a server opens it), then the attachments,
/// then a comparison with the manifest. The record's chain is verified by the caller once the
/// application is built on the restored database.
public enum Restore {
    public static func manifest(at path: String) throws -> BackupManifest {
        guard let data = FileManager.default.contents(atPath: path + "/" + Backups.manifestName) else {
            throw BackupError("\(path) has no \(Backups.manifestName): not a backup, or an unfinished one")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(BackupManifest.self, from: data)
    }

    /// Replaces the configured database with the backup's. A database that already has users is
    /// not overwritten unless `force`, so a restore cannot wipe a running register by mistake.
    public static func restoreDatabase(from path: String, manifest: BackupManifest, config: AppConfig, force: Bool, logger: Logger) async throws {
        if !force, try await hasUsers(config.database, logger: logger) {
            throw BackupError("the database already holds users; stop the server and use --force to replace it")
        }
        switch (config.database, manifest.database) {
        case (.sqlite(let target), "sqlite"):
            let files = FileManager.default
            try files.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: target + suffix) { try files.removeItem(atPath: target + suffix) }
            try files.copyItem(atPath: path + "/database.sqlite", toPath: target)
        case (.postgres(let location), "postgres"):
            try Backups.runTool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--exit-on-error"] + Backups.connection(location) + [path + "/database.pgdump"],
                                password: location.password)
        default:
            throw BackupError("this backup is of a \(manifest.database) database; DATABASE_URL names a \(config.database.kind) one")
        }
    }

    /// Copies the attachments back and compares every table's rows and the record's last hash with
    /// the manifest; the differences, none when the restore is whole.
    public static func check(from path: String, manifest: BackupManifest, config: AppConfig, logger: Logger,
                             progress: @Sendable (Int, Int) -> Void) async throws -> [String] {
        _ = try Backups.copyTree(from: path + "/attachments", to: config.dataDirectory + "/attachments", progress: progress)
        let (counts, head) = try await Backups.with(config.database, logger: logger) { sql in
            (try await Backups.counts(on: sql), try await Backups.recordHead(on: sql))
        }
        var problems: [String] = []
        for (table, rows) in manifest.tables.sorted(by: { $0.key < $1.key }) where counts[table] != rows {
            problems.append("\(table): \(counts[table].map(String.init) ?? "missing") rows, the backup has \(rows)")
        }
        if head != manifest.recordHead { problems.append("the record ends at \(head ?? "nothing"), the backup at \(manifest.recordHead ?? "nothing")") }
        return problems
    }

    static func hasUsers(_ location: DatabaseLocation, logger: Logger) async throws -> Bool {
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) { return false }
        struct Count: Decodable { let n: Int }
        return try await Backups.with(location, logger: logger) { sql in
            // No users table yet: an empty database.
            ((try? await sql.raw("SELECT COUNT(*) AS n FROM users").first(decoding: Count.self))??.n ?? 0) > 0
        }
    }
}
