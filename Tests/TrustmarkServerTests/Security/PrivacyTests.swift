import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("A consumer's own data")
struct PrivacyTests {
    static func link(_ journey: Journey, _ email: String) async throws -> String {
        let mail = try #require(try await journey.mails(to: email, kind: "privacy").last)
        return String(try #require(mail.body.components(separatedBy: "/privacy/").last?.prefix { !$0.isWhitespace }))
    }

    @Test func aConsumerSeesDownloadsCorrectsAndErasesWhatIsHeldOnTheirAddress() async throws {
        try await TestApp.with { app, client in
            // setup: a complaint and an invited review by joost@consument.test
            let journey = Journey(app: app, client: client)
            let (slug, _, member) = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            let complaintID = try await ComplaintFlow(journey: journey).fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")
            #expect(try await member.call(.post, "/api/v1/invitations", json: ["email": "joost@consument.test", "name": "Joost Jansen", "orderReference": "B-9",
                                                                            "delayDays": 0]).status == .created)
            _ = try await app.jobs.runDue()
            let token = try await ReviewTests.token(journey, "joost@consument.test")
            let api = APIClient(client: client)
            #expect(try await api.call(.post, "/api/v1/reviews", json: ["invitation": token, "scores": ["service": 2, "delivery": 2], "overall": 2,
                                                                        "text": "Traag."]).status == .created)

            // MUT: the person asks; an unknown address gets the same answer and no mail.
            let browser = Browser(client)
            let asked = try await browser.post("/privacy", ["email": "Joost@Consument.test"])
            #expect(asked.status == .ok && asked.body.contains("24 uur"))
            #expect(try await api.call(.post, "/api/v1/privacy/requests", json: ["email": "nobody@example.org"]).status == .accepted)
            #expect(try await journey.mails(to: "nobody@example.org", kind: "privacy").isEmpty)
            let link = try await Self.link(journey, "joost@consument.test")

            // validation: everything held, as a page and as JSON
            let page = try await browser.get("/privacy/\(link)")
            #expect(page.status == .ok && page.body.contains("Joost Jansen") && page.body.contains("Traag."))
            let state = try #require(try await Complaint.find(UUID(uuidString: complaintID), on: app.storage.db)).stateRaw
            #expect(page.body.contains("<dd>\(app.accounts.localizer.text("complaint_state_\(state)", .nl))</dd>"), "the state in words")
            #expect(page.body.contains("value=\"Joost Jansen\""), "the name to correct is filled in")
            let report = try await api.call(.get, "/api/v1/privacy/\(link)")
            #expect((report.json["complaints"] as? [[String: Any]])?.first?["id"] as? String == complaintID)
            #expect((report.json["reviews"] as? [[String: Any]])?.count == 1 && (report.json["invitations"] as? [[String: Any]])?.count == 1)
            #expect(((report.json["mails"] as? [[String: Any]])?.count ?? 0) >= 3)
            let download = try await browser.get("/privacy/\(link)/export.json")
            #expect(download.headers[.contentDisposition]?.contains("attachment") == true && download.body.contains("\"description\""))

            // Correcting the name reaches the complaint and the review.
            #expect(try await browser.post("/privacy/\(link)/name", ["name": "Joost de Jong"]).body.contains("Joost de Jong"))
            // News by mail: nothing until the person asks, then withdrawn as simply.
            #expect(report.json["marketingConsent"] as? Bool == false)
            #expect(try await browser.post("/privacy/\(link)/consent", ["marketing": "yes"]).body.contains("nieuws per mail"))
            #expect(try await api.call(.get, "/api/v1/privacy/\(link)").json["marketingConsent"] as? Bool == true)
            let withdrawn = try await api.call(.post, "/api/v1/privacy/\(link)/consent", json: ["marketing": false])
            #expect(withdrawn.json["marketingConsent"] as? Bool == false)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "privacy.consent_withdrawn").count() == 1)
            _ = try await browser.post("/privacy/\(link)/consent", ["marketing": "yes"])
            // Erasing without ticking the box does nothing.
            #expect(try await browser.post("/privacy/\(link)/erase", [:]).status == .unprocessableContent)
            #expect(try await Complaint.query(on: app.storage.db).filter(\.$consumerEmail == "joost@consument.test").count() == 1)
            let erased = try await browser.post("/privacy/\(link)/erase", ["confirm": "yes"])
            #expect(erased.status == .ok)
            // The complaint's facts stay, without the person; the review is offline; the mails are empty.
            let complaint = try #require(try await Complaint.find(UUID(uuidString: complaintID), on: app.storage.db))
            #expect(complaint.consumerName == PrivacyService.erasedName && complaint.consumerEmail.hasSuffix("@erased.invalid"))
            #expect(complaint.text.contains("beschadigd"), "the complaint's facts are kept")
            let review = try #require(try await Review.query(on: app.storage.db).first())
            #expect(review.state == Review.State.removed.rawValue && review.removedReason == "author_request" && review.clientAddress == nil)
            #expect(((try await api.call(.get, "/api/v1/shops/\(slug)/reviews")).json["count"] as? Int) == 0, "the shop's figures no longer count it")
            #expect(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == "joost@consument.test").count() == 0)
            #expect(try await MarketingConsent.query(on: app.storage.db).count() == 0, "the consent goes with the erasure")
            let after = try await api.call(.get, "/api/v1/privacy/\(link)")
            #expect((after.json["complaints"] as? [Any])?.isEmpty == true && (after.json["reviews"] as? [Any])?.isEmpty == true)
            // The record says it happened, without the address.
            let entries = try await AuditEntry.query(on: app.storage.db).filter(\.$action == "privacy.erased").all()
            #expect(entries.count == 1 && entries[0].after?.contains("consument") == false && entries[0].subjectID == complaint.consumerEmail)
            // A forged link is a 404; an old one a 410.
            #expect(try await api.call(.get, "/api/v1/privacy/forged").status == .notFound)
            app.settableClock.advance(by: try ISO8601Duration(parsing: "P2D"))
            #expect(try await api.call(.get, "/api/v1/privacy/\(link)").status == .gone)
        }
    }
}

@Suite("Complaint retention")
struct ComplaintRetentionTests {
    @Test func aFinishedComplaintLosesThePersonAfterTheSchemesRetentionAndKeepsItsFacts() async throws {
        try await TestApp.with { app, client in
            // setup: the example scheme keeps finished complaints' details 2 years
            #expect(app.scheme.scheme.complaints?.retention == Period(2, .years))
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            let flow = ComplaintFlow(journey: journey)
            let finished = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")
            let open = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31", email: "open@consument.test")
            let closed = try await flow.consumer(finished, "joost@consument.test", step: "closed")
            #expect(closed.status == .ok, "\(closed.body)")

            // MUT: the nightly job a day before and a day after the two years
            try await journey.moveTo("2029-01-05")
            var complaint = try #require(try await Complaint.find(UUID(uuidString: finished), on: app.storage.db))
            #expect(complaint.consumerEmail == "joost@consument.test", "kept until the period has run")
            try await journey.moveTo("2029-01-08")

            // validation: the person and the texts are gone, the facts stay; the open complaint is untouched
            complaint = try #require(try await Complaint.find(UUID(uuidString: finished), on: app.storage.db))
            #expect(complaint.consumerName == PrivacyService.erasedName && complaint.consumerEmail == ComplaintsService.erasedAddress)
            #expect(complaint.text == ComplaintsService.erasedText && complaint.orderNumber == nil)
            #expect(complaint.reference != nil && complaint.$shop.id != nil && complaint.finishedAt != nil)
            #expect(try await ComplaintMessage.query(on: app.storage.db).filter(\.$complaint.$id == complaint.requireID()).all()
                .allSatisfy { $0.body == ComplaintsService.erasedText })
            let other = try #require(try await Complaint.find(UUID(uuidString: open), on: app.storage.db))
            #expect(other.consumerEmail == "open@consument.test")
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "complaint.retention_erased").count() == 1)
            #expect(try await app.verifyRecord().problem == nil)
        }
    }
}
