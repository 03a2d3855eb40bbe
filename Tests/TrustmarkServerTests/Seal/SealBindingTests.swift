import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Seals bound to domains: signed embeds, misuse cases from foreign sites, and invalidation across
/// two instances on one database.
@Suite("Seal binding and misuse")
struct SealBindingTests {
    @Test func aSignedSealIsValidOnItsOwnDomainOnlyAndCannotBeForged() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let browser = Browser(client)
            let signed = app.seals.signedPath(slug: slug, domain: "fietsen.test") + "&lang=en"
            let own = try await SealTests.seal(browser, signed, referer: "https://fietsen.test/basket")
            #expect(own.body.contains("Valid member since 2027"))
            #expect(own.body.contains("Fietsen · fietsen.test"), "a signed seal names its site")
            let noReferer = try await SealTests.seal(browser, signed)
            #expect(noReferer.body.contains("Valid member") && noReferer.body.contains("fietsen.test"), "without a Referer it still names its site")
            // Copied, with its signature, to another shop's page.
            #expect(try await SealTests.seal(browser, signed, referer: "https://fake-shop.test/").body.contains("Not valid on this website"))
            // A signature made up for the fraudster's own domain, or taken from another shop.
            let forged = "/seal/\(slug).svg?lang=en&domain=fake-shop.test&sig=" + SealSignature(secret: "guess").sign(slug: slug, domain: "fake-shop.test")
            let forgedPage = try await SealTests.seal(browser, forged)
            #expect(forgedPage.body.contains("Not valid on this website"))
            #expect(!forgedPage.body.contains("fake-shop.test"), "a forged domain is never printed on the seal")
            let moved = "/seal/\(slug).svg?lang=en&domain=fake-shop.test&sig=" + SealSignature(secret: "guess").sign(slug: slug, domain: "fietsen.test")
            #expect(try await SealTests.seal(browser, moved).body.contains("Not valid on this website"))
            #expect(try await SealTests.seal(browser, "/seal/\(slug).svg?lang=en&domain=fietsen.test").body.contains("Not valid on this website"),
                    "a domain without a signature")
        }
    }

    @Test func foreignSightingsBecomeMisuseCasesThatStaffDecide() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, member) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let browser = Browser(client)
            for page in ["https://fake-shop.test/", "https://www.fake-shop.test/product?id=1&email=x@y.test", "https://fake-shop.test/cart"] {
                _ = try await SealTests.seal(browser, "/seal/\(slug).svg", referer: page)
            }
            _ = try await SealTests.seal(browser, "/seal/\(slug).svg", referer: "https://fietsen.test/")
            _ = try await SealTests.seal(browser, "/seal/no-such-shop.svg", referer: "https://fake-shop.test/")
            let admin = try await journey.api("admin@trustmark.test")
            let list = try await admin.call(.get, "/api/v1/misuse-cases?state=open")
            #expect(list.status == .ok, "\(list.body)")
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.count == 1, "one case per shop and site; the own domain and unknown shops are no case")
            let item = try #require(items.first)
            #expect(item["host"] as? String == "fake-shop.test")
            #expect(item["count"] as? Int == 3)
            #expect(item["firstPage"] as? String == "https://fake-shop.test/")
            #expect(item["lastPage"] as? String == "https://fake-shop.test/cart")
            #expect(try await SealTests.seal(browser, "/seal/\(slug).svg", referer: "https://fake-shop.test/x").status == .ok)
            let id = try #require(item["id"] as? String)

            #expect(try await member.call(.get, "/api/v1/misuse-cases").status == .forbidden)
            let noReason = try await admin.call(.post, "/api/v1/misuse-cases/\(id)/dismiss", json: ["note": "  "], language: "nl")
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.error["message"] as? String == "Geef een reden op.")
            #expect(try await admin.call(.post, "/api/v1/misuse-cases/\(UUID())/dismiss", json: ["note": "x"]).status == .notFound)
            let dismissed = try await admin.call(.post, "/api/v1/misuse-cases/\(id)/dismiss", json: ["note": "A price comparison site quoting us"])
            #expect(dismissed.status == .ok, "\(dismissed.body)")
            #expect(dismissed.json["state"] as? String == "dismissed")
            #expect(dismissed.json["count"] as? Int == 4, "sightings keep counting while the case is open")
            #expect(try await admin.call(.post, "/api/v1/misuse-cases/\(id)/pursue", json: ["note": "changed my mind"]).status == .conflict)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "misuse.dismissed").count() == 1)

            // The staff page lists it under its state.
            let staff = Browser(client)
            _ = try await staff.login("admin@trustmark.test")
            let page = try await staff.get("/staff/misuse?state=dismissed")
            #expect(page.body.contains("fake-shop.test"))
            #expect(page.body.contains("A price comparison site quoting us"))
        }
    }

    @Test func aStatusChangeOnOneInstanceReachesTheOthersCache() async throws {
        try await TestApp.with(scheme: "keuronline", sharedDatabase: true) { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, membershipID, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let other = try await TestApp.secondInstance(of: app)
            do {
                _ = try other.settableClock.set(app.clock.now())
                let request = SealRequest(slug: slug, locale: .en, width: 200, page: nil, signed: nil)
                #expect(String(decoding: try await other.seals.image(request).body.readableBytesView, as: UTF8.self).contains("Valid member"))
                // Bankruptcy recorded through the first instance: the membership ends at once.
                let admin = try await journey.api("admin@trustmark.test")
                #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
                // Within the poll interval the other instance may still answer from memory (or may have
                // polled already: the interval also runs on the machine's clock); after it, it knows.
                other.settableClock.advance(by: ISO8601Duration(seconds: 3))
                let after = String(decoding: try await other.seals.image(request).body.readableBytesView, as: UTF8.self)
                #expect(after.contains("Revoked"), "after its next poll of the version counter the other instance knows")
            } catch {
                await other.storage.shutdown()
                throw error
            }
            await other.storage.shutdown()
        }
    }
}
