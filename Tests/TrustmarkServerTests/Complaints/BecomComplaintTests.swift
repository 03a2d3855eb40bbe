import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The Becom page: wait 5 working days for the shop; only shops with the label (else the consumer
/// ombudsman); travel complaints to the Geschillencommissie Reizen; cross-border ones to the EU;
/// Becom asks 5 working days to handle the complaint with the shop.
@Suite("Complaints under Becom")
struct BecomComplaintTests {
    /// Becom's file takes no applications (its seed says nothing of membership); the operator's copy
    /// adds the default membership rules so that shops can join.
    static func scheme() throws -> String {
        let becom = try String(contentsOfFile: TestApp.checkout + "/Schemes/becom.yaml", encoding: .utf8)
        let defaults = try String(contentsOfFile: TestApp.checkout + "/Schemes/default.yaml", encoding: .utf8)
        let lines = defaults.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("membership:") })
        let end = try #require(lines[(start + 1)...].firstIndex { !$0.isEmpty && !$0.hasPrefix(" ") && !$0.hasPrefix("#") })
        let membership = lines[start..<end].joined(separator: "\n")
        let combined = becom.replacingOccurrences(of: "\nseal:\n", with: "\n\(membership)\nseal:\n")
        #expect(combined != becom)
        let path = NSTemporaryDirectory() + "becom-members-\(UUID().uuidString).yaml"
        try combined.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theWaitReferralsAndTheMediationClockFollowTheBecomPage() async throws {
        let path = try Self.scheme()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestApp.with(scheme: path) { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (_, _, member) = try await journey.activeMember()
            let mediator = try await flow.mediator()
            // Monday 4 January 2027 (Brussels): contacted the shop the same morning.
            try await journey.moveTo("2027-01-04")
            let early = try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2027-01-04"))
            #expect(early.error["code"] as? String == "complaint_too_early")
            #expect((early.error["details"] as? [String: String])?["earliestDate"] == "2027-01-12", "five working days, then the next day")
            #expect((early.error["message"] as? String)?.contains("5 werkdagen") == true, "\(early.body)")

            let notMember = try await flow.file(ComplaintFlow.filing(shop: "ergens-anders.test", contacted: "2026-12-20"))
            #expect(notMember.error["code"] as? String == "complaint_not_member")
            #expect((notMember.error["message"] as? String)?.contains("Consumentenombudsdienst") == true)
            #expect((notMember.error["details"] as? [String: String])?["url"] == "https://consumentenombudsdienst.be")

            let travel = try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-20", extra: ["sector": "travel"]))
            #expect(travel.error["code"] as? String == "complaint_sector_route")
            #expect((travel.error["message"] as? String)?.contains("Geschillencommissie Reizen") == true)
            let english = try await APIClient(client: client).call(.post, "/api/v1/complaints",
                                                                   json: ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-20", country: "DE"), language: "en")
            #expect(english.error["code"] as? String == "complaint_cross_border")
            #expect((english.error["message"] as? String)?.contains("EU Online Dispute Resolution platform") == true, "\(english.body)")

            // Filed after the wait: the shop gets 5 working days, answers; the consumer is not
            // satisfied and asks for mediation, which has its own 5 working days.
            try await journey.moveTo("2027-01-12")
            let id = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2027-01-04")
            let forwarded = try await flow.detail(id, as: mediator)
            let shopDeadline = try #require((forwarded["deadlines"] as? [[String: Any]])?.first)
            #expect(shopDeadline["kind"] as? String == "complaint.shop_answer")
            #expect((shopDeadline["dueAt"] as? String)?.hasPrefix("2027-01-19T23:00") == true, "end of Tuesday 19 January, Brussels: \(shopDeadline)")
            #expect(try await member.call(.post, "/api/v1/complaints/\(id)/answer", json: ["body": "Wij bieden 20% korting.", "proposal": true]).status == .ok)
            let rejected = try await flow.consumer(id, "joost@consument.test", step: "mediation", reason: "Korting is niet genoeg.")
            #expect(rejected.json["state"] as? String == "mediation", "\(rejected.body)")
            #expect(try await journey.mails(to: "mediator@trustmark.test", kind: "complaint.mediation").count == 1)
            var handling = try #require((try await flow.detail(id, as: mediator)["deadlines"] as? [[String: Any]])?.first)
            #expect(handling["kind"] as? String == "complaint.handling")
            #expect((handling["dueAt"] as? String)?.hasPrefix("2027-01-19T23:00") == true, "five working days from Tuesday 12: \(handling)")
            // The consumer cannot see the trustmark's own clock, the shop does not see it either.
            let asShop = try await flow.detail(id, as: member)
            #expect((asShop["deadlines"] as? [[String: Any]])?.isEmpty == true)

            // A question to the consumer pauses the clock until they answer.
            try await journey.moveTo("2027-01-13")
            #expect(try await mediator.call(.post, "/api/v1/complaints/\(id)/questions", json: ["body": "Welke oplossing wilt u precies?"]).status == .ok)
            handling = try #require((try await flow.detail(id, as: mediator)["deadlines"] as? [[String: Any]])?.first)
            #expect(handling["state"] as? String == "paused")
            try await journey.moveTo("2027-01-15")
            let key = try await flow.consumerKey("joost@consument.test")
            let reply = try await APIClient(client: client).call(.post, "/api/v1/complaints/\(id)/consumer/messages?key=\(key)",
                                                                 json: ["body": "Een nieuwe fiets, zoals besteld."])
            #expect(reply.status == .created, "\(reply.body)")
            handling = try #require((try await flow.detail(id, as: mediator)["deadlines"] as? [[String: Any]])?.first)
            #expect(handling["state"] as? String == "running")
            #expect((handling["dueAt"] as? String)?.hasPrefix("2027-01-21T23:00") == true, "paused Wednesday to Friday adds two working days: \(handling)")

            // Past the trustmark's own deadline: the mediator is told, and the desk lists it as overdue.
            try await journey.moveTo("2027-01-22")
            #expect(try await journey.mails(to: "mediator@trustmark.test", kind: "complaint.reminder").count == 2, "a reminder, then the overdue notice")
            let overdue = try await mediator.call(.get, "/api/v1/complaints?queue=overdue&state=all")
            #expect(overdue.status == .ok, "\(overdue.body)")
            #expect((overdue.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect((overdue.json["items"] as? [[String: Any]])?.first?["overdue"] as? Bool == true)

            // Becom names no dispute committee: referring is refused, closing unresolved is not.
            #expect(try await flow.step(id, ["to": "unresolved", "reason": "Geen akkoord"], as: mediator).status == .ok)
            let refer = try await flow.step(id, ["to": "referred"], as: mediator)
            #expect(refer.status == .conflict)
            #expect(refer.error["code"] as? String == "complaint_no_dispute_body")
            #expect(try await flow.step(id, ["to": "closed", "reason": "Consument verwezen naar de Consumentenombudsdienst"], as: mediator).status == .ok)
            let done = try await flow.detail(id, as: mediator)
            #expect(done["outcome"] as? String == "unresolved")
            let timeline = (done["timeline"] as? [[String: Any]] ?? []).compactMap { $0["to"] as? String }
            #expect(timeline == ["forwarded", "answered", "mediation", "unresolved", "closed"])
        }
    }

    @Test func complaintsAboutTheTrustmarkAndForwardedMailsReachTheRightDesk() async throws {
        let path = try Self.scheme()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestApp.with(scheme: path) { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (slug, _, member) = try await journey.activeMember()
            let mediator = try await flow.mediator()
            let admin = try await journey.api("admin@trustmark.test")
            try await journey.moveTo("2027-01-12")
            // About the trustmark itself: no shop, no waiting, straight to the administrators.
            let aboutUs = try await flow.file(["about": "trustmark", "consumerName": "Ann Peeters", "consumerEmail": "ann@consument.test",
                                               "consumerCountry": "BE", "description": "Niemand belt mij terug."])
            #expect(aboutUs.status == .accepted, "\(aboutUs.body)")
            let confirmed = try await flow.confirm("ann@consument.test")
            #expect(confirmed.json["state"] as? String == "mediation")
            let ownID = try #require(confirmed.json["id"] as? String)
            #expect(try await journey.mails(to: "admin@trustmark.test", kind: "complaint.staff").count == 1)
            #expect(try await mediator.call(.get, "/api/v1/complaints/\(ownID)").status == .notFound, "not in the mediators' queue")
            #expect(try await member.call(.get, "/api/v1/complaints/\(ownID)").status == .notFound)
            let queue = try await admin.call(.get, "/api/v1/complaints?queue=trustmark")
            #expect((queue.json["items"] as? [[String: Any]])?.first?["id"] as? String == ownID)

            // A complaint that came by mail: sender, date, text and the attached picture are taken over.
            let png = Data(ComplaintFlow.png).base64EncodedString()
            let eml = "From: Piet Peeters <piet@consument.test>\r\nDate: Mon, 11 Jan 2027 16:05:00 +0100\r\nSubject: Klacht over fietsen.test\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + "Mijn bestelling B-77 kwam nooit aan.\r\n--b1\r\nContent-Type: image/png; name=\"bewijs.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + png + "\r\n--b1--\r\n"
            let registered = try await mediator.call(.post, "/api/v1/complaints/registrations?shop=fietsen.test", raw: eml,
                                                     headers: ["Content-Type": "message/rfc822"])
            #expect(registered.status == .created, "\(registered.body)")
            #expect(registered.json["state"] as? String == "forwarded")
            #expect(registered.json["consumerEmail"] as? String == "piet@consument.test")
            #expect((registered.json["description"] as? String)?.contains("B-77 kwam nooit aan") == true)
            #expect((registered.json["attachments"] as? [[String: Any]])?.first?["filename"] as? String == "bewijs.png")
            #expect(registered.json["source"] as? String == "mail")
            let notMail = try await mediator.call(.post, "/api/v1/complaints/registrations", raw: "hello", headers: ["Content-Type": "message/rfc822"])
            #expect(notMail.status == .unprocessableContent)
            #expect(notMail.error["code"] as? String == "complaint_eml_invalid")

            // Another member never sees this shop's complaint.
            let other = try await journey.apply(name: "Ander BV", email: "ander@ander.test", domains: ["ander.test"])
            let id = try #require(registered.json["id"] as? String)
            #expect(try await other.member.call(.get, "/api/v1/complaints/\(id)").status == .notFound)
            #expect(try await member.call(.get, "/api/v1/complaints/\(id)").status == .ok)
            let file = try #require((registered.json["attachments"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await other.member.call(.get, "/api/v1/complaints/\(id)/files/\(file)").status == .notFound)
            let download = try await member.call(.get, "/api/v1/complaints/\(id)/files/\(file)")
            #expect(download.status == .ok)
            #expect(Array(download.data) == ComplaintFlow.png)
            _ = slug
        }
    }
}
