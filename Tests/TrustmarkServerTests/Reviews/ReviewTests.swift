import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Reviews")
struct ReviewTests {
    static func token(_ journey: Journey, _ email: String) async throws -> String {
        let mail = try #require(try await journey.mails(to: email, kind: "review.invitation").last)
        return String(try #require(mail.body.components(separatedBy: "/reviews/rate/").last?.prefix { !$0.isWhitespace }))
    }

    @Test func invitedBuyersRateOnceAndBadInputIsRefusedClearly() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, member) = try await journey.activeMember()
            try await journey.moveTo("2027-01-04")
            let invited = try await member.call(.post, "/api/v1/invitations", json: ["email": "koper@example.org", "name": "Karin Koper", "orderReference": "B-77", "delayDays": 2])
            #expect(invited.status == .created, "\(invited.body)")
            #expect(try await journey.mails(to: "koper@example.org", kind: "review.invitation").isEmpty, "not before the delay")
            #expect(try await member.call(.post, "/api/v1/invitations", json: ["email": "koper@example.org", "name": "K", "orderReference": "B-77"]).status == .conflict)
            try await journey.moveTo("2027-01-06")
            let token = try await Self.token(journey, "koper@example.org")
            let api = APIClient(client: client)

            let forged = try await api.call(.post, "/api/v1/reviews", json: ["invitation": "forged-link", "scores": ["service": 5, "delivery": 5], "overall": 5])
            #expect(forged.status == .notFound)
            #expect(forged.error["code"] as? String == "review_link_unknown")
            let range = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 6, "delivery": 5], "overall": 5])
            #expect(range.status == .unprocessableContent)
            #expect(range.error["field"] as? String == "scores.service")
            #expect((range.error["message"] as? String)?.contains("1") == true && (range.error["message"] as? String)?.contains("5") == true)
            let noOverall = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 4, "delivery": 5]])
            #expect(noOverall.error["field"] as? String == "overall")
            let huge = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 4, "delivery": 5], "overall": 4,
                                                                           "text": String(repeating: "a", count: 1_048_576)])
            #expect(huge.status == .contentTooLarge)
            #expect((huge.error["message"] as? String)?.isEmpty == false)
            let long = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 4, "delivery": 5], "overall": 4,
                                                                           "text": String(repeating: "a", count: 5001)])
            #expect(long.error["field"] as? String == "text")
            #expect((long.error["message"] as? String)?.contains("5000") == true)

            let rated = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 4, "delivery": 5], "overall": 4,
                                                                            "text": "Snel geleverd, <b>netjes</b> verpakt."])
            #expect(rated.status == .created, "\(rated.body)")
            #expect(rated.json["state"] as? String == "published")
            let reused = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 1, "delivery": 1], "overall": 1])
            #expect(reused.status == .conflict)
            #expect(reused.error["code"] as? String == "review_link_used")

            let list = try await api.call(.get, "/api/v1/shops/\(slug)/reviews", language: "en")
            #expect(list.json["count"] as? Int == 1)
            #expect(list.json["average"] as? String == "4.0")
            let first = try #require((list.json["items"] as? [[String: Any]])?.first)
            #expect(first["originText"] as? String == "Invited buyer")
            let criteria = try #require(list.json["criteria"] as? [[String: Any]])
            #expect(criteria.first { $0["id"] as? String == "delivery" }?["average"] as? String == "5.0")
            // Typed HTML is shown as text on the reviews page.
            let page = try await Browser(client).get("/shops/\(slug)/reviews")
            #expect(page.body.contains("&lt;b&gt;netjes&lt;/b&gt;"))
            // Each review links to its own report form, which shows the review and posts to the flag route.
            let listedID = try #require(first["id"] as? String)
            #expect(page.body.contains("/shops/\(slug)/reviews/\(listedID)/flag\""))
            let form = try await Browser(client).get("/shops/\(slug)/reviews/\(listedID)/flag")
            #expect(form.status == .ok)
            #expect(form.body.contains("action=\"/shops/\(slug)/reviews/\(listedID)/flag\""))
            #expect(form.body.contains("name=\"reason\"") && form.body.contains("value=\"unlawful\""))
            #expect(form.body.contains("&lt;b&gt;netjes&lt;/b&gt;"), "the review being reported is shown, as text")
            #expect(try await Browser(client).get("/shops/\(slug)/reviews/\(UUID().uuidString)/flag").status == .notFound)
            #expect(try await Browser(client).get("/shops/someone-else/reviews/\(listedID)/flag").status == .notFound, "only under its own shop")

            // Without an invitation: confirmed by mail, labelled so; a shop that is not a member is refused.
            let other = try await journey.apply(name: "Nieuw BV", email: "nieuw@nieuw.test", domains: ["nieuw.test"])
            _ = other
            let notMember = try await api.call(.post, "/api/v1/reviews", json: ["shop": "nieuw.test", "name": "Piet", "email": "piet@example.org",
                                                                                "scores": ["service": 3, "delivery": 3], "overall": 3])
            #expect(notMember.status == .unprocessableContent)
            #expect(notMember.error["code"] as? String == "review_not_member")
            let uninvited = try await api.call(.post, "/api/v1/reviews", json: ["shop": "fietsen.test", "name": "Piet", "email": "piet@example.org",
                                                                                "scores": ["service": 2, "delivery": 3], "overall": 2])
            #expect(uninvited.status == .accepted, "\(uninvited.body)")
            #expect(try await api.call(.get, "/api/v1/shops/\(slug)/reviews").json["count"] as? Int == 1, "not counted before confirmation")
            let confirmMail = try #require(try await journey.mails(to: "piet@example.org", kind: "review.confirm").first)
            let confirmToken = String(try #require(confirmMail.body.components(separatedBy: "/reviews/confirm/").last?.prefix { !$0.isWhitespace }))
            #expect(try await api.call(.post, "/api/v1/reviews/confirmations", json: ["token": confirmToken]).status == .ok)
            #expect(try await api.call(.post, "/api/v1/reviews/confirmations", json: ["token": confirmToken]).status == .conflict)
            let both = try await api.call(.get, "/api/v1/shops/\(slug)/reviews")
            #expect(both.json["count"] as? Int == 2)
            #expect(((both.json["items"] as? [[String: Any]])?.first?["origin"] as? String) == "confirmed_email")

            // The shop replies once, publicly; never twice.
            let reviewID = try #require((both.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await member.call(.post, "/api/v1/reviews/\(reviewID)/reply", json: ["reply": "Jammer, wij nemen contact op."]).status == .ok)
            #expect(try await member.call(.post, "/api/v1/reviews/\(reviewID)/reply", json: ["reply": "Nog eens"]).status == .conflict)
            #expect(try await other.member.call(.post, "/api/v1/reviews/\(reviewID)/reply", json: ["reply": "Niet van mij"]).status == .notFound)
        }
    }

    @Test func aCSVWithBrokenRowsImportsTheGoodOnesAndNamesEachBadLine() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (_, _, member) = try await journey.activeMember()
            try await journey.moveTo("2027-01-04")
            let csv = """
                email,name,order_reference,order_date,language,delay_days
                anna@example.org,Anna,A-1,2027-01-02,nl,0
                geen-adres,Bert,A-2,,nl,0
                carla@example.org,Carla
                dirk@example.org,Dirk,A-4,,en,400
                "eva@example.org","Eva, de Vries",A-5,,de,3
                """
            let reply = try await member.call(.post, "/api/v1/invitations/import", raw: csv, headers: ["Content-Type": "text/csv"])
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply.json["imported"] as? Int == 2)
            let problems = try #require(reply.json["problems"] as? [[String: Any]])
            #expect(problems.compactMap { $0["line"] as? Int } == [3, 4, 5])
            #expect((problems[0]["message"] as? String)?.hasPrefix("email:") == true)
            #expect((problems[2]["message"] as? String)?.contains("90") == true)
            let names = try await ReviewInvitation.query(on: app.storage.db).all().map(\.name).sorted()
            #expect(names == ["Anna", "Eva, de Vries"])
            // Sent at once for delay 0, after three days for Eva.
            try await journey.moveTo("2027-01-05")
            #expect(try await journey.mails(to: "anna@example.org", kind: "review.invitation").count == 1)
            #expect(try await journey.mails(to: "eva@example.org", kind: "review.invitation").isEmpty)
        }
    }

    @Test func tiersFollowTheSchemesThresholdsAtTheirEdgesAndTheWindowMoves() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-04")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            func publish(_ overall: Int) async throws { _ = try await Self.published(app, shop: shop, overall: overall) }
            func tier() async throws -> String? { try await ShopStats.find(shop.id, on: app.storage.db)?.tier }
            // Bronze needs 10 ratings averaging 3.5: nine at 4 are not enough ...
            for _ in 0..<9 { try await publish(4) }
            #expect(try await tier() == nil)
            // ... a tenth at 1 makes 37/10 = 3.7: bronze.
            try await publish(1)
            #expect(try await tier() == "bronze")
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "review.tier").count == 1)
            // Exactly on the edge: 20 ratings summing to 70 average 3.5, still bronze; one more 3 falls below.
            for score in [3, 3, 3, 3, 3, 3, 3, 4, 4, 4] { try await publish(score) }
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratingSum12m == 7000)
            #expect(try await tier() == "bronze", "3.5 is enough for bronze")
            try await publish(3)  // 21 ratings, 7300 -> 3.48
            #expect(try await tier() == nil, "below 3.5")
            let record = try await AuditEntry.query(on: app.storage.db).filter(\.$action == "review.tier_changed").count()
            // Bronze at 10, lost at 15 (3.47), back at 20 (3.5), lost at 21: each change recorded.
            #expect(record == 4)
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "review.tier").count == 4)
            // A year later the window has moved past every review: no ratings, no tier.
            try await journey.moveTo("2028-01-06")
            let stats = try #require(try await ShopStats.find(shop.id, on: app.storage.db))
            #expect(stats.ratings12m == 0)
            #expect(stats.tier == nil)
        }
    }

    @Test func theMemberInvitesInThePortalAndTheBuyerRatesInTheBrowser() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-04")
            let owner = Browser(client)
            try await owner.login("eva@fietsen.test", password: Journey.password)
            #expect(try await owner.get("/portal").body.contains("/portal/reviews"))
            let portal = try await owner.get("/portal/reviews")
            #expect(portal.status == .ok)
            let bad = try await owner.post("/portal/reviews/invitations", ["email": "geen-adres", "name": "Karin", "orderReference": "B-9", "language": "nl", "delayDays": "0"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("geen-adres"), "what was typed is kept")
            let made = try await owner.post("/portal/reviews/invitations", ["email": "karin@example.org", "name": "Karin", "orderReference": "B-9", "language": "nl", "delayDays": "0"])
            #expect(made.status == .ok)
            #expect(made.body.contains("karin@example.org"))
            let csv = try await owner.postMultipart("/portal/reviews/import", [:], files: [("file", "kopers.csv", "text/csv", Array("lars@example.org,Lars,B-10\nkapot\n".utf8))])
            #expect(csv.body.contains("Regel 2"), "the bad line is named")
            try await journey.moveTo("2027-01-05")
            let token = try await Self.token(journey, "karin@example.org")

            let buyer = Browser(client)
            let form = try await buyer.get("/reviews/rate/\(token)")
            #expect(form.status == .ok)
            #expect(form.body.contains("Levering"))
            #expect(!form.body.contains("name=\"email\""), "an invited buyer is known already")
            let wrong = try await buyer.post("/reviews/rate/\(token)", ["score_service": "9", "score_delivery": "4", "overall": "4"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.body.contains("1 tot 5"))
            let done = try await buyer.post("/reviews/rate/\(token)", ["score_service": "5", "score_delivery": "4", "overall": "5", "text": "Prima <script>x</script>"])
            #expect(done.status == .created)
            #expect(try await buyer.get("/reviews/rate/\(token)").status == .conflict, "the link works once")
            let list = try await Browser(client).get("/shops/\(slug)/reviews")
            #expect(list.body.contains("Uitgenodigde koper"))
            #expect(list.body.contains("&lt;script&gt;"))
            let verification = try await Browser(client).get("/shops/\(slug)")
            #expect(verification.body.contains("/shops/\(slug)/reviews"))

            let id = try #require(try await Review.query(on: app.storage.db).first()?.id)
            try await owner.login("eva@fietsen.test", password: Journey.password)  // a day passed: the session ran out
            #expect(try await owner.post("/portal/reviews/\(id.uuidString)/reply", ["reply": "Dank u wel!"]).status == .seeOther)
            #expect(try await Browser(client).get("/shops/\(slug)/reviews").body.contains("Dank u wel!"))
            // The barometer and the widget are plain SVG images anyone may embed.
            let chart = try await Browser(client).get("/shops/\(slug)/barometer.svg?lang=en")
            #expect(chart.headers[.contentType]?.hasPrefix("image/svg+xml") == true)
            #expect(chart.body.contains("<rect"), "a bar for the month with a rating")
            #expect(chart.body.contains("Jan 27: 5.0 (1)"))
            #expect(!chart.body.contains("<script"))
            let widget = try await Browser(client).get("/reviews/widget/\(slug).svg")
            #expect(widget.body.contains("5.0 / 5"))
            #expect(widget.body.contains("1 beoordeling<"), "one review, in the singular")
            #expect(try await owner.get("/portal/reviews").body.contains("/reviews/widget/\(slug).svg"), "the embed code in the portal")
        }
    }

    @Test func theDisclosureFollowsTheSchemeAndAFaultReportReachesTheShop() async throws {
        let original = try String(contentsOfFile: TestApp.checkout + "/Schemes/default.yaml", encoding: .utf8)
        let lobUndTadel = original.replacingOccurrences(of: "  praise_and_fault_form: false", with: "  praise_and_fault_form: true")
        #expect(lobUndTadel != original)
        let path = NSTemporaryDirectory() + "default-lob-tadel-\(UUID().uuidString).yaml"
        try lobUndTadel.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestApp.with(scheme: path) { app, client in
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            let disclosure = try await Browser(client).get("/reviews/how-we-verify")
            #expect(disclosure.status == .ok)
            #expect(disclosure.body.contains("12 maanden"), "the scheme's window")
            #expect(disclosure.body.contains("Zilver vanaf 25 beoordelingen met gemiddeld ten minste 4.0"), "the scheme's tiers")
            #expect(disclosure.body.contains("7 dagen"), "the scheme's confirmation time")
            #expect(disclosure.body.contains("hoogstens 5 beoordelingen per maand"), "the scheme's flag cap")
            #expect(disclosure.body.contains("1 jaar"), "the scheme's retention of removed reviews")
            #expect(disclosure.body.contains("2. vermelding en keurmerk 1 week geschorst"), "the scheme's fraud ladder")
            try await journey.moveTo("2027-01-04")
            let member = try await journey.api("eva@fietsen.test")
            #expect(try await member.call(.post, "/api/v1/invitations", json: ["email": "klager@example.org", "name": "Kees", "orderReference": "B-5"]).status == .created)
            try await journey.moveTo("2027-01-05")
            let token = try await Self.token(journey, "klager@example.org")
            let fault = try await APIClient(client: client).call(.post, "/api/v1/reviews", json: ["invitation": token, "kind": "fault", "overall": 2,
                                                                                                  "scores": ["service": 2, "delivery": 3],
                                                                                                  "text": "De klantenservice belt nooit terug."])
            #expect(fault.status == .created, "\(fault.body)")
            let mail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "review.fault").first)
            #expect(mail.body.contains("De klantenservice belt nooit terug."))
        }
    }

    /// A review as it arrives, before the service publishes it.
    static func arriving(_ app: TrustmarkApp, shop: Shop, overall: Int, author: String = "Koper", email: String = "koper@example.org",
                         address: String? = nil, text: String? = nil, origin: ReviewOrigin = .invited) throws -> Review {
        let review = Review()
        review.id = UUID()
        review.$shop.id = try shop.requireID()
        review.origin = origin.rawValue
        review.kind = ReviewKind.review.rawValue
        review.authorName = author
        review.authorEmail = email
        review.locale = "nl"
        review.overall = overall
        review.scores = ReviewsService.encode(["service": overall, "delivery": overall])
        review.text = text
        review.clientAddress = address
        review.state = Review.State.published.rawValue
        review.createdAt = app.clock.now()
        return review
    }

    /// A published review written straight through the service (the figures are what is tested).
    static func published(_ app: TrustmarkApp, shop: Shop, overall: Int, author: String = "Koper") async throws -> UUID {
        let rules = try #require(app.scheme.scheme.reviews)
        let review = try arriving(app, shop: shop, overall: overall, author: author)
        try await app.storage.db.transaction { db in
            try await review.create(on: db)
            try await app.reviews.publish(review, rules: rules, on: db)
        }
        return try review.requireID()
    }

    @Test func flagsAreCappedForTheShopAndModerationKeepsOrRemovesWithAReason() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, member) = try await journey.activeMember()
            try await app.makeUser("mediator@trustmark.test", role: .mediator)
            let mediator = try await journey.api("mediator@trustmark.test")
            try await journey.moveTo("2027-01-04")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            var ids: [UUID] = []
            for index in 0..<7 { ids.append(try await Self.published(app, shop: shop, overall: index < 6 ? 1 : 5, author: "Koper \(index)")) }
            let api = APIClient(client: client)
            // The shop's own flags: the scheme allows 5 a month.
            for id in ids.prefix(5) {
                let flagged = try await member.call(.post, "/api/v1/reviews/\(id)/flags", json: ["reason": "fake", "note": "Geen klant van ons"])
                #expect(flagged.status == .created, "\(flagged.body)")
                #expect(flagged.json["state"] as? String == "published", "a flagged review stays visible while checked")
            }
            let capped = try await member.call(.post, "/api/v1/reviews/\(ids[5])/flags", json: ["reason": "fake"])
            #expect(capped.status == .tooManyRequests)
            #expect(capped.error["code"] as? String == "flag_cap_reached")
            #expect((capped.error["message"] as? String)?.contains("1 februari 2027") == true, "\(capped.body)")
            // Anyone else may still report, and 'unlawful' hides the review at once.
            let unlawful = try await api.call(.post, "/api/v1/reviews/\(ids[5])/flags", json: ["reason": "unlawful", "note": "Noemt mijn adres"])
            #expect(unlawful.json["state"] as? String == "held")
            #expect(try await api.call(.post, "/api/v1/reviews/\(ids[6])/flags", json: ["reason": "nonsense"]).status == .unprocessableContent)
            let listed = try await api.call(.get, "/api/v1/shops/\(slug)/reviews")
            #expect(listed.json["total"] as? Int == 6, "the held review is not shown")

            let queue = try await mediator.call(.get, "/api/v1/reviews/moderation")
            #expect(queue.json["total"] as? Int == 6)
            let noReason = try await mediator.call(.post, "/api/v1/reviews/\(ids[0])/moderation", json: ["decision": "remove"])
            #expect(noReason.error["field"] as? String == "reason")
            #expect(try await mediator.call(.post, "/api/v1/reviews/\(ids[0])/moderation", json: ["decision": "remove", "reason": "fake"]).json["state"] as? String == "removed")
            #expect(try await mediator.call(.post, "/api/v1/reviews/\(ids[1])/moderation", json: ["decision": "keep"]).json["state"] as? String == "published")
            #expect(try await mediator.call(.post, "/api/v1/reviews/\(ids[5])/moderation", json: ["decision": "keep", "note": "Geen adres te zien"]).json["state"] as? String == "published")
            let after = try await api.call(.get, "/api/v1/shops/\(slug)/reviews")
            #expect(after.json["count"] as? Int == 6, "the removed review no longer counts")
            #expect(after.json["total"] as? Int == 6)
            let page = try await Browser(client).get("/shops/\(slug)/reviews")
            let flags = try await ReviewFlag.query(on: app.storage.db).all().map { "\($0.by)/\($0.outcome ?? "-")" }
            #expect(page.body.contains("1 van 2"), "the shop's upheld flags are public: \(flags)")
            #expect(try await member.call(.get, "/api/v1/reviews/moderation").status == .forbidden)

            // Removed reviews are kept for the scheme's retention (1 year), then deleted.
            try await journey.moveTo("2027-12-20")
            #expect(try await Review.find(ids[0], on: app.storage.db) != nil)
            try await journey.moveTo("2028-01-06")
            #expect(try await Review.find(ids[0], on: app.storage.db) == nil)
            #expect(try await Review.find(ids[1], on: app.storage.db) != nil)
        }
    }

    @Test func suspiciousReviewsWaitForModerationWithTheirReasons() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await app.makeUser("mediator@trustmark.test", role: .mediator)
            let mediator = try await journey.api("mediator@trustmark.test")
            try await journey.moveTo("2027-01-04")
            let rules = try #require(app.scheme.scheme.reviews)
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            func arrive(_ email: String, address: String, text: String) async throws -> Review {
                let review = try Self.arriving(app, shop: shop, overall: 5, email: email, address: address, text: text, origin: .confirmedEmail)
                try await app.storage.db.transaction { db in
                    try await review.create(on: db)
                    try await app.reviews.publishUnlessSuspicious(review, rules: rules, on: db)
                }
                return review
            }
            // The shop's own contact reviews itself: held, not counted.
            let own = try await arrive("eva@fietsen.test", address: "192.0.2.1", text: "Geweldige winkel")
            #expect(own.state == "held")
            #expect(own.fraudScore == 100, "on the shop's own domain and its own contact: 80 + 80, capped")
            #expect(own.fraudSignals?.contains("shop_domain") == true && own.fraudSignals?.contains("shop_staff") == true)
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m ?? 0 == 0)
            // Honest reviews from different places go online.
            _ = try await arrive("a@example.org", address: "198.51.100.1", text: "Snel geleverd en netjes verpakt, de fiets rijdt prima")
            _ = try await arrive("b@example.org", address: "198.51.100.2", text: "Klantenservice reageerde snel op mijn vraag over de maat")
            // The same network address again and again, with a copied text: held, with both reasons.
            _ = try await arrive("c@example.org", address: "203.0.113.9", text: "Beste fietsenwinkel van Nederland zonder twijfel echt waar")
            _ = try await arrive("d@example.org", address: "203.0.113.9", text: "Alles was perfect geregeld, heel tevreden over de aankoop")
            let copied = try await arrive("e@example.org", address: "203.0.113.9", text: "Beste fietsenwinkel van Nederland zonder twijfel echt waar!")
            #expect(copied.state == "held")
            #expect(copied.fraudScore == 100, "same address, a copy, and six reviews in a day for a shop that has four a year")
            let queue = try await mediator.call(.get, "/api/v1/reviews/moderation", language: "en")
            let held = try #require((queue.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == copied.id?.uuidString })
            let reasons = (held["signals"] as? [String]) ?? []
            #expect(reasons.contains { $0.contains("same network address") })
            #expect(reasons.contains { $0.contains("100% like another review") })
            #expect(reasons.contains { $0.contains("6 reviews in 24 hours") }, "\(reasons)")
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 4)
            // Kept after a look: it goes online and counts.
            #expect(try await mediator.call(.post, "/api/v1/reviews/\(try copied.requireID())/moderation", json: ["decision": "keep"]).json["state"] as? String == "published")
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 5)
            // Consumers report an incentive campaign: the next reviews carry that signal.
            _ = try await APIClient(client: client).call(.post, "/api/v1/reviews/\(try copied.requireID())/flags", json: ["reason": "incentive"])
            let after = try await arrive("f@example.org", address: "198.51.100.7", text: "Kreeg tien euro korting voor deze beoordeling maar goed")
            #expect(after.state == "published")
            #expect(after.fraudSignals?.contains("incentive") == true)
        }
    }
}
