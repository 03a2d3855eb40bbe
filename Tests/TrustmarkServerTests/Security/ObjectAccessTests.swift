import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The object-level half of the authorisation matrix: member A tries every route that names an
/// object, with member B's objects (its application, membership, invoice, shop, complaint, review,
/// sanction, letter, API key, webhook and delivery), through the API and the portal. Nothing may
/// answer 2xx or take A anywhere but an error. A new member route that names an object and has no
/// row below fails the test until it is added.
@Suite("Another member's objects")
struct ObjectAccessTests {
    /// Bodies that would be accepted from the object's owner, so a refusal is about ownership, not form.
    nonisolated(unsafe) static let bodies: [String: Any] = [
        "answer": ["body": "Wij lossen het op."], "messages": ["body": "Nog een vraag."], "reply": ["reply": "Dank u."],
        "signature": ["name": "Eva"], "appeal": ["text": "Wij zijn het er niet mee eens."], "evidence": ["text": "Zie de site."],
        "state": ["active": false], "termination": [:] as [String: Any], "registration": ["phone": "+31 30 000 0000"],
        "shops": ["name": "Nog een", "domains": ["nog-een.test"]],
    ]

    @Test func memberACannotReachMemberBsObjects() async throws {
        try await TestApp.with { app, client in
            // setup: two members; B has one of every object
            let journey = Journey(app: app, client: client)
            let (_, membershipA, memberA) = try await journey.activeMember()
            let (_, membershipB, memberB) = try await journey.anotherActiveMember(name: "Boeken BV", email: "bo@boeken.test", domain: "boeken.test")
            _ = membershipA
            let admin = try await journey.api("admin@trustmark.test")
            let db = app.storage.db
            let organisationB = try #require(try await Membership.find(UUID(uuidString: membershipB), on: db)).$organisation.id
            let shopB = try #require(try await Shop.query(on: db).filter(\.$organisation.$id == organisationB).first())
            let hook = try await memberB.call(.post, "/api/v1/webhooks", json: ["url": "https://boeken.test/hook", "events": ["review.published"]])
            let key = try await memberB.call(.post, "/api/v1/api-keys", json: ["name": "Boeken", "scopes": ["invitations"]])
            try await journey.moveTo("2027-01-06")
            let complaint = try await ComplaintFlow(journey: journey).fileAndConfirm(shop: "boeken.test", contacted: "2026-12-31")
            #expect(try await memberB.call(.post, "/api/v1/invitations", json: ["email": "koper@example.org", "name": "K", "orderReference": "1",
                                                                             "delayDays": 0]).status == .created)
            _ = try await app.jobs.runDue()
            let rated = try await APIClient(client: client).call(.post, "/api/v1/reviews", json: ["invitation": try await ReviewTests.token(journey, "koper@example.org"),
                                                                                                 "scores": ["service": 4, "delivery": 4], "overall": 4])
            let sanction = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": try shopB.requireID().uuidString, "kind": "warning",
                                                                                  "reason": "Geen adres op de site"])
            #expect(sanction.status == .created, "\(sanction.body)")
            _ = try await app.jobs.runDue()
            // A letter to B (as a summons would make).
            let letter = LetterRow()
            letter.kind = "test"
            letter.organisationID = organisationB
            letter.recipient = "Boeken BV"
            letter.subject = "Aangetekend"
            letter.locale = "nl"
            letter.registered = true
            letter.pdf = Data("%PDF-1.4".utf8)
            letter.sha256 = String(repeating: "0", count: 64)
            letter.createdAt = app.clock.now()
            try await letter.create(on: db)
            let ids: [String: String] = [
                "applications": try #require(try await MembershipApplication.query(on: db).filter(\.$organisation.$id == organisationB).first()?.requireID().uuidString),
                "memberships": membershipB,
                "invoices": try #require(try await Invoice.query(on: db).filter(\.$organisation.$id == organisationB).first()?.requireID().uuidString),
                "seal": try shopB.requireID().uuidString, "seal-kit": try shopB.requireID().uuidString,
                "complaints": complaint, "reviews": try #require(rated.json["id"] as? String),
                "sanctions": try #require(sanction.json["id"] as? String),
                "letters": try letter.requireID().uuidString,
                "api-keys": try #require(key.json["id"] as? String), "keys": try #require(key.json["id"] as? String),
                "webhooks": try #require(hook.json["id"] as? String),
                "webhook-deliveries": try #require(try await WebhookDelivery.query(on: db).first()?.requireID().uuidString),
                "deliveries": try #require(try await WebhookDelivery.query(on: db).first()?.requireID().uuidString),
            ]
            let browser = Browser(client)
            try await browser.login("eva@fietsen.test", password: Journey.password)

            // MUT: every member route that names an object, with B's object, as A
            let routes = app.routes.specs.filter { spec in
                guard case .roles(let roles) = spec.access, roles.contains(.member), spec.path.contains("{") else { return false }
                return true
            }
            var tried = 0
            for spec in routes {
                let parts = spec.path.split(separator: "/").map(String.init)
                guard let index = parts.firstIndex(where: { $0.hasPrefix("{") }), index > 0 else { continue }
                let kind = parts[index - 1]
                // A rule change is the scheme's, not a member's: each member answers it for itself.
                if kind == "rule-changes" { continue }
                guard let object = ids[kind] else {
                    Issue.record("\(spec.method) \(spec.path): no object of member B for '\(kind)'; add one to the table")
                    continue
                }
                let path = "/" + parts.enumerated().map { offset, part in
                    switch part {
                    case "{id}", "{slug}": return offset == index ? object : UUID().uuidString
                    case "{file}": return UUID().uuidString
                    case "{action}": return "evidence"
                    default: return part
                    }
                }.joined(separator: "/")
                let last = parts.last ?? ""
                let status: Int
                if spec.path.hasPrefix("/api/") {
                    status = Int(try await memberA.call(spec.method, path, json: spec.method == .post ? (Self.bodies[last] ?? [:]) : nil).status.code)
                } else if spec.method == .post {
                    status = Int(try await browser.post(path, (Self.bodies[last] as? [String: String]) ?? ["text": "x", "reply": "x", "body": "x"]).status.code)
                } else {
                    status = Int(try await browser.get(path).status.code)
                }
                tried += 1
                // validation
                #expect(status >= 400 && status != 422 || status == 422 && Self.bodies[last] == nil,
                        "\(spec.method) \(path) answered \(status) for another member's object")
            }
            #expect(tried >= 30, "\(tried) routes tried")
            // B itself reaches them (the ids are right).
            #expect(try await memberB.call(.get, "/api/v1/complaints/\(complaint)").status == .ok)
            #expect(try await memberB.call(.get, "/api/v1/invoices/\(try #require(ids["invoices"]))").status == .ok)
        }
    }

    @Test func aConsumersLinkOpensTheirComplaintOnly() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            let flow = ComplaintFlow(journey: journey)
            let first = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31", email: "een@consument.test")
            let second = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31", email: "twee@consument.test")
            let key = try await flow.consumerKey("een@consument.test")
            let api = APIClient(client: client)
            #expect(try await api.call(.get, "/api/v1/complaints/\(first)/consumer?key=\(key)").status == .ok)
            // The first consumer's key with the second complaint's id: not found, and nothing posted.
            #expect(try await api.call(.get, "/api/v1/complaints/\(second)/consumer?key=\(key)").status == .notFound)
            #expect(try await api.call(.post, "/api/v1/complaints/\(second)/consumer/messages?key=\(key)", json: ["body": "Hallo"]).status == .notFound)
            #expect(try await Browser(client).get("/complaints/\(second)?key=\(key)").status == .notFound)
        }
    }
}
