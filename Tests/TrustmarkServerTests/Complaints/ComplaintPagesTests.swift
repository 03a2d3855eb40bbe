import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The complaint pages as their people use them: a consumer with the form and the links in their
/// mail, the shop in its portal, a mediator at the desk.
@Suite("Complaint pages")
struct ComplaintPagesTests {
    @Test func aConsumerFilesFromTheVerificationPageConfirmsAndFollowsTheComplaint() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            let consumer = Browser(client)
            let verification = try await consumer.get("/shops/\(slug)")
            #expect(verification.body.contains("/complaints/new?shop=\(slug)"))
            let form = try await consumer.get("/complaints/new?shop=\(slug)")
            #expect(form.status == .ok)
            #expect(form.body.contains("value=\"fietsen.test\""), "the shop comes filled in from the verification page")
            #expect(form.body.contains("2 werkdagen"), "the wait from the scheme is explained")
            #expect(!form.body.contains(">nil<") && !form.body.contains("\"nil\""), "an absent hint or error prints nothing")

            var fields = ["about": "shop", "shop": "fietsen.test", "contactedShopOn": "2027-01-05", "contactChannel": "email",
                          "description": "Kapot geleverd.", "consumerName": "Joost Jansen", "consumerEmail": "joost@consument.test", "consumerCountry": "NL"]
            let early = try await consumer.postMultipart("/complaints/new", fields)
            #expect(early.status == .unprocessableContent)
            #expect(early.body.contains("8 januari 2027"), "the exact day from which the consumer can file")
            #expect(early.body.contains("Kapot geleverd."), "what was typed is kept")

            fields["contactedShopOn"] = "2026-12-31"
            fields["description"] = "Kapot geleverd. <script>alert('x')</script>"
            let sent = try await consumer.postMultipart("/complaints/new", fields, files: [("attachments", "schade.png", "image/png", ComplaintFlow.png)])
            #expect(sent.status == .accepted, "\(sent.body)")
            #expect(sent.body.contains("joost@consument.test"))

            let token = try await ComplaintFlow(journey: journey).confirmToken("joost@consument.test")
            let confirmPage = try await consumer.get("/complaints/confirm/\(token)")
            #expect(confirmPage.body.contains("<form method=\"post\" action=\"/complaints/confirm/\(token)\""), "a mail scanner's GET confirms nothing")
            let confirmed = try await consumer.post("/complaints/confirm/\(token)", [:])
            #expect(confirmed.status == .seeOther)
            let location = try #require(confirmed.location)
            let page = try await consumer.get(location)
            #expect(page.status == .ok)
            #expect(page.body.contains("C-2027-00001"))
            #expect(page.body.contains("schade.png"))
            #expect(page.body.contains("&lt;script&gt;"), "typed HTML is shown as text")
            #expect(!page.body.contains("<script>alert"))
            let twice = try await consumer.post("/complaints/confirm/\(token)", [:])
            #expect(twice.status == .conflict)
            #expect(twice.body.contains("al bevestigd"))

            // Without the key from the mail the complaint is not there.
            let id = String(location.dropFirst("/complaints/".count).prefix { $0 != "?" })
            // The consumer's JSON view links the files on their own page, with the key.
            let key = String(location.components(separatedBy: "key=")[1].prefix { $0 != "&" })
            let view = try await APIClient(client: client).call(.get, "/api/v1/complaints/\(id)/consumer?key=\(key)")
            let fileURL = try #require((view.json["attachments"] as? [[String: Any]])?.first?["url"] as? String)
            #expect(fileURL.contains("?key="))
            let path = try #require(fileURL.range(of: "/complaints/"))
            let file = try await Browser(client).get(String(fileURL[path.lowerBound...]))
            #expect(file.status == .ok)
            #expect(Array(file.data) == ComplaintFlow.png)
            #expect(file.headers[.contentType] == "image/png")
            #expect(try await Browser(client).get("/complaints/\(id)").status == .notFound)
            #expect(try await Browser(client).get("/complaints/\(id)?key=forged.key").status == .notFound)

            let message = try await consumer.postMultipart(location.components(separatedBy: "?").first! + "/messages?" + location.components(separatedBy: "?")[1],
                                                           ["body": "Hier nog een foto."], files: [("attachments", "tweede.png", "image/png", ComplaintFlow.png)])
            #expect(message.status == .seeOther, "\(message.body)")
            #expect(try await consumer.get(location).body.contains("tweede.png"))
        }
    }

    @Test func theShopAnswersInItsPortalAndTheMediatorWorksTheDesk() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            _ = try await journey.activeMember()
            try await app.makeUser("mediator@trustmark.test", role: .mediator)
            try await journey.moveTo("2027-01-06")
            let id = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")

            let mediator = Browser(client)
            try await mediator.login("mediator@trustmark.test")
            let desk = try await mediator.get("/staff/complaints")
            #expect(desk.body.contains("C-2027-00001"))
            #expect(desk.body.contains("Fietsen"))
            let note = try await mediator.postMultipart("/staff/complaints/\(id)/messages", ["body": "Deze webshop kennen we van eerdere klachten.", "internal": "yes"])
            #expect(note.status == .seeOther)
            let template = try await mediator.post("/staff/complaint-templates", ["title": "Ontvangst", "locale": "nl", "body": "Wij hebben uw klacht in behandeling."])
            #expect(template.status == .seeOther)
            let templateID = try #require(try await ComplaintTemplate.query(on: app.storage.db).first()?.id)
            #expect(try await mediator.postMultipart("/staff/complaints/\(id)/messages", ["body": "", "template": templateID.uuidString]).status == .seeOther)
            let refused = try await mediator.post("/staff/complaints/\(id)/steps", ["to": "resolved", "reason": "klaar"])
            #expect(refused.status == .conflict)
            #expect(refused.body.contains("Wat nu wel kan: mediation"), "\(refused.body)")

            let owner = Browser(client)
            try await owner.login("eva@fietsen.test", password: Journey.password)
            let list = try await owner.get("/portal/complaints")
            #expect(list.body.contains("C-2027-00001"))
            let detail = try await owner.get("/portal/complaints/\(id)")
            #expect(detail.status == .ok)
            #expect(!detail.body.contains("joost@consument.test"), "the shop does not get the consumer's address")
            #expect(!detail.body.contains("eerdere klachten"), "internal notes stay with staff")
            #expect(detail.body.contains("Wij hebben uw klacht in behandeling."))
            let answered = try await owner.postMultipart("/portal/complaints/\(id)/answer", ["body": "Wij sturen een nieuwe fiets.", "proposal": "yes"],
                                                         files: [("attachments", "verzendbewijs.pdf", "application/pdf", Array("%PDF-1.4\n%%EOF".utf8))])
            #expect(answered.status == .seeOther, "\(answered.body)")
            let disguised = try await owner.postMultipart("/portal/complaints/\(id)/answer", ["body": "Nog een"],
                                                          files: [("attachments", "foto.jpg", "image/jpeg", Array("%PDF-1.4".utf8))])
            #expect(disguised.status == .unsupportedMediaType)
            #expect(disguised.body.contains("foto.jpg"))

            // The consumer accepts through the link in their mail; the shop can no longer answer.
            let key = try await flow.consumerKey("joost@consument.test")
            let consumer = Browser(client)
            let consumerPage = try await consumer.get("/complaints/\(id)?key=\(key)")
            #expect(consumerPage.body.contains("Wij sturen een nieuwe fiets."))
            #expect(consumerPage.body.contains("verzendbewijs.pdf"))
            #expect(!consumerPage.body.contains("eerdere klachten"))
            #expect(try await consumer.post("/complaints/\(id)/steps?key=\(key)", ["to": "resolved", "reason": ""]).status == .seeOther)
            #expect(try await ComplaintStep.query(on: app.storage.db).filter(\.$to == "resolved").first()?.reason == nil, "an empty reason is no reason")
            let closed = try await owner.postMultipart("/portal/complaints/\(id)/answer", ["body": "Nog iets"])
            #expect(closed.status == .conflict)
            let record = try await mediator.get("/staff/complaints/\(id)")
            #expect(record.body.contains("eerdere klachten"))
            #expect(record.body.contains("Opgelost"))
            let dossier = try await mediator.get("/staff/complaints/\(id)/dossier.pdf")
            #expect(dossier.data.starts(with: Data("%PDF".utf8)))
            let files = try await mediator.get("/staff/complaints/\(id)/attachments.zip")
            #expect(files.data.starts(with: Data([0x50, 0x4B])))

            // A complaint from a forwarded mail, through the desk's upload.
            let eml = Array("From: Piet <piet@consument.test>\r\nSubject: Klacht\r\nDate: Tue, 5 Jan 2027 10:00:00 +0100\r\n\r\nMijn pakket kwam niet.\r\n".utf8)
            let registered = try await mediator.postMultipart("/staff/complaints/register", ["shop": "fietsen.test"], files: [("file", "klacht.eml", "message/rfc822", eml)])
            #expect(registered.status == .seeOther, "\(registered.body)")
            #expect(try await mediator.get(try #require(registered.location)).body.contains("Mijn pakket kwam niet."))
        }
    }
}
