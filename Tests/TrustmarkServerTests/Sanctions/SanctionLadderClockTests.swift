import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The sanction ladder with the settable clock: the daily run takes each sanction in force whose last
/// day has passed to its next step.
@Suite("Sanctions with the clock")
struct SanctionLadderClockTests {
    @Test func noImprovementLeadsToASummonsAndThenToRevocationAndTheList() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, _, _) = try await SanctionDecisionTests.member(app, client)
            try await journey.moveTo("2027-02-22")
            // API tokens run out while the clock moves on: each step signs in again.
            var admin = try await journey.api("admin@trustmark.test")
            let period = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "improvement_period", "until": "2027-03-18",
                                                                                "reason": "Klachten blijven onbeantwoord", "tasks": ["Alle klachten beantwoorden"]])
            #expect(period.status == .created, "\(period.body)")
            try await journey.moveTo("2027-03-18")
            admin = try await journey.api("admin@trustmark.test")
            #expect(try await admin.call(.get, "/api/v1/sanctions?state=in_force").json["total"] as? Int == 1, "the last day itself still counts")

            // The day after: the summons follows by itself, with 5 working days from Friday 19 March; Good
            // Friday and Easter Monday are not working days here, so the seal must go by Tuesday 30 March
            // (Friday 26 March without them).
            try await journey.moveTo("2027-03-19")
            admin = try await journey.api("admin@trustmark.test")
            let summons = try #require((try await admin.call(.get, "/api/v1/sanctions?state=in_force").json["items"] as? [[String: Any]])?.first)
            #expect(summons["kind"] as? String == "summons")
            #expect(summons["deadline"] as? String == "2027-03-30")
            #expect(summons["article"] as? String == "25")
            #expect((summons["reason"] as? String)?.contains("zonder verbetering") == true)
            let mail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "sanction").last)
            #expect(mail.subject.contains("Sommatie") && mail.body.contains("uiterlijk 30 maart 2027"))
            // Article 25: by mail and by registered letter; staff record the day it is posted.
            let letter = try #require(try await LetterRow.query(on: app.storage.db).filter(\.$kind == "sanction.summons").first())
            #expect(letter.registered && letter.sentOn == nil && letter.locale == "nl")
            let text = try pdfText(letter.pdf)
            #expect(text.contains("Sommatie") && text.contains("30 maart 2027") && text.contains("artikel 25"), "\(text)")
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Valid member"), "a summons alone leaves the seal")

            try await journey.moveTo("2027-03-30")
            admin = try await journey.api("admin@trustmark.test")
            #expect((try await admin.call(.get, "/api/v1/sanctions?state=in_force").json["items"] as? [[String: Any]])?.first?["kind"] as? String == "summons")
            try await journey.moveTo("2027-03-31")
            admin = try await journey.api("admin@trustmark.test")
            let revocation = try #require((try await admin.call(.get, "/api/v1/sanctions?state=in_force").json["items"] as? [[String: Any]])?.first)
            #expect(revocation["kind"] as? String == "revocation")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Revoked"))
            #expect(try await journey.listed("no-longer-a-member") == ["fietsen.test"])
            let steps = try await AuditEntry.query(on: app.storage.db).filter(\.$subjectType == "sanction").sort(\.$sequence).all().map(\.action)
            #expect(steps == ["sanction.decided", "sanction.deadline_passed", "sanction.escalated", "sanction.deadline_passed", "sanction.escalated"])
        }
    }

    @Test func aSuspensionEndsByItselfAndTheShopLeavesTheList() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, _) = try await SanctionDecisionTests.member(app, client)
            // The scheme's full 3 months (article 26) when staff give no last day: 4 January to 3 April.
            let decided = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "reason": "Verbeteringen doorvoeren"])
            #expect(decided.status == .created && decided.json["deadline"] as? String == "2027-04-03", "\(decided.body)")
            try await journey.moveTo("2027-04-03")
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Suspended"))
            try await journey.moveTo("2027-04-04")
            let id = try #require(decided.json["id"] as? String)
            let state = try await journey.api("admin@trustmark.test").call(.get, "/api/v1/sanctions").json["items"] as? [[String: Any]]
            #expect(state?.first { $0["id"] as? String == id }?["state"] as? String == "resolved")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Valid member"))
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
            let mail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "sanction").last)
            #expect(mail.subject.contains("beëindigd"))
        }
    }

    @Test func staffCloseASanctionEarlyWithAReason() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, _) = try await SanctionDecisionTests.member(app, client)
            let id = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "reason": "Tijdelijk"]).json["id"] as? String)
            #expect(try await admin.call(.post, "/api/v1/sanctions/\(id)/resolution", json: ["reason": ""]).status == .unprocessableContent)
            let resolved = try await admin.call(.post, "/api/v1/sanctions/\(id)/resolution", json: ["reason": "Herstel aangetoond bij hercontrole"])
            #expect(resolved.json["state"] as? String == "resolved")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Valid member"))
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
            let warning = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "warning", "reason": "Let op"]).json["id"] as? String)
            #expect(try await admin.call(.post, "/api/v1/sanctions/\(warning)/resolution", json: ["reason": "x"]).status == .conflict, "a warning has nothing to close")
        }
    }
}
