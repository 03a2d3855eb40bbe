import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The sanction pages as people use them: staff decide from the form and confirm on the sanction's
/// page; the member reads its tasks in the portal, sends evidence and objects there.
@Suite("Sanction pages")
struct SanctionPagesTests {
    @Test func staffDecideOnTheFormAndTheMemberAnswersInThePortal() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (_, _, shop, _, _) = try await SanctionDecisionTests.member(app, client)
            let staff = Browser(client, acceptLanguage: "nl")
            try await staff.login("admin@trustmark.test")
            let form = try await staff.get("/staff/sanctions/new?shop=\(shop)")
            #expect(form.status == .ok && form.body.contains("Sanctie besluiten · Fietsen"))
            let tooLong = try await staff.post("/staff/sanctions", ["shop": shop, "kind": "suspension", "until": "2027-06-01", "reason": "Te lang"])
            #expect(tooLong.status == .unprocessableContent && tooLong.body.contains("uiterlijk 2027-04-03"), "the form again, with the maximum")
            #expect(tooLong.body.contains("Te lang"), "what was typed is kept")
            let unknown = try await staff.post("/staff/sanctions", ["shop": "onbekend.test", "kind": "warning", "reason": "x"])
            #expect(unknown.status == .unprocessableContent && unknown.body.contains("Deze webwinkel bestaat niet"), "\(unknown.body.prefix(200))")
            // Staff may name the shop by one of its domains, as people know it.
            let decided = try await staff.post("/staff/sanctions", ["shop": "www.Fietsen.test", "kind": "improvement_period", "until": "", "reason": "Geen retourbeleid",
                                                                   "tasks": "Retourbeleid publiceren\nHerroepingsrecht van 14 dagen noemen"])
            #expect(decided.status == .seeOther, "\(decided.body)")
            let detail = try await staff.get(try #require(decided.location))
            #expect(detail.body.contains("Verbetertermijn · Fietsen") && detail.body.contains("Herroepingsrecht van 14 dagen noemen"))
            // The dossier link on the page opens in the staff member's own session.
            let link = try #require(detail.body.components(separatedBy: "href=\"").dropFirst().map { $0.prefix { $0 != "\"" } }.first { $0.hasSuffix("dossier.pdf") })
            let dossier = try await staff.get(String(link))
            #expect(dossier.status == .ok && dossier.headers[.contentType] == "application/pdf")

            let member = Browser(client, acceptLanguage: "nl")
            try await member.login("eva@fietsen.test")
            let portal = try await member.get("/portal/sanctions")
            #expect(portal.body.contains("Retourbeleid publiceren") && portal.body.contains("Bezwaar kan tot en met 18 januari 2027"))
            let id = try #require(try await Sanction.query(on: app.storage.db).first()?.id?.uuidString)
            let empty = try await member.post("/portal/sanctions/\(id)/evidence", ["text": ""])
            #expect(empty.status == .unprocessableContent && empty.body.contains("error-summary"))
            #expect(try await member.post("/portal/sanctions/\(id)/evidence", ["text": "Zie https://fietsen.test/retour"]).status == .seeOther)
            #expect(try await member.post("/portal/sanctions/\(id)/appeal", ["text": "Het beleid stond er al"]).status == .seeOther)
            let after = try await member.get("/portal/sanctions")
            #expect(after.body.contains("https://fietsen.test/retour") && after.body.contains("Het beleid stond er al"))
            #expect(!after.body.contains("/portal/sanctions/\(id)/appeal"), "one objection only")

            // The objection waits on the staff page; the one who decided is refused on the page itself.
            #expect(try await staff.get("/staff/sanctions?state=appeals").body.contains("Het beleid stond er al"))
            let own = try await staff.post("/staff/sanctions/\(id)/appeal-decision", ["decision": "rejected", "reason": "Niet gevonden"])
            #expect(own.status == .forbidden && own.body.contains("niet degene die"), "\(own.body.prefix(300))")
            #expect(try await member.get("/staff/sanctions").status == .forbidden)
        }
    }
}
