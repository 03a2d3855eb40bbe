import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// What consumers see when they click a seal or look a shop up, and what members get to show it.
@Suite("Verification page, directory and seal kit")
struct VerificationTests {
    @Test func theVerificationPageStatesTheFactsAndWarnsAboutTheSiteTheVisitorCameFrom() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let browser = Browser(client)
            browser.setCookie("trustmark_lang", "en")
            let page = try await browser.get("/shops/\(slug)")
            #expect(page.status == .ok)
            for fact in ["Fietsen", "12345678", "NL123456782B01", "fietsen.test", "Valid member since 2027", "1 January 2027",
                         "31 December 2027", "Admission audit", "passed", "Last checked on", "No sanctions are in force.", "Complaints (last 12 months)"] {
                #expect(page.body.contains(fact), "the page shows \(fact)")
            }
            #expect(!page.body.contains("role=\"alert\""), "no warning without a Referer")
            let fromOwn = try await SealTests.seal(browser, "/shops/\(slug)", referer: "https://www.fietsen.test/checkout")
            #expect(fromOwn.body.contains("You came from one of this shop"))
            let fromFake = try await SealTests.seal(browser, "/shops/\(slug)", referer: "https://fake-shop.test/")
            #expect(fromFake.body.contains("You came from"))
            #expect(fromFake.body.contains("<strong>fake-shop.test</strong>"))
            #expect(fromFake.body.contains("That is not one of this shop"))
            let malformed = try await SealTests.seal(browser, "/shops/\(slug)", referer: "::::")
            #expect(malformed.status == .ok && !malformed.body.contains("You came from"))

            // Cached for the seal's window, with an ETag that answers 304.
            let etag = try #require(page.headers[.eTag])
            #expect(page.headers[.cacheControl] == "private, max-age=60")
            #expect(try await SealTests.seal(browser, "/shops/\(slug)", etag: etag).status == .notModified)

            let unknown = try await browser.get("/shops/no-such-shop")
            #expect(unknown.status == .notFound)
            #expect(unknown.body.contains("This shop is not in our register"))
        }
    }

    @Test func theSameFactsByDomainAsJSON() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, membershipID, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let anonymous = APIClient(client: client)
            for query in ["fietsen.test", "https://www.fietsen.test/fietsen?kleur=rood", "FIETSEN.TEST.", "shop.fietsen.test"] {
                let reply = try await anonymous.call(.get, "/api/v1/shops?domain=" + query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                #expect(reply.status == .ok, "\(query): \(reply.body)")
                #expect(reply.json["slug"] as? String == slug)
                #expect(reply.json["status"] as? String == "valid")
                #expect(reply.json["statusUntil"] as? String == "2027-12-31")
                #expect(reply.json["kvk"] as? String == "12345678")
                #expect((reply.json["checks"] as? [[String: Any]])?.first?["outcome"] as? String == "passed")
            }
            let bad = try await anonymous.call(.get, "/api/v1/shops?domain=not%20a%20domain", language: "de")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.error["field"] as? String == "domain")
            #expect((bad.error["message"] as? String)?.hasPrefix("'not a domain' ist kein Domainname") == true)
            let unknown = try await anonymous.call(.get, "/api/v1/shops?domain=elsewhere.test", language: "en")
            #expect(unknown.status == .notFound)
            #expect(unknown.error["message"] as? String == "No member shop holds elsewhere.test.")
            #expect(try await anonymous.call(.get, "/api/v1/shops/no-such-shop").status == .notFound)

            // Bankruptcy: revoked at once, with the day, and listed as a sanction.
            let admin = try await journey.api("admin@trustmark.test")
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            let revoked = try await anonymous.call(.get, "/api/v1/shops/\(slug)", language: "en")
            #expect(revoked.json["status"] as? String == "revoked")
            #expect(revoked.json["statusSince"] as? String == "2027-01-01")
            #expect((revoked.json["sanctions"] as? [[String: Any]])?.first?["kind"] as? String == "revoked")
            #expect(try await SealTests.seal(Browser(client), "/seal/\(slug).svg?lang=en").body.contains("Revoked"))
        }
    }

    @Test func theDirectoryFindsMembersByNameDomainVariantTierAndCity() async throws {
        try await TestApp.with(scheme: "default") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            // Ratings kept by the reviews feature: 50 at 4.6 is gold in this scheme.
            let stats = ShopStats()
            stats.id = shop.id
            stats.complaints12m = 4
            stats.resolved12m = 3
            stats.unresolved12m = 1
            stats.noAnswer12m = 0
            stats.medianFirstAnswerHours = 30
            stats.ratings12m = 50
            stats.ratingSum12m = 50 * 460
            stats.tier = app.scheme.scheme.seal.tier(ratings: 50, sum: 50 * 460)?.id
            stats.updatedAt = app.clock.now()
            try await stats.create(on: app.storage.db)
            #expect(stats.tier == "gold")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))

            let anonymous = APIClient(client: client)
            func found(_ query: String) async throws -> [String] {
                let reply = try await anonymous.call(.get, "/api/v1/shops?" + query)
                #expect(reply.status == .ok, "\(reply.body)")
                return (reply.json["items"] as? [[String: Any]])?.compactMap { $0["slug"] as? String } ?? []
            }
            #expect(try await found("q=fiets") == [slug])
            #expect(try await found("q=FIETSEN") == [slug])
            #expect(try await found("q=fietsen.te") == [slug], "by the start of a domain")
            #expect(try await found("q=100%25") == [], "LIKE wildcards are taken literally")
            #expect(try await found("variant=consumer&tier=gold") == [slug])
            #expect(try await found("tier=silver") == [])
            #expect(try await found("variant=b2b") == [])
            #expect(try await found("city=amsterdam").count <= 1)

            let facts = try await anonymous.call(.get, "/api/v1/shops/\(slug)", language: "en")
            #expect(facts.json["tier"] as? String == "gold")
            #expect((facts.json["complaints"] as? [String: Any])?["resolvedPercent"] as? Int == 75)
            #expect((facts.json["ratings"] as? [String: Any])?["average"] as? String == "4.6")
            let seal = try await SealTests.seal(Browser(client), "/seal/\(slug).svg?lang=en")
            #expect(seal.body.contains("#b8860b"), "the gold badge on the seal")

            let browser = Browser(client)
            browser.setCookie("trustmark_lang", "en")
            let page = try await browser.get("/shops?q=fiets")
            #expect(page.body.contains("1 shops found"))
            #expect(page.body.contains("href=\"/shops/\(slug)\""))
            #expect(page.body.contains("Gold"))
            let none = try await browser.get("/shops?q=nothing-like-it")
            #expect(none.body.contains("No member shop found"))
            #expect(none.body.contains("/lists/"), "the warning lists are one click away")
            // What a visitor typed comes back escaped, quotes and all, never as markup.
            let typed = try await browser.get("/shops?q=%3Cscript%3E%22x%27%26")
            #expect(typed.body.contains("value=\"&lt;script&gt;&quot;x&#39;&amp;\""))
            #expect(!typed.body.contains("<script>\"x"))
            #expect(typed.body.hasPrefix("<!doctype html>"), "the layout's content-type line leaves nothing behind")
            let verify = try await browser.get("/shops/\(slug)")
            #expect(verify.body.contains("tier Gold"))
            #expect(verify.body.contains("30 hours"))
            #expect(verify.body.contains("4.6"))
        }
    }

    @Test func theMemberGetsEmbedCodeSightingsCertificateAndFiles() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            let browser = Browser(client)
            _ = try await browser.login("eva@fietsen.test", password: Journey.password)
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            let id = try shop.requireID().uuidString
            // Before the term starts: no certificate, and the page says why.
            #expect(try await browser.get("/portal/seal/\(id)/certificate.pdf").status == .conflict)
            try await journey.moveTo("2027-01-01")
            _ = try await browser.login("eva@fietsen.test", password: Journey.password)
            _ = try await SealTests.seal(browser, "/seal/\(slug).svg", referer: "https://fietsen.test/")
            let kit = try await browser.get("/portal/seal")
            #expect(kit.status == .ok)
            #expect(kit.body.contains("/seal/\(slug).svg?domain=fietsen.test&amp;amp;sig="), "the signed embed, escaped inside the text area")
            #expect(kit.body.contains("&lt;a href=&quot;http://127.0.0.1:8080/shops/\(slug)&quot;"))
            #expect(!kit.body.contains("&lt;script"), "no script in the snippet")
            #expect(kit.body.contains("fietsen.test</strong>"), "seen on its own domain")

            let pdf = try await browser.get("/portal/seal/\(id)/certificate.pdf")
            #expect(pdf.status == .ok)
            #expect(pdf.headers[.contentType] == "application/pdf")
            #expect(pdf.data.starts(with: Data("%PDF".utf8)))
            let svg = try await browser.get("/portal/seal/\(id)/seal.svg")
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.body.contains("/shops/\(slug)</text>"), "the file carries the verification address")
            #expect(svg.body.contains("2027"))
            let png = try await browser.get("/portal/seal/\(id)/seal.png")
            if SealKitService.findRasteriser() != nil {
                #expect(png.status == .ok)
                #expect(png.data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            } else {
                #expect(png.status == .serviceUnavailable)
                #expect(png.body.contains("rsvg-convert"))
            }
            // A server without librsvg says why instead of failing.
            let bare = SealKitService(seals: app.seals, register: PublicRegister(desk: app.seals.desk, memberships: app.memberships, seals: app.seals), rasteriser: nil)
            #expect(throws: AppError.self) { try bare.png(svg.body) }
            #expect(app.describe(AppError(.serviceUnavailable, code: "png_unavailable", messageKey: "seal_png_unavailable")).contains("rsvg-convert"))
            // Another member's shop is not there at all.
            try await app.makeUser("other@shop.test", role: .member, organisation: "Other BV")
            let other = Browser(client)
            _ = try await other.login("other@shop.test")
            #expect(try await other.get("/portal/seal/\(id)/certificate.pdf").status == .notFound)
            #expect(try await other.get("/portal/seal/\(id)/seal.svg").status == .notFound)
        }
    }
}
