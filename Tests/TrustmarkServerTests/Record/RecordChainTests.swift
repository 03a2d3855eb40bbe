import FluentKit
import Foundation
import SQLKit
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("The record's hash chain")
struct RecordChainTests {
    /// Some real decisions, so the chain has entries from several flows.
    func makeHistory(_ app: TrustmarkApp) async throws {
        try await app.makeUser("boss@trustmark.test", role: .admin)
        try await app.makeUser("anna@shop.test", role: .member)
        try await app.makeUser("ivo@trustmark.test", role: .inspector)
    }

    @Test func anIntactRecordVerifies() async throws {
        try await TestApp.with { app, client in
            try await makeHistory(app)
            let result = try await app.verifyRecord()
            #expect(result.problem == nil)
            // scheme version + three users
            #expect(result.checked == 4)
            let entries = try await AuditEntry.query(on: app.storage.db).sort(\.$sequence).all()
            #expect(entries.map { $0.sequence ?? 0 } == [1, 2, 3, 4])
            #expect(entries[1].previousHash == entries[0].entryHash)
            let browser = Browser(client)
            try await browser.login("ivo@trustmark.test")
            let page = try await browser.get("/staff/record")
            #expect(page.body.contains("user.created"))
            #expect(page.body.contains("scheme.version_loaded"))
        }
    }

    @Test func anEntryAlteredInTheDatabaseIsNamed() async throws {
        try await TestApp.with { app, _ in
            try await makeHistory(app)
            // Someone edits entry 3 directly in the database.
            try await app.storage.sql.raw("UPDATE audit_entries SET after = '{\"role\":\"admin\"}' WHERE sequence = 3").run()
            let result = try await app.verifyRecord()
            #expect(result.checked == 2)
            #expect(result.problem?.hasPrefix("entry 3 (") == true)
            #expect(result.problem?.hasSuffix("its content was altered after it was written") == true)
        }
    }

    @Test func aDeletedEntryIsNoticed() async throws {
        try await TestApp.with { app, _ in
            try await makeHistory(app)
            try await app.storage.sql.raw("DELETE FROM audit_entries WHERE sequence = 2").run()
            let result = try await app.verifyRecord()
            #expect(result.problem?.hasPrefix("entry 3 (") == true)
            #expect(result.problem?.hasSuffix("entry 2 before it is missing") == true)
        }
    }

    @Test func aRewrittenChainTailStillBreaksAtTheFirstChange() async throws {
        try await TestApp.with { app, _ in
            try await makeHistory(app)
            // The forger also recomputes entry 2's own hash, but cannot fix entry 3's link to it.
            let entry = try #require(try await AuditEntry.query(on: app.storage.db).filter(\.$sequence == 2).first())
            entry.after = "{\"role\":\"admin\"}"
            entry.entryHash = RecordChain.hash(of: entry, previous: entry.previousHash!)
            try await entry.save(on: app.storage.db)
            let result = try await app.verifyRecord()
            #expect(result.problem?.hasPrefix("entry 3 (") == true)
            #expect(result.problem?.contains("does not follow the entry before it") == true)
        }
    }

    @Test func concurrentDecisionsGetDistinctPlaces() async throws {
        try await TestApp.with { app, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await app.makeUser("user\(index)@shop.test", role: .member, organisation: "Org \(index % 3)") }
                }
                try await group.waitForAll()
            }
            let result = try await app.verifyRecord()
            #expect(result.problem == nil)
            #expect(result.checked == 21)
        }
    }
}
