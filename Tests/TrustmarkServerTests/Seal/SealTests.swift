import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The live seal: the shop's true status, bound to its domains, cached and invalidated.
@Suite("The seal")
struct SealTests {
    static func seal(_ browser: Browser, _ path: String, referer: String? = nil, etag: String? = nil) async throws -> Browser.Page {
        var headers: [String: String] = [:]
        if let referer { headers["Referer"] = referer }
        if let etag { headers["If-None-Match"] = etag }
        return try await browser.send(.get, path, body: nil, contentType: nil, headers: headers)
    }

    @Test func theSealTellsTheTruthOnItsOwnDomainsOnly() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            let browser = Browser(client)
            // Paid on 24 December; the membership starts on 1 January.
            var page = try await Self.seal(browser, "/seal/\(slug).svg")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("image/svg+xml") == true)
            #expect(page.body.contains("Geen lid"))
            try await journey.moveTo("2027-01-01")
            page = try await Self.seal(browser, "/seal/\(slug).svg?lang=en")
            #expect(page.body.contains("Valid member since 2027"))
            #expect(page.body.contains("Fietsen"))
            #expect(page.body.utf8.count < 4096)
            // On the shop's own pages (any subdomain) it is valid; copied to another site it says so.
            #expect(try await Self.seal(browser, "/seal/\(slug).svg?lang=en", referer: "https://www.fietsen.test/checkout").body.contains("Valid member"))
            #expect(try await Self.seal(browser, "/seal/\(slug).svg?lang=en", referer: "https://winkel.fietsen.test/").body.contains("Valid member"))
            #expect(try await Self.seal(browser, "/seal/\(slug).svg?lang=en", referer: "https://nepfietsen.test/").body.contains("Not valid on this website"),
                    "a domain that merely ends in the shop's domain is another site")
            let copied = try await Self.seal(browser, "/seal/\(slug).svg?lang=en", referer: "https://fake-shop.test/")
            #expect(copied.body.contains("Not valid on this website"))
            #expect(!copied.body.contains("Valid member"))
            let malformed = try await Self.seal(browser, "/seal/\(slug).svg?lang=en", referer: "::not a url::")
            #expect(malformed.body.contains("Valid member"), "a malformed Referer counts as none")
            // Unknown shops get a 'not a member' seal with 200, so a removed shop's copy never looks valid.
            let unknown = try await Self.seal(browser, "/seal/no-such-shop.svg?lang=en")
            #expect(unknown.status == .ok)
            #expect(unknown.body.contains("Not a member"))
            #expect(try await Self.seal(browser, "/seal/\(slug).svg?size=99999").body.contains("width=\"800\""))
            #expect(try await Self.seal(browser, "/seal/\(slug).txt").status == .notFound)
        }
    }

    @Test func etagsAnswer304AndAStatusChangeShowsAtOnce() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, membershipID, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let browser = Browser(client)
            let first = try await Self.seal(browser, "/seal/\(slug).svg")
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "public, max-age=60")
            let again = try await Self.seal(browser, "/seal/\(slug).svg", etag: etag)
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)

            // The member terminates: the next seal (after the cache's version poll) is no longer valid.
            let member = try await journey.api("eva@fietsen.test")
            #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/termination").status == .ok)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            let after = try await Self.seal(browser, "/seal/\(slug).svg", etag: etag)
            #expect(after.status == .ok, "the old ETag no longer matches")
            #expect(after.body.contains("Geen lid"))
        }
    }
}
