import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Scheme versions and start-up")
struct SchemeVersionTests {
    static func file(_ name: String) throws -> SchemeFile {
        try SchemeFile.load(TestApp.checkout + "/Schemes/\(name).yaml")
    }

    @Test func aChangedFileBecomesANewVersionAndOldOnesStayAsTheyWere() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            // setup: the server stored KeurOnline as version 1 at start-up
            #expect(app.scheme.sequence == 1)
            let original = try Self.file("keuronline")
            let changedText = original.text.replacingOccurrences(of: "version: \"2012-04-20\"", with: "version: \"2027-01-01\"")
            let changed = try SchemeFile.parse(changedText, path: "keuronline.yaml")
            // MUT
            let second = try await SchemeVersions.activate(changed, storage: app.storage, at: app.clock.now())
            let again = try await SchemeVersions.activate(changed, storage: app.storage, at: app.clock.now())
            let back = try await SchemeVersions.activate(original, storage: app.storage, at: app.clock.now())
            // validation
            #expect(second.sequence == 2)
            #expect(again.sequence == 2, "an unchanged file makes no new version")
            #expect(back.sequence == 3, "going back is a new version too; history is never rewritten")
            let versions = try await SchemeVersion.query(on: app.storage.db).sort(\.$sequence).all()
            #expect(versions.map(\.codeVersion) == ["2012-04-20", "2027-01-01", "2012-04-20"])
            #expect(versions[0].content == original.text)
            #expect(versions[0].contentHash == original.contentHash)
            let loads = try await AuditEntry.query(on: app.storage.db).filter(\.$action == "scheme.version_loaded").count()
            #expect(loads == 3)
        }
    }

    @Test func theServerRefusesToStartOnAnInvalidSchemeWithTheCheckersMessages() async throws {
        let path = NSTemporaryDirectory() + "broken-\(UUID().uuidString).yaml"
        let text = try Self.file("keuronline").text.replacingOccurrences(of: "annual_fee: \"60.00\"", with: "annual_fee: \"-60.00\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = try TestApp.config()
        config.schemePath = path
        config.database = .sqliteInMemory
        do {
            _ = try await buildApplication(config: config)
            Issue.record("start-up should be refused")
        } catch let error as SchemeRefused {
            let line = try #require(text.components(separatedBy: "\n").firstIndex { $0.contains("annual_fee") }) + 1
            #expect(error.lines == ["\(path):\(line):15: membership.annual_fee must not be negative (-60.00)"])
        }
    }

    @Test func theCodeOfConductIsShownInTheVisitorsLanguage() async throws {
        try await TestApp.with(scheme: "keuronline") { _, client in
            let dutch = try await Browser(client).get("/code-of-conduct")
            #expect(dutch.status == .ok)
            #expect(dutch.body.contains("versie 2012-04-20"))
            #expect(dutch.body.contains("Klachtenafhandeling over een Webshop of het Keurmerk"))
            #expect(dutch.body.contains("id=\"article-16a\""))
            #expect(dutch.body.contains("<title>Gedragscode · KeurOnline</title>"))
            let english = try await Browser(client, acceptLanguage: "en").get("/code-of-conduct")
            #expect(english.body.contains("Complaints about a webshop or the trustmark"))
            let api = try await APIClient(client: client).call(.get, "/api/v1/code-of-conduct", language: "de")
            #expect(api.json["language"] as? String == "de")
            #expect(api.json["version"] as? String == "2012-04-20")
            let articles = try #require(api.json["articles"] as? [[String: Any]])
            #expect(articles.count == 32)
            #expect(articles[0]["title"] as? String == "Angebot im Webshop")
            let scheme = try await APIClient(client: client).call(.get, "/api/v1/scheme")
            #expect(scheme.json["id"] as? String == "keuronline")
            #expect(scheme.json["version"] as? Int == 1)
        }
    }

    @Test func staffSeeTheSchemesRulesInTheirLanguage() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            try await app.makeUser("ivo@keuronline.test", role: .inspector)
            let inspector = Browser(client)
            try await inspector.login("ivo@keuronline.test")
            let dutch = try await inspector.get("/staff/scheme").body
            #expect(dutch.contains("<dt>Antwoordtermijn winkel</dt><dd>2 werkdagen</dd>"))
            #expect(dutch.contains("<dt>Jaarbijdrage per winkel</dt><dd>€ 60,00 excl. btw / 1 jaar</dd>"))
            #expect(dutch.contains("<dt>Tijdelijke intrekking hoogstens</dt><dd>3 maanden</dd>"))
            #expect(!dutch.contains("Wijziging publiceren"), "only administrators publish")
            _ = try await inspector.get("/language/en?return=/staff/scheme")
            let english = try await inspector.get("/staff/scheme").body
            #expect(english.contains("<dt>Summons deadline</dt><dd>5 working days</dd>"))
            #expect(english.contains("€60.00 excl. VAT / 1 year"))
        }
    }

    @Test func aSchemeInGermanFallsBackToItsOwnLanguage() async throws {
        try await TestApp.with(scheme: "service-siegel") { _, client in
            let page = try await Browser(client, acceptLanguage: "de").get("/code-of-conduct")
            #expect(page.body.contains("Kundenservice vor, während und nach dem Kauf"))
            #expect(page.body.contains("Internet Service-Siegel"))
        }
    }
}
