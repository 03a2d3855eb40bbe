import ArgumentParser
import Foundation
import Logging
import TrustmarkServer

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database (consistently, while the server runs) and the complaint attachments into a new directory under DIR.",
        discussion: "SQLite is copied with VACUUM INTO, PostgreSQL with pg_dump. manifest.json, written last, lists the rows per table; `trustmark restore` checks against it.")

    @OptionGroup var options: CommonOptions
    @Argument(help: "Where the backup's directory is made.") var directory: String
    @Flag(help: "Print no progress bar.") var quiet = false

    func run() async throws {
        let config = try options.loadConfig()
        let app = try await build(config)
        let result: (path: String, manifest: BackupManifest)
        do {
            let quiet = quiet
            result = try await app.backup(into: directory) { done, total in if !quiet { progressBar(done, total, unit: "attachments") } }
        } catch {
            await app.storage.shutdown()
            stderr("\ntrustmark: the backup failed: \(error)")
            throw ExitCode(1)
        }
        await app.storage.shutdown()
        if !quiet, result.manifest.files > 0 { stderr("") }
        let rows = result.manifest.tables.values.reduce(0, +)
        say("Backed up \(rows) rows in \(result.manifest.tables.count) tables and \(result.manifest.files) attachments to \(result.path)")
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back into the configured database (stop the server first), then check it against the backup's manifest and the record's chain.",
        discussion: "Exit 0 when every table has the backup's rows and the record verifies, 1 when something differs, 2 when the backup could not be restored.")

    @OptionGroup var options: CommonOptions
    @Argument(help: "The backup's directory (trustmark-backup-...).") var backup: String
    @Flag(help: "Replace a database that already holds users.") var force = false

    func run() async throws {
        let config = try options.loadConfig()
        let logger = Logger(label: "trustmark")
        let problems: [String]
        do {
            let manifest = try Restore.manifest(at: backup)
            try await Restore.restoreDatabase(from: backup, manifest: manifest, config: config, force: force, logger: logger)
            problems = try await Restore.check(from: backup, manifest: manifest, config: config, logger: logger) { done, total in progressBar(done, total, unit: "attachments") }
        } catch {
            stderr("trustmark: the restore failed: \(error)")
            throw ExitCode(2)
        }
        guard problems.isEmpty else {
            stderr("The restored database differs from the backup:\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
            throw ExitCode(1)
        }
        let app = try await build(config)
        let record = try await app.verifyRecord()
        await app.storage.shutdown()
        if let problem = record.problem {
            stderr("Restored, but the record is broken at \(problem).")
            throw ExitCode(1)
        }
        say("Restored \(backup): every table as in the backup, the record intact (\(record.checked) entries).")
    }
}
