import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Scale generator")
struct ScaleGeneratorTests {
    @Test func theSameSeedGivesTheSameRowsAndThePagesReadThemAsRealMembers() async throws {
        var random = SeededRandom(seed: 7)
        let firstOrganisation = random.uuid()
        try await TestApp.with(scheme: "keuronline") { app, client in
            let report = try await ScaleGenerator(app: app, seed: 7).generate(shops: 1200) { _ in }
            #expect(report.shops == 1200)
            #expect(report.rows == 1200 * 8)
            #expect(try await Organisation.find(firstOrganisation, on: app.storage.db)?.name.hasSuffix("winkel 1 B.V.") == true)
            #expect(try await Shop.query(on: app.storage.db).count() == 1200)

            // Generated members are real members to the application: standing, seal right, invoices.
            let memberships = try await Membership.query(on: app.storage.db).all()
            let standings = try memberships.map { try app.memberships.standing($0).code }
            #expect(Set(standings).isSubset(of: ["active", "scheduled"]))
            #expect(standings.contains("active"))
            let shop = try #require(try await Shop.query(on: app.storage.db).first())
            let membership = try await app.memberships.membership(of: shop.$organisation.id, on: app.storage.db)
            #expect(try await app.memberships.mayShowSeal(shop, membership: membership, on: app.storage.db) == (try app.memberships.standing(try #require(membership)).mayShowSeal))
            let domains = try await ShopDomain.query(on: app.storage.db).all().map(\.domain)
            #expect(Set(domains).count == domains.count, "every domain belongs to one shop")

            // The invoice counter stands where the generated numbers end: the next invoice follows on.
            try await app.makeUser("fin@trustmark.test", role: .finance)
            let api = try await APIClient.signedIn(client, "fin@trustmark.test")
            let list = try await api.call(.get, "/api/v1/invoices?size=1")
            #expect(list.json["total"] as? Int == 1200)
            let next = try await app.storage.db.transaction { db in try await InvoicesService.nextSequence(year: 2026, on: db) }
            #expect(next == 1201)
        }
        try await TestApp.with(scheme: "keuronline") { app, _ in
            _ = try await ScaleGenerator(app: app, seed: 7).generate(shops: 1200) { _ in }
            #expect(try await Organisation.find(firstOrganisation, on: app.storage.db)?.name.hasSuffix("winkel 1 B.V.") == true, "deterministic")
        }
    }

    @Test func generatedComplaintsAddUpToTheFiguresTheApplicationWouldKeep() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let report = try await ScaleGenerator(app: app, seed: 11).generate(shops: 301, complaints: 3001) { _ in }
            #expect(report.complaints == 3001)
            #expect(try await Complaint.query(on: app.storage.db).count() == 3001, "the total is exact")
            #expect(report.rows == 301 * 8 + 3001)
            // Recounted the application's way, every shop's kept figures are the same.
            let service = app.complaints
            let rules = try #require(app.scheme.scheme.complaints)
            let since = service.windowStart(rules.statisticsWindow, now: app.clock.now())
            var counts = Set<Int>()
            for shop in try await Shop.query(on: app.storage.db).all() {
                let id = try shop.requireID()
                let kept = try #require(try await ShopStats.find(id, on: app.storage.db))
                let recounted = try await service.figures(shop: id, since: since, on: app.storage.db)
                #expect(kept.complaints12m == recounted.received)
                #expect(kept.resolved12m == recounted.resolved)
                #expect(kept.unresolved12m == recounted.unresolved)
                #expect(kept.noAnswer12m == recounted.noAnswer)
                #expect(kept.medianFirstAnswerHours == recounted.medianFirstAnswerHours)
                counts.insert(recounted.received)
            }
            #expect(counts.count > 5, "shops differ in how many complaints they have")
            let states = Set(try await Complaint.query(on: app.storage.db).all().map(\.stateRaw))
            #expect(states == ["resolved", "closed", "no_answer"])
            // A shop's page shows its figures; the next real complaint numbers on after the generated ones.
            let shop = try #require(try await Shop.query(on: app.storage.db).sort(\.$name).first())
            let page = try await APIClient(client: client).call(.get, "/api/v1/shops/\(try #require(shop.slug))")
            #expect((page.json["complaints"] as? [String: Any])?["received12Months"] as? Int == (try await ShopStats.find(shop.id, on: app.storage.db))?.complaints12m)
            #expect(try await app.storage.db.transaction { db in try await ComplaintsService.nextReference(year: 2026, on: db) } == 3002)
        }
    }

    @Test func generatedReviewsAddUpToTheFiguresAndTiersTheApplicationWouldKeep() async throws {
        try await TestApp.with { app, client in
            let report = try await ScaleGenerator(app: app, seed: 5).generate(shops: 120, reviews: 12_003) { _ in }
            #expect(report.reviews == 12_003)
            #expect(try await Review.query(on: app.storage.db).count() == 12_003, "the total is exact")
            let rules = try #require(app.scheme.scheme.reviews)
            var tiers = Set<String>()
            for shop in try await Shop.query(on: app.storage.db).all() {
                let id = try shop.requireID()
                let kept = try #require(try await ShopStats.find(id, on: app.storage.db))
                #expect(kept.ratings12m == (try await Review.query(on: app.storage.db).filter(\.$shop.$id == id).count()))
                // Recounted the application's way from the day sums, the figures and the tier stay as they are.
                try await app.storage.db.transaction { db in try await app.reviews.refreshRatings(shop: id, rules: rules, on: db) }
                let recounted = try #require(try await ShopStats.find(id, on: app.storage.db))
                #expect(recounted.ratings12m == kept.ratings12m)
                #expect(recounted.ratingSum12m == kept.ratingSum12m)
                #expect(recounted.ratingCriteria == kept.ratingCriteria)
                #expect(recounted.ratingDistribution == kept.ratingDistribution)
                #expect(recounted.tier == kept.tier)
                tiers.insert(kept.tier ?? "none")
            }
            #expect(tiers.count > 1, "shops reach different tiers")
            // The reviews page and API read them as real reviews, newest first.
            let shop = try #require(try await Shop.query(on: app.storage.db).sort(\.$name).first())
            let listed = try await APIClient(client: client).call(.get, "/api/v1/shops/\(try #require(shop.slug))/reviews?size=5")
            #expect(listed.json["count"] as? Int == (try await ShopStats.find(shop.id, on: app.storage.db))?.ratings12m)
            let dates = ((listed.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["publishedAt"] as? String }
            #expect(dates.count == 5)
            #expect(dates == dates.sorted(by: >))
        }
    }

    @Test func invitationsGoRoundTheShopsAndEachLinkRatesItsShopOnce() async throws {
        try await TestApp.with { app, client in
            let links = LockedLines()
            _ = try await ScaleGenerator(app: app, seed: 3).generate(shops: 10, invitations: 25, tokens: { links.add($0) }) { _ in }
            let lines = links.lines
            #expect(lines.count == 25)
            #expect(Set(lines).count == 25, "every link is its own")
            // Every shop is invited before any is invited twice: the first ten lines name ten shops.
            let slugs = lines.map { String($0.split(separator: " ")[1]) }
            #expect(Set(slugs.prefix(10)).count == 10)
            #expect(Dictionary(grouping: slugs, by: { $0 }).values.map(\.count).sorted() == [2, 2, 2, 2, 2, 3, 3, 3, 3, 3])
            // A generated link rates its shop once, as a buyer's link does.
            let token = String(lines[12].split(separator: " ")[0])
            let body: [String: Any] = ["invitation": token, "overall": 4, "scores": ["service": 4, "delivery": 5]]
            #expect(try await APIClient(client: client).call(.post, "/api/v1/reviews", json: body).status == .created)
            #expect(try await APIClient(client: client).call(.post, "/api/v1/reviews", json: body).status == .conflict)
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slugs[12]).first())
            #expect(try await Review.query(on: app.storage.db).filter(\.$shop.$id == shop.requireID()).count() == 1)
        }
    }
}

/// Lines handed over by the generator, kept for the test to read.
private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    func add(_ lines: [String]) { lock.withLock { kept += lines } }
    var lines: [String] { lock.withLock { kept } }
}
