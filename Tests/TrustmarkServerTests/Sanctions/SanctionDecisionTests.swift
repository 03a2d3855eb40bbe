import FluentKit
import HummingbirdTesting
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Staff decide sanctions through the API: the scheme's maximums, four-eyes, conflicts, and what a
/// sanction in force does to the seal, the public list and the member's mailbox.
@Suite("Sanction decisions")
struct SanctionDecisionTests {
    static func seal(_ client: any TestClientProtocol, _ slug: String) async throws -> String {
        try await APIClient(client: client).call(.get, "/seal/\(slug).svg?lang=en").body
    }

    /// A KeurOnline member whose membership runs (Monday 4 January 2027), two administrators, and the
    /// shop's slug and id.
    static func member(_ app: TrustmarkApp, _ client: any TestClientProtocol) async throws
        -> (journey: Journey, slug: String, shop: String, admin: APIClient, board: APIClient) {
        let journey = Journey(app: app, client: client)
        let (slug, _, _) = try await journey.activeMember()
        try await journey.moveTo("2027-01-04")
        try await app.makeUser("board@trustmark.test", role: .admin)
        let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first()?.id).uuidString
        return (journey, slug, shop, try await journey.api("admin@trustmark.test"), try await journey.api("board@trustmark.test"))
    }

    @Test func aSuspensionWithinTheMaximumTakesTheSealAndListsTheShop() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, _) = try await Self.member(app, client)
            #expect(try await Self.seal(client, slug).contains("Valid member"))

            // Article 26: at most 3 months from the day of the decision, so 3 April is the last day allowed.
            let tooLong = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "until": "2027-04-04",
                                                                                 "reason": "Klachten niet opgelost"], language: "nl")
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.error["field"] as? String == "until")
            #expect((tooLong.error["message"] as? String)?.contains("uiterlijk 2027-04-03") == true, "\(tooLong.body)")

            let decided = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "until": "2027-02-28",
                                                                                 "reason": "Klachten niet opgelost"])
            #expect(decided.status == .created, "\(decided.body)")
            #expect(decided.json["state"] as? String == "in_force")
            #expect(decided.json["article"] as? String == "26")
            #expect(decided.json["deadline"] as? String == "2027-02-28")
            // The seal cache reads the change at its next poll of the version counter (every 2 s).
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await Self.seal(client, slug).contains("Suspended"))
            #expect(try await journey.listed("no-longer-a-member") == ["fietsen.test"], "article 26: a suspension is listed too")
            let warnings = try await APIClient(client: client).call(.get, "/api/v1/warnings").json["items"] as? [[String: Any]]
            #expect(warnings?.map { $0["until"] as? String } == ["2027-02-28"] && warnings?.first?["list"] as? String == "no-longer-a-member")
            let page = try await APIClient(client: client).call(.get, "/lists/no-longer-a-member", language: "nl").body
            #expect(page.contains("Fietsen") && page.contains("tot en met 28 februari 2027"))
            let mail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "sanction").last)
            #expect(mail.subject.contains("Tijdelijke intrekking van het keurmerk"))
            #expect(mail.body.contains("28 februari 2027") && mail.body.contains("artikel 26") && mail.body.contains("Klachten niet opgelost"))
            #expect(mail.body.contains("binnen 14 dagen na dit besluit bezwaar maken bij KeurOnline"), "the scheme's appeal period: \(mail.body)")
            #expect(decided.json["shop"] as? String == "Fietsen")

            let again = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "reason": "Nog steeds"], language: "en")
            #expect(again.status == .conflict)
            #expect(again.error["message"] as? String == "This shop is already suspended.")

            let entries = try await AuditEntry.query(on: app.storage.db).filter(\.$action == "sanction.decided").all()
            #expect(entries.count == 1)
            #expect(entries.first?.after?.contains("Klachten niet opgelost") == true && entries.first?.after?.contains("\"article\":\"26\"") == true)
        }
    }

    @Test func aRevocationTakesEffectOnlyWhenASecondStaffMemberConfirmsIt() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, board) = try await Self.member(app, client)

            let decided = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "revocation", "reason": "Geen verbetering na sommatie"])
            #expect(decided.status == .created, "\(decided.body)")
            #expect(decided.json["state"] as? String == "awaiting_confirmation")
            let id = try #require(decided.json["id"] as? String)
            #expect(try await Self.seal(client, slug).contains("Valid member"), "nothing changes before the confirmation")

            let own = try await admin.call(.post, "/api/v1/sanctions/\(id)/confirmation", language: "de")
            #expect(own.status == .forbidden)
            #expect(own.error["message"] as? String == "Eine zweite Person muss diese Entscheidung bestätigen, nicht die, die sie getroffen hat.")

            let confirmed = try await board.call(.post, "/api/v1/sanctions/\(id)/confirmation")
            #expect(confirmed.status == .ok, "\(confirmed.body)")
            #expect(confirmed.json["state"] as? String == "in_force")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await Self.seal(client, slug).contains("Revoked"))
            #expect(try await journey.listed("no-longer-a-member") == ["fietsen.test"])
            #expect(try await board.call(.post, "/api/v1/sanctions/\(id)/confirmation").status == .conflict, "confirmed once")
            let suspension = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "reason": "x"], language: "nl")
            #expect(suspension.status == .conflict)
            #expect(suspension.error["message"] as? String == "Het keurmerk van deze winkel is al ingetrokken.")
        }
    }

    @Test func aDecisionNotConfirmedIsDismissedWithAReasonAndChangesNothing() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, board) = try await Self.member(app, client)
            let id = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "revocation", "reason": "Te snel"]).json["id"] as? String)
            #expect(try await board.call(.post, "/api/v1/sanctions/\(id)/dismissal", json: ["reason": " "]).status == .unprocessableContent)
            let dismissed = try await board.call(.post, "/api/v1/sanctions/\(id)/dismissal", json: ["reason": "Eerst een verbetertermijn"])
            #expect(dismissed.json["state"] as? String == "dismissed")
            #expect(try await board.call(.post, "/api/v1/sanctions/\(id)/confirmation").status == .conflict)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await Self.seal(client, slug).contains("Valid member"))
            // Now the improvement period the board asked for: up to 1 month, not public.
            let period = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "improvement_period", "reason": "Retourbeleid ontbreekt",
                                                                                "tasks": ["Retourbeleid op de site zetten", "  "]])
            #expect(period.json["deadline"] as? String == "2027-02-04")
            #expect(period.json["tasks"] as? [String] == ["Retourbeleid op de site zetten"])
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
            let list = try await admin.call(.get, "/api/v1/sanctions?state=dismissed")
            #expect((list.json["items"] as? [[String: Any]])?.map { $0["reason"] as? String } == ["Te snel"])
        }
    }

    @Test func badDecisionsAreRefusedClearly() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            let admin = try await journey.api("admin@trustmark.test")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first()?.id).uuidString
            let unknown = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "banishment", "reason": "x"], language: "en")
            #expect(unknown.status == .unprocessableContent)
            #expect((unknown.error["message"] as? String)?.hasPrefix("Choose a kind of sanction: warning, improvement_period") == true)
            let noReason = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "warning", "reason": ""])
            #expect(noReason.status == .unprocessableContent && noReason.error["field"] as? String == "reason")
            let noShop = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": UUID().uuidString, "kind": "warning", "reason": "x"])
            #expect(noShop.status == .unprocessableContent && noShop.error["field"] as? String == "shopId")
            let badDay = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "until": "31-12-2027", "reason": "x"])
            #expect(badDay.status == .unprocessableContent && badDay.error["field"] as? String == "until")
            #expect(try await admin.call(.post, "/api/v1/sanctions/\(UUID().uuidString)/confirmation").status == .notFound)
            #expect(try await Sanction.query(on: app.storage.db).count() == 0, "nothing stored")
        }
    }
}
