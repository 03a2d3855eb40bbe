import Foundation
import SQLKit
import Testing
@testable import TrustmarkServer

@Suite("Durability")
struct DurabilityTests {
    /// SQLite's own settings; PostgreSQL keeps commits through a crash by its design (fsync, WAL).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]?.isEmpty ?? true))
    func aFileDatabaseRunsInWALModeWithFullSync() async throws {
        try await TestApp.with(sharedDatabase: true) { app, _ in
            struct Mode: Decodable { let journal_mode: String }
            struct Sync: Decodable { let synchronous: Int }
            let mode = try await app.storage.sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
            let sync = try await app.storage.sql.raw("PRAGMA synchronous").first(decoding: Sync.self)
            #expect(mode?.journal_mode == "wal")
            // 2 is FULL: a committed transaction survives a power cut, not only a crash.
            #expect(sync?.synchronous == 2)
        }
    }
}

@Suite("Backup and restore")
struct BackupTests {
    @Test func aBackupTakenWhileRunningRestoresEveryRowAndAttachment() async throws {
        try await TestApp.with(scheme: "keuronline", sharedDatabase: true) { app, client in
            // setup: a member with its invoices and mails, and one attachment on disk
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            let attachment = app.config.dataDirectory + "/attachments/c1/bon.pdf"
            try FileManager.default.createDirectory(atPath: (attachment as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("%PDF-1.4 receipt".utf8).write(to: URL(fileURLWithPath: attachment))
            let directory = app.config.dataDirectory + "/backups"

            // MUT: back up, then lose the mails and the attachment.
            let backup = try await app.backup(into: directory) { _, _ in }
            #expect(backup.manifest.files == 1)
            #expect(backup.manifest.tables["shops"] == 1 && (backup.manifest.tables["outbox_messages"] ?? 0) > 0)
            #expect(backup.manifest.recordHead != nil)
            try await app.storage.sql.raw("DELETE FROM outbox_messages").run()
            try FileManager.default.removeItem(atPath: attachment)
            // Restored: a new SQLite file, or the same PostgreSQL schema replaced.
            var target = app.config
            if case .sqlite = app.config.database { target.database = .sqlite(path: directory + "/restored.sqlite") }
            try await Restore.restoreDatabase(from: backup.path, manifest: backup.manifest, config: target, force: true, logger: app.application.logger)
            let problems = try await Restore.check(from: backup.path, manifest: backup.manifest, config: target, logger: app.application.logger) { _, _ in }

            // validation: every table as it was, the attachment back, the record intact.
            #expect(problems.isEmpty, "\(problems)")
            #expect(FileManager.default.contents(atPath: attachment) == Data("%PDF-1.4 receipt".utf8))
            let mails = try await Backups.with(target.database, logger: app.application.logger) { sql in try await Backups.counts(on: sql)["outbox_messages"] }
            #expect(mails == backup.manifest.tables["outbox_messages"])
            let restored = try await buildApplication(config: target)
            let record = try await restored.verifyRecord()
            await restored.storage.shutdown()
            #expect(record.problem == nil && record.checked > 0)

            // A backup that does not match is named table by table; a restore over users needs force.
            try await app.storage.sql.raw("DELETE FROM outbox_messages").run()
            let short = try await Restore.check(from: backup.path, manifest: backup.manifest, config: app.config, logger: app.application.logger) { _, _ in }
            #expect(short.contains { $0.hasPrefix("outbox_messages:") })
            await #expect(throws: BackupError.self) {
                try await Restore.restoreDatabase(from: backup.path, manifest: backup.manifest, config: app.config, force: false, logger: app.application.logger)
            }
            #expect(throws: BackupError.self) { _ = try Restore.manifest(at: directory) }
        }
    }
}

@Suite("Errors in production")
struct ProductionErrorTests {
    @Test func aFailureShowsNoStackTraceNorSQL() async throws {
        try await TestApp.with(environment: .production) { app, client in
            // setup: a table the directory reads is gone (as after a botched manual change)
            try await app.storage.sql.raw("ALTER TABLE shops RENAME TO shops_gone").run()
            // MUT: a page and an operation that need it
            let page = try await Browser(client).get("/shops?q=fiets")
            let api = try await APIClient(client: client).call(.get, "/api/v1/shops?q=fiets", language: "en")
            // validation: a plain 500 in the reader's language, nothing of the inside
            #expect(page.status == .internalServerError && api.status == .internalServerError)
            #expect(api.error["code"] as? String == "internal")
            for body in [page.body, api.body] {
                for inside in ["SELECT", "sqlite", "Fluent", "Error(", "Swift/", ".swift:", "Backtrace", "connection"] {
                    #expect(!body.contains(inside), "'\(inside)' shown to the reader")
                }
            }
        }
    }
}
