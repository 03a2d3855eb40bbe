import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Sanctions from cause to consequence, with the settable clock: complaints raise a proposal, staff
/// decide an improvement period, the member sends evidence, the ladder goes on by itself to a summons
/// and a revocation, and a seal still shown after the summons is flagged for the legal step. An
/// objection upheld by a second staff member restores everything; a party that is no member is
/// summoned and listed for using the seal.
@Suite("Sanction journeys")
struct SanctionJourneyTests {
    @Test func complaintsLeadThroughTheLadderToRevocationTheListAndTheLegalStep() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (slug, _, _) = try await journey.activeMember()
            // Wednesday 10 March 2027: three complaints the shop leaves unanswered.
            try await journey.moveTo("2027-03-10")
            for index in 1...3 {
                _ = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2027-03-05", email: "klant\(index)@consument.test")
            }
            try await journey.moveTo("2027-03-15")
            var admin = try await journey.api("admin@trustmark.test")
            let proposal = try #require((try await admin.call(.get, "/api/v1/sanction-proposals").json["items"] as? [[String: Any]])?.first)
            #expect((proposal["evidence"] as? [String])?.count == 3)

            // Staff decide an improvement period from the proposal, with what the shop must do.
            let period = try await admin.call(.post, "/api/v1/sanctions", json: ["proposalId": try #require(proposal["id"] as? String), "kind": "improvement_period",
                                                                                "until": "2027-03-18", "reason": "Drie klachten onbeantwoord",
                                                                                "tasks": ["Alle klachten beantwoorden", "Een klantenservice-adres op de site"]])
            #expect(period.status == .created, "\(period.body)")
            let periodID = try #require(period.json["id"] as? String)
            #expect(try await admin.call(.get, "/api/v1/sanction-proposals").json["total"] as? Int == 0, "the proposal left the queue")
            let told = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "sanction").last)
            #expect(told.body.contains("Alle klachten beantwoorden") && told.body.contains("18 maart 2027"))

            // The member sees its task list and sends evidence; the deciding staff member hears of it.
            let member = try await journey.api("eva@fietsen.test")
            let own = try #require((try await member.call(.get, "/api/v1/sanctions").json["items"] as? [[String: Any]])?.first)
            #expect(own["tasks"] as? [String] == ["Alle klachten beantwoorden", "Een klantenservice-adres op de site"])
            #expect(try await member.call(.post, "/api/v1/sanctions/\(periodID)/evidence", json: ["text": "  "]).status == .unprocessableContent)
            let sent = try await member.call(.post, "/api/v1/sanctions/\(periodID)/evidence", json: ["text": "Klachten beantwoord, zie https://fietsen.test/service"])
            #expect(sent.status == .created, "\(sent.body)")
            #expect((sent.json["evidence"] as? [[String: Any]])?.count == 1)
            #expect(try await journey.mails(to: "admin@trustmark.test", kind: "sanction.evidence").count == 1)
            #expect(try await APIClient(client: client).call(.get, "/api/v1/sanctions").status == .unauthorized)

            // No improvement found: the summons follows by itself, then the revocation and the list.
            try await journey.moveTo("2027-03-19")
            admin = try await journey.api("admin@trustmark.test")
            let summons = try #require((try await admin.call(.get, "/api/v1/sanctions?state=in_force").json["items"] as? [[String: Any]])?.first)
            #expect(summons["kind"] as? String == "summons" && summons["deadline"] as? String == "2027-03-30", "5 working days across Easter")
            let summonsID = try #require(summons["id"] as? String)
            #expect(try await LetterRow.query(on: app.storage.db).filter(\.$kind == "sanction.summons").count() == 1)
            try await journey.moveTo("2027-03-31")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Revoked"))
            #expect(try await journey.listed("no-longer-a-member") == ["fietsen.test"])

            // The shop still shows the seal after the deadline: flagged for the legal step the next day.
            _ = try await APIClient(client: client).call(.get, "/seal/\(slug).svg", headers: ["Referer": "https://fietsen.test/kassa"])
            try await journey.moveTo("2027-04-01")
            admin = try await journey.api("admin@trustmark.test")
            let flagged = try await admin.call(.get, "/api/v1/sanctions/\(summonsID)")
            #expect(flagged.json["legalStepOn"] as? String == "2027-04-01", "\(flagged.body)")
            #expect(try await StaffTask.query(on: app.storage.db).filter(\.$kind == "legal_step").filter(\.$subjectID == summonsID).count() == 1)
            #expect(try await journey.mails(to: "admin@trustmark.test", kind: "sanction.legal_step").count == 1)
            let dossier = try await admin.call(.get, "/api/v1/sanctions/\(summonsID)/dossier.pdf")
            #expect(dossier.status == .ok && dossier.headers[.contentType] == "application/pdf")
            let text = try pdfText(dossier.data)
            #expect(text.contains("Sommatie") && text.contains("fietsen.test/kassa") && text.contains("Geschilonline"), "\(text)")
            #expect(text.contains("Termijn verstreken") && text.contains("Volgende stap van de ladder"), "the steps in words: \(text)")
            // Once flagged, a later run does not flag again.
            try await journey.moveTo("2027-04-02")
            #expect(try await StaffTask.query(on: app.storage.db).filter(\.$kind == "legal_step").count() == 1)
        }
    }

    @Test func anObjectionUpheldByASecondStaffMemberRestoresTheSealAndTakesTheListingDown() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, board) = try await SanctionDecisionTests.member(app, client)
            let id = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "revocation", "reason": "Misleidende prijzen"])
                .json["id"] as? String)
            #expect(try await board.call(.post, "/api/v1/sanctions/\(id)/confirmation").json["state"] as? String == "in_force")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Revoked"))
            #expect(try await journey.listed("no-longer-a-member") == ["fietsen.test"])

            let member = try await journey.api("eva@fietsen.test")
            #expect(try await member.call(.post, "/api/v1/sanctions/\(id)/appeal", json: ["text": ""]).status == .unprocessableContent)
            let lodged = try await member.call(.post, "/api/v1/sanctions/\(id)/appeal", json: ["text": "De prijzen waren inclusief btw; zie de bijlage."])
            #expect(lodged.status == .created, "\(lodged.body)")
            #expect((lodged.json["appeal"] as? [String: Any])?["lodgedOn"] as? String == "2027-01-04")
            let twice = try await member.call(.post, "/api/v1/sanctions/\(id)/appeal", json: ["text": "Nogmaals"], language: "en")
            #expect(twice.status == .conflict && twice.error["message"] as? String == "You have already objected to this decision.")
            #expect(try await journey.mails(to: "board@trustmark.test", kind: "sanction.appeal").count == 1)
            #expect(try await journey.mails(to: "admin@trustmark.test", kind: "sanction.appeal").isEmpty, "not the one who decided")

            let own = try await admin.call(.post, "/api/v1/sanctions/\(id)/appeal/decision", json: ["upheld": true, "reason": "Eigen besluit"])
            #expect(own.status == .forbidden && own.error["code"] as? String == "four_eyes")
            #expect(try await board.call(.post, "/api/v1/sanctions/\(id)/appeal/decision", json: ["upheld": true, "reason": " "]).status == .unprocessableContent)
            let upheld = try await board.call(.post, "/api/v1/sanctions/\(id)/appeal/decision", json: ["upheld": true, "reason": "Prijzen bleken juist"])
            #expect(upheld.status == .ok && upheld.json["state"] as? String == "overturned", "\(upheld.body)")

            // Within the cache window the seal, the page, the directory and the lists show the member again.
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Valid member"))
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
            #expect(try await SanctionTruth.read(client, slug).status == "valid")
            let mail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "sanction").last)
            #expect(mail.body.contains("gegrond") && mail.body.contains("Prijzen bleken juist"))
            let stored = try await member.call(.get, "/api/v1/sanctions/\(id)")
            #expect((stored.json["appeal"] as? [String: Any])?["decision"] as? String == "upheld")

            // The appeal period is the scheme's: 14 days after the decision, and not a day more.
            let suspension = try #require(try await board.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "until": "2027-02-28", "reason": "Tijdelijk"])
                .json["id"] as? String)
            try await journey.moveTo("2027-01-19")
            let late = try await journey.api("eva@fietsen.test").call(.post, "/api/v1/sanctions/\(suspension)/appeal", json: ["text": "Te laat?"], language: "en")
            #expect(late.status == .conflict && late.error["message"] as? String == "The period for an appeal ended on 2027-01-18.", "\(late.body)")
        }
    }

    @Test func anObjectionUpheldAgainstAnImprovementPeriodTakesTheSummonsThatFollowedWithIt() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, _) = try await SanctionDecisionTests.member(app, client)
            let period = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "improvement_period", "until": "2027-01-08",
                                                                                            "reason": "Geen contactgegevens"]).json["id"] as? String)
            try await journey.moveTo("2027-01-09")
            let member = try await journey.api("eva@fietsen.test")
            #expect(try await member.call(.post, "/api/v1/sanctions/\(period)/appeal", json: ["text": "Ze stonden er wel, op /contact"]).status == .created)
            let board = try await journey.api("board@trustmark.test")
            let upheld = try await board.call(.post, "/api/v1/sanctions/\(period)/appeal/decision", json: ["upheld": true, "reason": "Gevonden op /contact"])
            #expect(upheld.json["state"] as? String == "overturned", "\(upheld.body)")
            let all = try await board.call(.get, "/api/v1/sanctions").json["items"] as? [[String: Any]] ?? []
            #expect(all.map { "\($0["kind"] ?? "")=\($0["state"] ?? "")" }.sorted() == ["improvement_period=overturned", "summons=overturned"])
            // The summons's deadline passes without consequence.
            try await journey.moveTo("2027-01-25")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Valid member"))
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
        }
    }

    @Test func aSiteThatIsNoMemberIsSummonedAndListedForUsingTheSeal() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, _, admin, _) = try await SanctionDecisionTests.member(app, client)
            _ = try await APIClient(client: client).call(.get, "/seal/\(slug).svg", headers: ["Referer": "https://nep-fietsen.test/kopen"])
            try await app.seals.sightings.flush()
            let misuse = try #require((try await admin.call(.get, "/api/v1/misuse-cases").json["items"] as? [[String: Any]])?.first?["id"] as? String)

            let wrongKind = try await admin.call(.post, "/api/v1/sanctions", json: ["misuseCaseId": misuse, "kind": "suspension", "reason": "x"])
            #expect(wrongKind.status == .unprocessableContent && wrongKind.error["field"] as? String == "misuseCaseId")
            let nobody = try await admin.call(.post, "/api/v1/sanctions", json: ["kind": "unauthorised_use_summons", "reason": "x"], language: "en")
            #expect(nobody.status == .unprocessableContent && nobody.error["field"] as? String == "party.domain", "\(nobody.body)")
            let badMail = try await admin.call(.post, "/api/v1/sanctions", json: ["misuseCaseId": misuse, "kind": "unauthorised_use_summons", "reason": "x",
                                                                                 "party": ["email": "geen-adres"]])
            #expect(badMail.status == .unprocessableContent && badMail.error["field"] as? String == "party.email")

            let decided = try await admin.call(.post, "/api/v1/sanctions", json: [
                "misuseCaseId": misuse, "kind": "unauthorised_use_summons", "reason": "Toont het keurmerk zonder lid te zijn",
                "party": ["name": "Nep Fietsen", "email": "info@nep-fietsen.test", "address": "Kerkstraat 1\n1234 AB Plaats"],
            ])
            #expect(decided.status == .created, "\(decided.body)")
            #expect(decided.json["state"] as? String == "in_force" && decided.json["article"] as? String == "28" && decided.json["shopId"] as? String == nil, "no member shop")
            #expect((decided.json["party"] as? [String: Any])?["domain"] as? String == "nep-fietsen.test")
            #expect(decided.json["deadline"] as? String == "2027-01-11", "5 working days from Monday 4 January")
            let id = try #require(decided.json["id"] as? String)

            // Article 28: summoned and published at once; the member whose seal was copied is untouched.
            #expect(try await journey.listed("not-a-member") == ["nep-fietsen.test"])
            let warnings = try await APIClient(client: client).call(.get, "/api/v1/warnings").json["items"] as? [[String: Any]]
            #expect(warnings?.contains { $0["shop"] as? String == "Nep Fietsen" } == true, "\(warnings ?? [])")
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Valid member"))
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
            let mail = try #require(try await journey.mails(to: "info@nep-fietsen.test", kind: "sanction").first)
            #expect(mail.subject.contains("onterecht gebruik") && mail.body.contains("Beste Nep Fietsen") && mail.body.contains("artikel 28"))
            let letter = try #require(try await LetterRow.query(on: app.storage.db).filter(\.$kind == "sanction.unauthorised_use_summons").first())
            #expect(letter.registered)
            let text = try pdfText(letter.pdf)
            #expect(text.contains("Nep Fietsen") && text.contains("1234 AB Plaats") && text.contains("11 januari 2027"), "\(text)")
            #expect(try await admin.call(.get, "/api/v1/misuse-cases?state=pursued").json["total"] as? Int == 1)

            // The deadline passes and the seal is still on the site: the legal step; the listing stays.
            try await journey.moveTo("2027-01-12")
            _ = try await APIClient(client: client).call(.get, "/seal/\(slug).svg", headers: ["Referer": "https://nep-fietsen.test/kopen"])
            try await journey.moveTo("2027-01-13")
            let flagged = try await journey.api("admin@trustmark.test").call(.get, "/api/v1/sanctions/\(id)")
            #expect(flagged.json["state"] as? String == "escalated" && flagged.json["legalStepOn"] as? String == "2027-01-13", "\(flagged.body)")
            #expect(try await journey.listed("not-a-member") == ["nep-fietsen.test"])
        }
    }

    @Test func bankruptcyRevokesAtOnceWithoutASecondPair() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, slug, shop, admin, _) = try await SanctionDecisionTests.member(app, client)
            let decided = try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "bankruptcy_revocation", "reason": "Faillissement uitgesproken"])
            #expect(decided.status == .created && decided.json["state"] as? String == "in_force", "\(decided.body)")
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await SanctionDecisionTests.seal(client, slug).contains("Revoked"))
            #expect(try await journey.listed("no-longer-a-member") == ["fietsen.test"])
            #expect(try await SanctionTruth.read(client, slug).status == "revoked")
        }
    }
}
