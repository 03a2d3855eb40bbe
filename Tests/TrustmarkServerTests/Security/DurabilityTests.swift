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
