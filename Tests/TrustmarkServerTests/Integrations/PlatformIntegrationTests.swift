import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Integrations")
struct PlatformIntegrationTests {
    /// A key made by the signed-in member: its secret from the one answer that shows it.
    static func key(_ member: APIClient, name: String, scopes: [String]) async throws -> (id: String, client: APIClient) {
        let made = try await member.call(.post, "/api/v1/api-keys", json: ["name": name, "scopes": scopes])
        #expect(made.status == .created, "\(made.body)")
        let secret = try #require(made.json["key"] as? String)
        #expect(secret.hasPrefix("tmk_"))
        return (try #require(made.json["id"] as? String), APIClient(client: member.client, token: secret))
    }

    @Test func aWebshopPlatformInvitesByKeyAndReceivesASignedWebhookForEveryPublishedReview() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            try await TestApp.with { app, client in
                // setup
                let journey = Journey(app: app, client: client)
                let (slug, _, member) = try await journey.activeMember()
                try await journey.moveTo("2027-01-04")
                let hook = try await member.call(.post, "/api/v1/webhooks", json: ["url": "http://127.0.0.1:\(port)/hook", "events": ["review.published"]])
                #expect(hook.status == .created, "\(hook.body)")
                let secret = try #require(hook.json["secret"] as? String)
                let platform = try await Self.key(member, name: "WooCommerce", scopes: ["invitations", "reviews:read"]).client

                // MUT: the platform sends an invitation after each of 100 orders; the buyers rate.
                for order in 1...100 {
                    let sent = try await platform.call(.post, "/api/v1/invitations", json: ["email": "koper-\(order)@example.org", "name": "Koper \(order)",
                                                                                            "orderReference": "WC-\(order)", "delayDays": 0])
                    #expect(sent.status == .created, "order \(order): \(sent.body)")
                }
                _ = try await app.jobs.runDue()
                let api = APIClient(client: client)
                for order in 1...100 {
                    let token = try await ReviewTests.token(journey, "koper-\(order)@example.org")
                    let rated = try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 1 + order % 5, "delivery": 5],
                                                                                    "overall": 1 + order % 5])
                    #expect(rated.status == .created, "\(rated.body)")
                }
                _ = try await app.jobs.runDue()

                // validation: one signed delivery per published review, each verifiable with the endpoint's secret.
                let published = try await Review.query(on: app.storage.db).filter(\.$state == Review.State.published.rawValue).all()
                #expect(published.count == 100)
                let got = receiver.deliveries
                #expect(got.count == published.count)
                var reviewIDs = Set<String>()
                for delivery in got {
                    try WebhookSignature.verify(header: delivery.signature, body: delivery.body, secret: secret, now: app.clock.now())
                    #expect(delivery.event == "review.published")
                    let envelope = try #require(try JSONSerialization.jsonObject(with: delivery.body) as? [String: Any])
                    #expect(envelope["type"] as? String == "review.published")
                    reviewIDs.insert(try #require((envelope["data"] as? [String: Any])?["id"] as? String))
                }
                #expect(reviewIDs == Set(published.compactMap { $0.id?.uuidString }))
                // A tampered body or another secret fails the check a receiver makes.
                let first = try #require(got.first)
                #expect(throws: WebhookSignature.Failure.badSignature) {
                    try WebhookSignature.verify(header: first.signature, body: first.body + Data(" ".utf8), secret: secret, now: app.clock.now())
                }
                #expect(throws: WebhookSignature.Failure.tooOld) {
                    try WebhookSignature.verify(header: first.signature, body: first.body, secret: secret, now: app.clock.now().addingTimeInterval(3600))
                }
                // The platform reads its reviews back with the key; the deliveries are listed with the receiver's answer.
                let mine = try await platform.call(.get, "/api/v1/reviews?size=100")
                #expect(mine.json["total"] as? Int == 100)
                #expect((mine.json["items"] as? [[String: Any]])?.allSatisfy { $0["shop"] as? String == slug } == true)
                let hookID = try #require(hook.json["id"] as? String)
                let listed = try await member.call(.get, "/api/v1/webhooks/\(hookID)/deliveries?size=100")
                let rows = try #require(listed.json["items"] as? [[String: Any]])
                #expect(rows.count == 100)
                #expect(rows.allSatisfy { $0["state"] as? String == "delivered" && $0["lastStatus"] as? Int == 200 && $0["lastResponse"] as? String == "thanks" })
                // A replay sends the same event again, with the same event id.
                let firstRow = try #require(rows.first?["id"] as? String)
                let replay = try await member.call(.post, "/api/v1/webhook-deliveries/\(firstRow)/replay")
                #expect(replay.status == .created)
                _ = try await app.jobs.runDue()
                #expect(receiver.deliveries.count == 101)
                let last = try #require(receiver.deliveries.last)
                let again = try #require(try JSONSerialization.jsonObject(with: last.body) as? [String: Any])
                #expect(again["id"] as? String == rows.first?["eventId"] as? String)
            }
        }
    }

    @Test func keysAreScopedToTheirShopAndOperationsAndStopWhenRevoked() async throws {
        try await TestApp.with(extra: ["TRUSTMARK_API_KEY_RATE": "5"]) { app, client in
            let journey = Journey(app: app, client: client)
            let (_, _, member) = try await journey.activeMember()
            let (keyID, invitations) = try await Self.key(member, name: "Shopify", scopes: ["invitations"])

            // A key for invitations cannot read complaints (403, naming the scope), nor make keys or webhooks.
            let complaints = try await invitations.call(.get, "/api/v1/complaints", language: "nl")
            #expect(complaints.status == .forbidden)
            #expect(complaints.error["code"] as? String == "api_key_scope")
            #expect((complaints.error["message"] as? String)?.contains("complaints:read") == true)
            #expect(try await invitations.call(.post, "/api/v1/api-keys", json: ["name": "x", "scopes": ["invitations"]]).status == .forbidden)
            #expect(try await invitations.call(.get, "/api/v1/webhooks").status == .forbidden)
            // Public operations work with a key too.
            #expect(try await invitations.call(.get, "/api/v1/scheme").status == .ok)

            // The list shows the key without its secret, and when it was last used.
            let listed = try await member.call(.get, "/api/v1/api-keys")
            let row = try #require((listed.json["items"] as? [[String: Any]])?.first)
            #expect(row["key"] == nil || row["key"] is NSNull)
            #expect(row["lastUsedAt"] as? String != nil)
            let stored = try #require(try await APIKey.query(on: app.storage.db).first())
            #expect(!stored.keyDigest.isEmpty && stored.keyDigest.count == 64, "only a digest is kept")

            // Beyond the rate: 429 with Retry-After, in the caller's language.
            var limited: APIClient.Reply?
            for _ in 0..<8 {
                let reply = try await invitations.call(.get, "/api/v1/scheme", language: "de")
                if reply.status == .tooManyRequests { limited = reply; break }
            }
            let refused = try #require(limited)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect((refused.error["message"] as? String)?.contains("Sekunden") == true)

            // Revoked: 401 at once; a second revocation is a conflict; a made-up key is 401 too.
            #expect(try await member.call(.post, "/api/v1/api-keys/\(keyID)/revocation").status == .ok)
            #expect(try await invitations.call(.post, "/api/v1/invitations", json: ["email": "a@example.org", "name": "A", "orderReference": "1"]).status == .unauthorized)
            #expect(try await member.call(.post, "/api/v1/api-keys/\(keyID)/revocation").status == .conflict)
            #expect(try await APIClient(client: client, token: "tmk_" + SecretToken.generate()).call(.get, "/api/v1/scheme").status == .unauthorized)

            // The seal kit as JSON: the embed code for the shop's domain, and (once the term began) the certificate.
            try await journey.moveTo("2027-01-04")
            let shopID = try #require(try await Shop.query(on: app.storage.db).first()?.requireID())
            let kit = try await member.call(.get, "/api/v1/seal-kit/\(shopID)")
            let embed = try #require((kit.json["embeds"] as? [[String: Any]])?.first)
            #expect(embed["domain"] as? String == "fietsen.test")
            #expect((embed["html"] as? String)?.contains("<img src=") == true && (embed["html"] as? String)?.contains("<script") == false)
            let certificate = try await member.call(.get, "/api/v1/seal-kit/\(shopID)/certificate.pdf")
            #expect(certificate.status == .ok && certificate.data.starts(with: Data("%PDF".utf8)))
            #expect(try await member.call(.get, "/api/v1/seal-kit/\(UUID())").status == .notFound)

            // Bad requests for a key are refused field by field.
            let bad = try await member.call(.post, "/api/v1/api-keys", json: ["name": "", "scopes": ["everything"]], language: "en")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.error["field"] as? String == "name")
            let wrongShop = try await member.call(.post, "/api/v1/api-keys", json: ["name": "x", "shop": "elders.test", "scopes": ["invitations"]])
            #expect(wrongShop.error["field"] as? String == "shop")
        }
    }

    @Test func aPlatformReadsAndAnswersItsShopsComplaintsWithAKey() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (_, _, member) = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            let id = try await ComplaintFlow(journey: journey).fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")
            let reader = try await Self.key(member, name: "Helpdesk (read)", scopes: ["complaints:read"]).client
            let answerer = try await Self.key(member, name: "Helpdesk", scopes: ["complaints:read", "complaints:answer"]).client
            let listed = try await reader.call(.get, "/api/v1/complaints")
            #expect((listed.json["items"] as? [[String: Any]])?.first?["id"] as? String == id)
            let refused = try await reader.call(.post, "/api/v1/complaints/\(id)/answer", json: ["body": "Wij sturen een nieuwe fiets."])
            #expect(refused.status == .forbidden && refused.error["code"] as? String == "api_key_scope")
            let answered = try await answerer.call(.post, "/api/v1/complaints/\(id)/answer", json: ["body": "Wij sturen een nieuwe fiets.", "proposal": true])
            #expect(answered.status == .ok, "\(answered.body)")
            #expect(answered.json["state"] as? String == "answered")
            // A key of another shop of the same organisation does not see it.
            let eva = try await journey.api("eva@fietsen.test").call(.get, "/api/v1/me")
            var otherShop = Identity(userID: try #require(UUID(uuidString: eva.json["id"] as? String ?? "")), email: "eva@fietsen.test", displayName: "key",
                                     role: .member, organisationID: UUID(uuidString: eva.json["organisationId"] as? String ?? ""), proof: .apiKey, credentialDigest: "")
            otherShop.apiKey = APIKeyGrant(keyID: UUID(), shopID: UUID(), scopes: [.complaintsRead])
            await #expect(throws: AppError.self) { _ = try await app.complaints.load(id, for: .member(otherShop), on: app.storage.db) }
            let none = try await app.complaints.list(for: .member(otherShop), state: nil, queue: nil, paging: Paging(page: 1, size: 10), locale: .nl)
            #expect(none.total == 0)
        }
    }

    @Test func anEndpointThatFailsIsRetriedThenMarkedFailingAndItsOwnerTold() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            try await TestApp.with(scheme: "keuronline", extra: ["TRUSTMARK_WEBHOOK_TIMEOUT": "1"]) { app, client in
                let journey = Journey(app: app, client: client)
                let (_, _, member) = try await journey.activeMember()
                // Plain HTTP is refused where HTTPS is required (production), an address without a host always.
                #expect(WebhooksService.problem(with: "http://shop.example/hook", requireHTTPS: true) == "webhook_url_https")
                #expect(WebhooksService.problem(with: "https://shop.example/hook", requireHTTPS: true) == nil)
                // ... and the server's own network is no receiver there.
                for inside in ["https://127.0.0.1/x", "https://10.1.2.3/x", "https://172.20.0.1/x", "https://192.168.1.1/x", "https://169.254.169.254/latest",
                               "https://localhost/x", "https://[::1]/x", "https://[fd00::1]/x"] {
                    #expect(WebhooksService.problem(with: inside, requireHTTPS: true) == "webhook_url_private", "\(inside)")
                }
                #expect(WebhooksService.problem(with: "https://172.32.0.1/x", requireHTTPS: true) == nil)
                let noHost = try await member.call(.post, "/api/v1/webhooks", json: ["url": "https:///hook", "events": ["invoice.issued"]])
                #expect(noHost.error["field"] as? String == "url")
                let noEvents = try await member.call(.post, "/api/v1/webhooks", json: ["url": "https://shop.example/hook", "events": ["everything"]])
                #expect(noEvents.error["field"] as? String == "events")

                var hooks: [String: String] = [:]
                for path in ["fail", "slow"] {
                    let made = try await member.call(.post, "/api/v1/webhooks", json: ["url": "http://127.0.0.1:\(port)/\(path)", "events": ["complaint.received"]])
                    hooks[path] = try #require(made.json["id"] as? String)
                }
                // MUT: a consumer's complaint reaches the shop; both endpoints are tried until the queue gives up.
                let api = APIClient(client: client)
                try await journey.moveTo("2027-01-06")
                _ = try await ComplaintFlow(journey: journey).fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")
                for _ in 0..<WebhookSignature.maxAttempts {
                    _ = try await app.jobs.runDue()
                    #expect(try await api.call(.post, "/api/v1/dev/clock", json: ["advance": "PT2H"]).status == .ok)
                }
                _ = try await app.jobs.runDue()

                // validation
                for (path, id) in hooks {
                    let endpoint = try await member.call(.get, "/api/v1/webhooks")
                    let row = try #require((endpoint.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == id })
                    #expect(row["state"] as? String == "failing", "\(path)")
                    let deliveries = try await member.call(.get, "/api/v1/webhooks/\(id)/deliveries")
                    let delivery = try #require((deliveries.json["items"] as? [[String: Any]])?.first)
                    #expect(delivery["state"] as? String == "failed")
                    #expect(delivery["attempts"] as? Int == WebhookSignature.maxAttempts)
                    #expect(delivery["lastError"] as? String == (path == "fail" ? "HTTP 500" : "timeout"))
                    if path == "fail" { #expect(delivery["lastResponse"] as? String == "database down") }
                }
                let told = try await journey.mails(to: "eva@fietsen.test", kind: "webhook_failing")
                #expect(told.count == 2)
                #expect(told.first?.body.contains("127.0.0.1:\(port)") == true)
                // Switched on again, the endpoint starts afresh.
                let failing = try #require(hooks["fail"])
                let again = try await member.call(.post, "/api/v1/webhooks/\(failing)/state", json: ["active": true])
                #expect(again.json["state"] as? String == "active" && again.json["failures"] as? Int == 0)
            }
        }
    }
}

@Suite("Integration pages")
struct IntegrationPageTests {
    @Test func aShopOwnerMakesAKeyAndAnEndpointInThePortal() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            let owner = Browser(client)
            _ = try await owner.login("eva@fietsen.test")
            let empty = try await owner.get("/portal/integrations")
            #expect(empty.status == .ok)
            #expect(empty.body.contains("name=\"scopes\"") && empty.body.contains("value=\"complaints:read\""))

            // No scope chosen: the form says so and keeps the name.
            let refused = try await owner.post("/portal/integrations/keys", ["name": "Lightspeed"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("value=\"Lightspeed\""))
            #expect(try await APIKey.query(on: app.storage.db).count() == 0)

            let made = try await owner.post("/portal/integrations/keys", ["name": "Lightspeed", "scopes": "complaints:read"])
            #expect(made.status == .ok)
            let key = try #require(made.body.components(separatedBy: "<code class=\"secret\">").dropFirst().first?.prefix { $0 != "<" })
            #expect(key.hasPrefix("tmk_"))
            // Shown once: the list afterwards names the key by its first characters only.
            let later = try await owner.get("/portal/integrations")
            #expect(!later.body.contains(String(key)))
            #expect(later.body.contains(APIKeyFormat.hint(String(key))))
            #expect(try await APIClient(client: client, token: String(key)).call(.get, "/api/v1/complaints").status == .ok)

            let hook = try await owner.post("/portal/integrations/webhooks", ["url": "https://winkel.example/trustmark", "events": "invoice.issued"])
            #expect(hook.status == .seeOther)
            let listed = try await owner.get("/portal/integrations")
            #expect(listed.body.contains("https://winkel.example/trustmark"))
            let endpoint = try #require(try await WebhookEndpoint.query(on: app.storage.db).first())
            let detail = try await owner.get("/portal/integrations/webhooks/\(try endpoint.requireID())")
            #expect(detail.body.contains(endpoint.secret))
            // Another member's endpoint is not found.
            #expect(try await owner.get("/portal/integrations/webhooks/\(UUID())").status == .notFound)
        }
    }
}
