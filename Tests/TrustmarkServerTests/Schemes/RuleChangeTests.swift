import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// KeurOnline article 29: changes on the news page; a far-reaching change gets a 2-month transition,
/// every member is told by e-mail and letter, and a member that does not accept may have its
/// membership ended once the transition is over; never as a negative listing.
@Suite("Rule changes")
struct RuleChangeTests {
    @Test func aFarReachingChangeRunsItsTransitionAndEndsOnlyTheMembershipsThatDidNotAccept() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            // setup: three member organisations and an administrator
            try await app.makeUser("admin@keuronline.test", role: .admin)
            try await app.makeUser("anna@fietsen.test", role: .member, organisation: "Fietsen BV")
            try await app.makeUser("bert@boeken.test", role: .member, organisation: "Boeken BV")
            try await app.makeUser("cor@kaas.test", role: .member, organisation: "Kaas BV")
            let admin = Browser(client)
            try await admin.login("admin@keuronline.test")

            // MUT: publish through the staff form
            let published = try await admin.post("/staff/rule-changes", [
                "title_nl": "Antwoord binnen 1 werkdag", "summary_nl": "Artikel 8 wordt strenger.", "title_en": "Answer within 1 working day",
                "summary_en": "Article 8 becomes stricter.", "far_reaching": "on",
            ])
            #expect(published.status == .seeOther)
            let changePath = try #require(published.location)
            let changeID = try #require(UUID(uuidString: String(changePath.split(separator: "/").last!)))

            // validation: the news page, the transition end from the scheme, the notices and mails
            let news = try await Browser(client).get("/news")
            #expect(news.body.contains("Antwoord binnen 1 werkdag"))
            #expect(news.body.contains("Overgangsperiode tot 24 februari 2027"))
            let englishNews = try await APIClient(client: client).call(.get, "/api/v1/rule-changes", language: "en")
            let item = try #require((englishNews.json["items"] as? [[String: Any]])?.first)
            #expect(item["title"] as? String == "Answer within 1 working day")
            #expect(item["transitionEndsAt"] as? String == "2027-02-24T10:00:00Z")
            let notices = try await RuleChangeNotice.query(on: app.storage.db).all()
            #expect(notices.count == 6, "an e-mail and a letter for each of the three members")
            #expect(notices.filter { $0.channel == "letter" }.allSatisfy { $0.sentAt == nil }, "letters wait for staff to send them")
            let letters = try await LetterRow.query(on: app.storage.db).filter(\.$kind == "rule_change").all()
            #expect(Set(letters.map(\.recipient)) == ["Fietsen BV", "Boeken BV", "Kaas BV"])
            let text = try pdfText(try #require(letters.first).pdf)
            #expect(text.contains("Antwoord binnen 1 werkdag"))
            #expect(text.contains("24 februari 2027"))
            let mails = try await OutboxMessage.query(on: app.storage.db).filter(\.$kind == "rule_change").all()
            #expect(Set(mails.map(\.recipient)) == ["anna@fietsen.test", "bert@boeken.test", "cor@kaas.test"])
            #expect(mails.first?.body.contains("24 februari 2027") == true)
            let record = try #require(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "rule_change.published").first())
            #expect(record.schemeVersionID == app.scheme.versionID)

            // members answer: Fietsen accepts, Boeken refuses, Kaas stays silent
            let anna = Browser(client)
            try await anna.login("anna@fietsen.test")
            #expect(try await anna.get("/portal/rule-changes").body.contains("Antwoord binnen 1 werkdag"))
            #expect(try await anna.post("/portal/rule-changes/\(changeID)/response", ["response": "accepted"]).status == .seeOther)
            let bert = try await APIClient.signedIn(client, "bert@boeken.test")
            #expect(try await bert.call(.post, "/api/v1/rule-changes/\(changeID)/response", json: ["response": "refused"]).status == .noContent)

            // before the transition ends nobody's membership can be ended
            let boeken = try #require(try await Organisation.query(on: app.storage.db).filter(\.$name == "Boeken BV").first()).id!
            var adminAPI = try await APIClient.signedIn(client, "admin@keuronline.test")
            let early = try await adminAPI.call(.post, "/api/v1/rule-changes/\(changeID)/end-membership", json: ["organisationId": boeken.uuidString], language: "en")
            #expect(early.status == .conflict)
            #expect((early.error["message"] as? String)?.hasPrefix("The transition period runs until 2027-02-24") == true)

            // two months later the refusing and the silent member may be ended, the accepting one not
            let moved = try await APIClient(client: client).call(.post, "/api/v1/dev/clock", json: ["advance": "P2M"])
            #expect((moved.json["jobsRun"] as? Int ?? 0) >= 1)
            // The transition's deadline passed: it is in the record and the administrator was told.
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "deadline.passed").count() == 1)
            let told = try #require(try await OutboxMessage.query(on: app.storage.db).filter(\.$kind == "transition_over").first())
            #expect(told.recipient == "admin@keuronline.test")
            #expect(told.body.contains("2 lid/leden hebben de wijziging niet aangenomen"))
            // Sessions and tokens have expired meanwhile; staff sign in again.
            adminAPI = try await APIClient.signedIn(client, "admin@keuronline.test")
            try await admin.login("admin@keuronline.test")
            let standings = try await adminAPI.call(.get, "/api/v1/rule-changes/\(changeID)/responses")
            let rows = try #require(standings.json["items"] as? [[String: Any]], "\(standings.status) \(standings.body)")
            #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0["organisation"] as! String, $0["mayBeEnded"] as! Bool) })
                    == ["Fietsen BV": false, "Boeken BV": true, "Kaas BV": true])
            let page = try await admin.get(changePath)
            #expect(page.body.contains("Lidmaatschap beëindigen"))
            let kaas = try #require(try await Organisation.query(on: app.storage.db).filter(\.$name == "Kaas BV").first()).id!
            let ended = try await admin.post("\(changePath)/end-membership", ["organisation": kaas.uuidString])
            #expect(ended.status == .ok)
            #expect(ended.body.contains("Dit is geen negatieve vermelding"))
            #expect(try await adminAPI.call(.post, "/api/v1/rule-changes/\(changeID)/end-membership", json: ["organisationId": boeken.uuidString]).status == .noContent)
            let fietsen = try #require(try await Organisation.query(on: app.storage.db).filter(\.$name == "Fietsen BV").first()).id!
            let refused = try await adminAPI.call(.post, "/api/v1/rule-changes/\(changeID)/end-membership", json: ["organisationId": fietsen.uuidString])
            #expect(refused.status == .conflict)
            #expect(refused.error["code"] as? String == "accepted")
            let endedOrganisations = try await Organisation.query(on: app.storage.db).filter(\.$membershipEndedAt != nil).all()
            #expect(Set(endedOrganisations.map(\.name)) == ["Boeken BV", "Kaas BV"])
            #expect(Set(endedOrganisations.compactMap(\.membershipEndReason)) == ["rule_change_refused", "rule_change_not_answered"])
            #expect(try await OutboxMessage.query(on: app.storage.db).filter(\.$kind == "membership_ended").count() == 2)
            // an ended member can no longer answer
            let bertAgain = try await APIClient.signedIn(client, "bert@boeken.test")
            let late = try await bertAgain.call(.post, "/api/v1/rule-changes/\(changeID)/response", json: ["response": "accepted"])
            #expect(late.status == .conflict)
        }
    }

    @Test func anOrdinaryChangeIsNewsOnlyAndAVersionIsPublishedOnce() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            try await app.makeUser("admin@keuronline.test", role: .admin)
            try await app.makeUser("anna@fietsen.test", role: .member, organisation: "Fietsen BV")
            let admin = try await APIClient.signedIn(client, "admin@keuronline.test")
            let created = try await admin.call(.post, "/api/v1/rule-changes", json: ["title": ["nl": "Spelfouten hersteld"], "summary": ["nl": "Geen inhoudelijke wijziging."], "farReaching": false])
            #expect(created.status == .created)
            #expect(created.json["transitionEndsAt"] == nil || created.json["transitionEndsAt"] is NSNull)
            #expect(try await RuleChangeNotice.query(on: app.storage.db).count() == 0)
            let id = try #require(created.json["id"] as? String)
            let anna = try await APIClient.signedIn(client, "anna@fietsen.test")
            #expect(try await anna.call(.post, "/api/v1/rule-changes/\(id)/response", json: ["response": "accepted"]).status == .conflict)
            let twice = try await admin.call(.post, "/api/v1/rule-changes", json: ["title": ["nl": "Nog eens"], "summary": ["nl": "x"], "farReaching": true], language: "en")
            #expect(twice.status == .conflict)
            #expect(twice.error["message"] as? String == "Version 2012-04-20 of the code of conduct has already been published. Load a new version of the scheme first.")
        }
    }

    @Test func theSchemesOwnLanguageIsRequiredAndTypedTextIsKept() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            try await app.makeUser("admin@keuronline.test", role: .admin)
            let admin = Browser(client)
            try await admin.login("admin@keuronline.test")
            let page = try await admin.post("/staff/rule-changes", ["title_en": "Only English", "summary_en": "Kept as typed", "far_reaching": "on"])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("Vul dit veld in."))
            #expect(page.body.contains("value=\"Only English\""))
            #expect(page.body.contains("Kept as typed"))
            #expect(try await RuleChange.query(on: app.storage.db).count() == 0)
        }
    }

    @Test func theChangedArticlesOfANewVersionAreNamed() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            try await app.makeUser("admin@keuronline.test", role: .admin)
            let original = try SchemeVersionTests.file("keuronline")
            let text = original.text
                .replacingOccurrences(of: "version: \"2012-04-20\"", with: "version: \"2027-01-01\"")
                .replacingOccurrences(of: "reageert zo snel mogelijk en binnen 2 werkdagen.", with: "reageert binnen 1 werkdag.")
            let newer = try await SchemeVersions.activate(try SchemeFile.parse(text, path: "k.yaml"), storage: app.storage, at: app.clock.now())
            var service = app.ruleChanges
            service = RuleChangesService(storage: service.storage, clock: service.clock, active: newer, outbox: service.outbox, localizer: service.localizer, baseURL: service.baseURL, deadlines: service.deadlines, letters: service.letters)
            let admin = try #require(try await User.query(on: app.storage.db).first())
            let identity = Identity(userID: admin.id!, email: admin.email, displayName: admin.displayName, role: .admin, organisationID: nil, proof: .session, credentialDigest: "")
            let change = try await service.publish(.init(title: ["nl": "Sneller antwoorden"], summary: ["nl": "x"], farReaching: false), by: identity)
            #expect(change.changedArticles == "08")
        }
    }
}
