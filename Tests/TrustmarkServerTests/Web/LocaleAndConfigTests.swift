import Configuration
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Languages")
struct LocaleTests {
    @Test func everyLanguageHasEveryTextAndEveryTemplateKeyExists() throws {
        let localizer = try Localizer(directory: TestApp.checkout + "/Resources/Locales")
        let dutch = Set(localizer.table(.nl).keys)
        for locale in AppLocale.allCases {
            #expect(Set(localizer.table(locale).keys) == dutch, "\(locale) differs from nl")
            for (key, value) in localizer.table(locale) { #expect(!value.isEmpty, "\(locale).\(key) is empty") }
        }
        let templates = FileManager.default.enumerator(atPath: TestApp.checkout + "/Resources/Templates")!
        var used = Set<String>()
        for case let file as String in templates where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: TestApp.checkout + "/Resources/Templates/" + file, encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.range(of: "t.") {
                let before = rest[..<range.lowerBound].last
                rest = rest[range.upperBound...]
                guard before == "{" || before == "#" || before == "^" || before == "/" else { continue }
                used.insert(String(rest.prefix { $0.isLetter || $0 == "_" }))
            }
        }
        #expect(!used.isEmpty)
        #expect(used.subtracting(dutch).sorted() == [], "template keys without text")
    }

    @Test func theLanguageFollowsTheSwitchThenAcceptLanguage() async throws {
        try await TestApp.with { _, client in
            let german = Browser(client, acceptLanguage: "fr-FR, de;q=0.8, en;q=0.5")
            #expect(try await german.get("/").body.contains("<html lang=\"de\">"))
            let switched = try await german.get("/language/en?return=/login")
            #expect(switched.location == "/login")
            let page = try await german.get("/login")
            #expect(page.body.contains("<html lang=\"en\">"))
            #expect(page.body.contains("Forgot your password?"))
            #expect(try await Browser(client).get("/").body.contains("<html lang=\"nl\">"), "Dutch when nothing is said")
            #expect(try await german.get("/language/xx").status == .notFound)
            #expect(try await german.get("/language/de?return=https://evil.example").location == "/")
        }
    }

    @Test func aSignedInUsersLanguageChoiceIsRemembered() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .member)
            let browser = Browser(client)
            try await browser.login("anna@trustmark.test")
            _ = try await browser.get("/language/de?return=/portal")
            let fresh = Browser(client)
            try await fresh.login("anna@trustmark.test")
            #expect(try await fresh.get("/portal").body.contains("<html lang=\"de\">"))
        }
    }
}

@Suite("Configuration")
struct ConfigTests {
    func load(_ env: [String: String]) throws -> AppConfig {
        var all = ["TRUSTMARK_RESOURCES": TestApp.checkout]
        for (key, value) in env { all[key] = value }
        return try AppConfig.load(from: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: all)), workingDirectory: "/srv/app")
    }

    func failure(_ env: [String: String]) -> ConfigError? {
        do {
            _ = try load(env)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func theDatabaseURLChoosesTheDriver() throws {
        #expect(try load([:]).database == .sqlite(path: "/srv/app/data/trustmark.sqlite"))
        #expect(try load(["DATABASE_URL": "sqlite:///var/lib/tm.sqlite"]).database == .sqlite(path: "/var/lib/tm.sqlite"))
        #expect(try load(["DATABASE_URL": "sqlite://db/tm.sqlite"]).database == .sqlite(path: "/srv/app/db/tm.sqlite"))
        guard case .postgres(let pg) = try load(["DATABASE_URL": "postgres://tm:s%40cret@db.local:5433/trustmark"]).database else {
            Issue.record("expected postgres")
            return
        }
        #expect(pg.host == "db.local")
        #expect(pg.port == 5433)
        #expect(pg.password == "s@cret")
        #expect(pg.database == "trustmark")
        #expect(!DatabaseLocation.postgres(pg).redacted.contains("cret"), "secrets are never printed")
    }

    @Test func aWrongSettingStopsStartUpWithOneLineNamingIt() {
        #expect(failure(["DATABASE_URL": "mysql://root@localhost/db"])?.description == "DATABASE_URL: unknown database kind 'mysql'; use sqlite:// or postgres://")
        #expect(failure(["DATABASE_URL": "trustmark.sqlite"])?.setting == "DATABASE_URL")
        #expect(failure(["DATABASE_URL": "postgres://user@host"])?.message.contains("names no database") == true)
        #expect(failure(["DATABASE_URL": "sqlite://"])?.setting == "DATABASE_URL")
        #expect(failure(["TRUSTMARK_PORT": "80a"])?.setting == "--port / TRUSTMARK_PORT")
        #expect(failure(["TRUSTMARK_PORT": "70000"])?.setting == "--port / TRUSTMARK_PORT")
        #expect(failure(["TRUSTMARK_SCHEME": "/nowhere/scheme.yaml"])?.description == "--scheme / TRUSTMARK_SCHEME: cannot read scheme file /nowhere/scheme.yaml")
        #expect(failure(["TRUSTMARK_ENV": "staging"])?.setting == "TRUSTMARK_ENV")
        #expect(failure(["TRUSTMARK_ENV": "production", "TRUSTMARK_CLOCK": "fixed:2026-12-24T10:00:00Z"])?.setting == "TRUSTMARK_CLOCK")
        #expect(failure(["TRUSTMARK_CLOCK": "fixed:tomorrow"])?.setting == "TRUSTMARK_CLOCK")
        #expect(failure(["TRUSTMARK_BASE_URL": "ftp://x"])?.setting == "TRUSTMARK_BASE_URL")
        #expect(failure(["TRUSTMARK_RESOURCES": "/tmp"])?.setting == "TRUSTMARK_RESOURCES")
        #expect(failure(["TRUSTMARK_PAGE_CACHE_MB": "lots"])?.description == "TRUSTMARK_PAGE_CACHE_MB: 'lots' is not a number of megabytes from 0 to 65536")
        #expect((try? load(["TRUSTMARK_PAGE_CACHE_MB": "64"]))?.pageCacheBytes == 64 << 20)
    }

    @Test func anUnreachableDatabaseStopsStartUp() async throws {
        var config = try TestApp.config()
        config.database = .postgres(.init(host: "127.0.0.1", port: 1, username: "x", password: "secret-word", database: "x", requireTLS: false))
        do {
            _ = try await buildApplication(config: config)
            Issue.record("start-up should fail")
        } catch let error as ConfigError {
            #expect(error.setting == "DATABASE_URL")
            #expect(error.message.hasPrefix("cannot reach the database at postgres://x@127.0.0.1:1/x"))
            #expect(!error.description.contains("secret-word"))
        }
    }
}
