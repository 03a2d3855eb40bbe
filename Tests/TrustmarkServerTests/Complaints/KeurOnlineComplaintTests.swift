import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// KeurOnline article 14: the consumer first gives the shop 2 working days; complaints are not
/// anonymous; the shop reads them in its portal; unresolved ones go to Geschilonline, whose ruling
/// binds, and the fee includes a guarantee fund.
@Suite("Complaints under KeurOnline")
struct KeurOnlineComplaintTests {
    @Test func tooEarlyAndNotAMemberAreRefusedThenTheShopAnswersAndTheConsumerAccepts() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (slug, _, member) = try await journey.activeMember()
            // New Year's Day, a Friday: contacted the shop on Thursday 31 December. Working days
            // after it: not 1 January (holiday) nor the weekend, so Monday 4 and Tuesday 5.
            try await journey.moveTo("2027-01-01")
            let early = try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-31"))
            #expect(early.status == .unprocessableContent)
            #expect(early.error["code"] as? String == "complaint_too_early")
            #expect((early.error["details"] as? [String: String])?["earliestDate"] == "2027-01-06")
            #expect((early.error["message"] as? String)?.contains("6 januari 2027") == true, "\(early.body)")

            let stranger = try await flow.file(ComplaintFlow.filing(shop: "https://www.onbekend-winkeltje.test/", contacted: "2026-12-28"))
            #expect(stranger.status == .unprocessableContent)
            #expect(stranger.error["code"] as? String == "complaint_not_member")
            #expect((stranger.error["message"] as? String)?.contains("onbekend-winkeltje.test") == true)
            #expect(try await Complaint.query(on: app.storage.db).count() == 0, "refused complaints leave nothing behind")

            try await journey.moveTo("2027-01-06")
            let filed = try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-31",
                                                                 extra: ["attachments": [["filename": "schade.png", "data": Data(ComplaintFlow.png).base64EncodedString()]]]))
            #expect(filed.status == .accepted, "\(filed.body)")
            #expect(filed.json["state"] as? String == "unconfirmed")
            // Not a complaint yet: the shop sees nothing until the consumer confirms.
            #expect((try await member.call(.get, "/api/v1/complaints").json["total"] as? Int) == 0)
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "complaint.forwarded").isEmpty)

            let sealVersion = try await SealVersion.current(on: app.storage.db)
            let confirmed = try await flow.confirm("joost@consument.test")
            #expect(confirmed.status == .ok, "\(confirmed.body)")
            #expect(confirmed.json["state"] as? String == "forwarded")
            #expect(try await SealVersion.current(on: app.storage.db) == sealVersion, "a complaint leaves every seal cache alone")
            let id = try #require(confirmed.json["id"] as? String)
            #expect((confirmed.json["reference"] as? String)?.hasPrefix("C-2027-") == true)
            let forwardedMail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "complaint.forwarded").first)
            #expect(forwardedMail.subject.contains("8 januari 2027"), "two working days from Wednesday: \(forwardedMail.subject)")
            #expect(!forwardedMail.body.contains("joost@consument.test"), "the shop gets no more of the consumer's data than it needs")

            let again = try await flow.confirm("joost@consument.test")
            #expect(again.status == .conflict)
            #expect(again.error["code"] as? String == "complaint_already_confirmed")

            // The shop reads it in its portal (without the consumer's address) and answers in time.
            let seen = try await flow.detail(id, as: member)
            #expect(seen["consumerEmail"] == nil || seen["consumerEmail"] is NSNull)
            #expect((seen["attachments"] as? [[String: Any]])?.first?["filename"] as? String == "schade.png")
            // What the API sends is what /openapi.json promises.
            let document = try await APIClient(client: client).call(.get, "/openapi.json").json
            let check = SchemaCheck(schemas: try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any]))
            try check.check(seen, against: "Complaint")
            try check.check(filed.json, against: "ComplaintIntakeReceipt")
            try check.check(confirmed.json, against: "ComplaintConfirmed")
            try check.check(try await member.call(.get, "/api/v1/complaints").json, against: "ComplaintList")
            try check.check(early.json, against: "Error")
            let answered = try await member.call(.post, "/api/v1/complaints/\(id)/answer", json: ["body": "Excuses, er gaat vandaag een nieuwe fiets op weg."])
            #expect(answered.status == .ok, "\(answered.body)")
            #expect(answered.json["state"] as? String == "answered")
            #expect(!(try await journey.mails(to: "joost@consument.test", kind: "complaint.message")).isEmpty, "the consumer hears of the answer")

            let accepted = try await flow.consumer(id, "joost@consument.test", step: "resolved")
            #expect(accepted.status == .ok, "\(accepted.body)")
            #expect(accepted.json["state"] as? String == "resolved")
            #expect(accepted.json["outcome"] as? String == "accepted_answer")

            let late = try await member.call(.post, "/api/v1/complaints/\(id)/answer", json: ["body": "Nog iets"])
            #expect(late.status == .conflict)
            #expect(late.error["code"] as? String == "complaint_closed")

            let stats = try await flow.stats(slug)
            #expect(stats["received12Months"] as? Int == 1)
            #expect(stats["resolvedPercent"] as? Int == 100)
            #expect(stats["medianHoursToFirstAnswer"] as? Int == 0)
        }
    }

    @Test func aSilentShopIsRemindedMarkedAndTheDisputeEndsInAGuaranteeClaim() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (slug, _, member) = try await journey.activeMember()
            let mediator = try await flow.mediator()
            try await journey.moveTo("2027-01-06")
            let id = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")

            // Due at the end of Friday 8 January; reminded a working day before.
            try await journey.moveTo("2027-01-08")
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "complaint.reminder").count == 1)
            #expect(try await flow.state(id, as: member) == "forwarded")
            try await journey.moveTo("2027-01-11")
            #expect(try await flow.state(id, as: member) == "no_answer")
            #expect(try await journey.mails(to: "joost@consument.test", kind: "complaint.no_answer").count == 1)
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "complaint.no_answer").count == 1)
            #expect(try await flow.stats(slug)["noAnswer12Months"] as? Int == 1)

            // A step the workflow forbids names the ones it allows.
            let refused = try await flow.step(id, ["to": "resolved", "reason": "Opgelost"], as: mediator)
            #expect(refused.status == .conflict)
            #expect(refused.error["code"] as? String == "complaint_transition_refused")
            #expect((refused.error["details"] as? [String: String])?["allowed"] == "mediation")
            #expect((refused.error["message"] as? String)?.contains("mediation") == true)

            #expect(try await flow.step(id, ["to": "mediation"], as: mediator).status == .ok)
            let noReason = try await flow.step(id, ["to": "unresolved"], as: mediator)
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.error["field"] as? String == "reason")
            #expect(try await flow.step(id, ["to": "unresolved", "reason": "De webshop weigert elke oplossing."], as: mediator).status == .ok)
            let referred = try await flow.step(id, ["to": "referred", "disputeReference": "GO-2027-17"], as: mediator)
            #expect(referred.status == .ok, "\(referred.body)")
            let dispute = try #require(referred.json["dispute"] as? [String: Any])
            #expect(dispute["body"] as? String == "Geschilonline")
            #expect((dispute["fee"] as? String)?.contains("14,95") == true, "the fee from the scheme: \(dispute)")

            let dossier = try await mediator.call(.get, "/api/v1/complaints/\(id)/dossier.pdf")
            #expect(dossier.status == .ok)
            #expect(dossier.data.starts(with: Data("%PDF".utf8)))
            let zip = try await mediator.call(.get, "/api/v1/complaints/\(id)/attachments.zip")
            #expect(zip.status == .ok)
            #expect(zip.data.starts(with: Data([0x50, 0x4B])), "an (empty) ZIP archive")
            #expect(try await member.call(.get, "/api/v1/complaints/\(id)/dossier.pdf").status == .forbidden)

            #expect(try await flow.step(id, ["to": "ruled", "rulingOutcome": "for_consumer", "rulingSummary": "Terugbetaling van de koopsom."],
                                        as: mediator).status == .ok)
            let missing = try await flow.step(id, ["to": "closed", "reason": "Termijn verstreken"], as: mediator)
            #expect(missing.error["field"] as? String == "complied")
            let closed = try await flow.step(id, ["to": "closed", "reason": "Niet betaald binnen de termijn", "complied": false], as: mediator)
            #expect(closed.status == .ok, "\(closed.body)")
            #expect(closed.json["outcome"] as? String == "ruling_not_complied")
            #expect((closed.json["dispute"] as? [String: Any])?["guaranteeClaim"] as? String == "open")
            #expect(try await journey.mails(to: "joost@consument.test", kind: "complaint.guarantee").count == 1)
            let stats = try await flow.stats(slug)
            #expect(stats["unresolved12Months"] as? Int == 1)
            #expect(stats["noAnswer12Months"] as? Int == 1)
        }
    }

    @Test func badFilesAreRefusedWithNothingStored() async throws {
        try await TestApp.with(scheme: "keuronline", extra: ["TRUSTMARK_ATTACHMENT_MAX_KB": "16"]) { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            _ = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            func file(_ name: String, _ bytes: [UInt8]) async throws -> APIClient.Reply {
                try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-31",
                                                         extra: ["attachments": [["filename": "bon.png", "data": Data(ComplaintFlow.png).base64EncodedString()],
                                                                                 ["filename": name, "data": Data(bytes).base64EncodedString()]]]))
            }
            let disguised = try await file("foto.jpg", Array("%PDF-1.4\n1 0 obj".utf8))
            #expect(disguised.status == .unsupportedMediaType)
            #expect(disguised.error["code"] as? String == "attachment_disguised")
            let script = try await file("foto.png", Array("<script>alert(1)</script>".utf8))
            #expect(script.status == .unsupportedMediaType)
            let large = try await file("groot.png", ComplaintFlow.png + [UInt8](repeating: 0, count: 20 * 1024))
            #expect(large.status == .contentTooLarge)
            #expect((large.error["message"] as? String)?.contains("16 KB") == true, "\(large.body)")
            let broken = try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-31",
                                                                  extra: ["attachments": [["filename": "a.png", "data": "***"]]]))
            #expect(broken.status == .unprocessableContent)
            #expect(try await Complaint.query(on: app.storage.db).count() == 0)
            #expect(try await ComplaintAttachment.query(on: app.storage.db).count() == 0)
            let folder = app.config.dataDirectory + "/attachments/complaints"
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).isEmpty, "no file left on disk")

            // An unconfirmed complaint expires with its files after the scheme's confirm_within.
            let kept = try await flow.file(ComplaintFlow.filing(shop: "fietsen.test", contacted: "2026-12-31",
                                                                extra: ["attachments": [["filename": "bon.png", "data": Data(ComplaintFlow.png).base64EncodedString()]]]))
            #expect(kept.status == .accepted)
            #expect(try await ComplaintAttachment.query(on: app.storage.db).count() == 1)
            try await journey.moveTo("2027-01-14")
            #expect(try await Complaint.query(on: app.storage.db).count() == 0)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).isEmpty)
            let stale = try await flow.confirm("joost@consument.test")
            #expect(stale.status == .notFound)
            #expect(stale.error["code"] as? String == "complaint_link_unknown")
        }
    }

    @Test func repeatedUnansweredComplaintsRaiseOneSanctionProposalAndASilentConsumerClosesTheComplaint() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (slug, _, member) = try await journey.activeMember()
            let admin = try await journey.api("admin@trustmark.test")
            try await journey.moveTo("2027-01-06")
            var ids: [String] = []
            for index in 1...4 {
                ids.append(try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31", email: "klant\(index)@consument.test"))
            }
            // The shop answers the last one only; the other three pass their deadline unanswered.
            #expect(try await member.call(.post, "/api/v1/complaints/\(ids[3])/answer", json: ["body": "Opgelost: het geld is teruggestort."]).status == .ok)
            #expect(try await admin.call(.get, "/api/v1/sanction-proposals").json["total"] as? Int == 0)
            try await journey.moveTo("2027-01-11")
            let proposals = try await admin.call(.get, "/api/v1/sanction-proposals")
            #expect(proposals.json["total"] as? Int == 1, "the scheme's threshold of 3, once: \(proposals.body)")
            let evidence = ((proposals.json["items"] as? [[String: Any]])?.first?["evidence"] as? [String]) ?? []
            #expect(evidence.count == 3)
            #expect(evidence.allSatisfy { $0.hasSuffix("no_answer") })
            #expect(try await journey.mails(to: "admin@trustmark.test", kind: "sanction.proposal").count == 1)
            let stats = try await flow.stats(slug)
            #expect(stats["received12Months"] as? Int == 4)
            #expect(stats["noAnswer12Months"] as? Int == 3)

            // The consumer of the answered complaint never reacts: reminded a working day before the
            // scheme's 10 working days run out, then the complaint closes without their reply.
            try await journey.moveTo("2027-01-19")
            #expect(try await flow.state(ids[3], as: member) == "answered")
            try await journey.moveTo("2027-01-20")
            #expect(try await journey.mails(to: "klant4@consument.test", kind: "complaint.reminder").count == 1)
            try await journey.moveTo("2027-01-21")
            let closed = try await flow.detail(ids[3], as: member)
            #expect(closed["state"] as? String == "closed")
            #expect(closed["outcome"] as? String == "no_reply")
        }
    }
}
