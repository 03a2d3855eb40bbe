import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// KeurOnline's articles 16, 16a, 21, 22 and 24 from application to renewal, cancellation and
/// termination, on its own scheme file and the settable clock (which starts on 24 December 2026).
@Suite("KeurOnline membership from application to renewal")
struct KeurOnlineJourneyTests {
    static let secret = "a-shared-webhook-secret-for-tests"

    @Test func applyAuditFixApproveSignPayActivateRenewLapseRestore() async throws {
        try await TestApp.with(scheme: "keuronline", extra: ["TRUSTMARK_PAYMENT_WEBHOOK_SECRET": Self.secret]) { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let finance = try await journey.api("finance@trustmark.test")
            let (id, member) = try await journey.apply(name: "Fietsen BV", email: "eva@fietsen.test", domains: ["fietsen.test"])

            // Audit with one failed criterion: the applicant gets the fix list.
            let failing = try #require(journey.scheme.codeOfConduct.criteria.first?.id)
            #expect(try await journey.audit(id, failing: [failing], admin: admin, inspector: inspector) == "changes_requested")
            let fixList = try await journey.mails(to: "eva@fietsen.test", kind: "fix_list")
            #expect(fixList.count == 1)
            #expect(fixList.first?.body.contains("Not found on the site") == true)
            #expect(try await member.call(.post, "/api/v1/applications/\(id)/decision", json: ["decision": "approve"]).status == .forbidden)
            #expect(try await admin.call(.post, "/api/v1/applications/\(id)/decision", json: ["decision": "approve"]).status == .conflict,
                    "no approval while the fix list is open")

            // Fixed; the free re-check passes.
            #expect(try await member.call(.post, "/api/v1/applications/\(id)/recheck").status == .noContent)
            #expect(try await journey.audit(id, admin: admin, inspector: inspector, assign: false) == "audited")
            let approved = try await journey.decide(id, "approve", as: admin)
            #expect(approved["state"] as? String == "approved")
            let membershipID = try #require(approved["membershipId"] as? String)

            // The contract (two copies) and the first invoice: EUR 60 + 21% VAT, term from 1 January.
            let contract = try await member.call(.get, "/api/v1/memberships/\(membershipID)/contract")
            #expect(contract.status == .ok)
            #expect(contract.headers[.contentType] == "application/pdf")
            var invoices = try await journey.invoices(as: member)
            #expect(invoices.count == 1)
            let first = try #require(invoices.first)
            #expect(first["gross"] as? Int == 7260)
            #expect(first["vat"] as? Int == 1260)
            #expect(first["periodStart"] as? String == "2027-01-01")
            #expect((first["number"] as? String)?.hasPrefix("2026-") == true)
            #expect(try await journey.standing(membershipID, as: member) == "awaiting")
            let pdf = try await member.call(.get, "/api/v1/invoices/\(try #require(first["id"] as? String))/pdf")
            #expect(pdf.headers[.contentType] == "application/pdf")
            let invoiceText = try pdfText(pdf.data)
            #expect(invoiceText.contains(try #require(first["number"] as? String)))
            #expect(invoiceText.contains("72,60"), "the total in the member's language")
            #expect(invoiceText.contains("Fietsen BV"))

            // Signed online by the member (name, time, address and hash kept), countersigned by staff.
            let signed = try await member.call(.post, "/api/v1/memberships/\(membershipID)/contract/signature", json: ["name": "Eva de Vries"])
            #expect(signed.status == .ok, "\(signed.body)")
            let signedContract = try #require(signed.json["contract"] as? [String: Any])
            #expect(signedContract["memberSignedName"] as? String == "Eva de Vries")
            #expect((signedContract["sha256"] as? String)?.count == 64)
            #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/contract/signature", json: ["name": "Eva"]).status == .conflict)
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/contract/countersignature").status == .ok)

            // A payment of the wrong amount is recorded; the invoice stays open with the difference.
            let invoiceID = try #require(first["id"] as? String)
            let short = try await journey.pay(invoiceID, cents: 7000, as: finance)
            #expect(short["status"] as? String == "open")
            #expect(short["open"] as? Int == 260)
            #expect(try await journey.standing(membershipID, as: member) == "awaiting")
            let settled = try await journey.pay(invoiceID, cents: 260, as: finance)
            #expect(settled["status"] as? String == "paid")
            #expect(settled["open"] as? Int == 0)

            // Everything done on 24 December: the seal from 1 January, not before.
            var details = try await journey.membership(membershipID, as: member)
            #expect((details["standing"] as? [String: Any])?["from"] as? String == "2027-01-01")
            #expect((details["shops"] as? [[String: Any]])?.first?["mayShowSeal"] as? Bool == false)
            try await journey.moveTo("2027-01-01")
            let member2 = try await journey.api("eva@fietsen.test")
            details = try await journey.membership(membershipID, as: member2)
            #expect((details["standing"] as? [String: Any])?["code"] as? String == "active")
            #expect((details["standing"] as? [String: Any])?["until"] as? String == "2028-01-01")
            #expect((details["shops"] as? [[String: Any]])?.first?["mayShowSeal"] as? Bool == true)

            // One month before expiry the renewal invoice goes out.
            try await journey.moveTo("2027-11-30")
            #expect(try await journey.invoices(as: try await journey.api("finance@trustmark.test")).count == 1)
            try await journey.moveTo("2027-12-01")
            let finance2 = try await journey.api("finance@trustmark.test")
            invoices = try await journey.invoices(as: finance2, status: "open")
            let renewal = try #require(invoices.first { $0["kind"] as? String == "renewal" })
            #expect(renewal["periodStart"] as? String == "2028-01-01")
            #expect(renewal["gross"] as? Int == 7260)

            // Not paid: on 1 January 2028 the seal right is gone, and the member is told.
            try await journey.moveTo("2028-01-01")
            let member3 = try await journey.api("eva@fietsen.test")
            #expect(try await journey.standing(membershipID, as: member3) == "lapsed")
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "seal").contains { $0.subject.contains("niet meer") })

            // The provider's webhook: a forged call is refused, the signed one restores the seal.
            let renewalNumber = try #require(renewal["number"] as? String)
            let body = #"{"invoiceNumber":"\#(renewalNumber)","amount":"72.60","paidOn":"2028-01-01","reference":"psp-123"}"#
            let forged = try await APIClient(client: client).call(.post, "/api/v1/payments/webhook", raw: body,
                                                                  headers: ["Trustmark-Signature": InvoicesService.signature(Data(body.utf8), secret: "wrong-secret-of-some-length")])
            #expect(forged.status == .unauthorized)
            #expect(forged.error["code"] as? String == "bad_signature")
            #expect(try await journey.standing(membershipID, as: member3) == "lapsed", "a forged call changes nothing")
            let genuine = try await APIClient(client: client).call(.post, "/api/v1/payments/webhook", raw: body,
                                                                   headers: ["Trustmark-Signature": InvoicesService.signature(Data(body.utf8), secret: Self.secret)])
            #expect(genuine.status == .ok, "\(genuine.body)")
            #expect(genuine.json["status"] as? String == "paid")
            let again = try await APIClient(client: client).call(.post, "/api/v1/payments/webhook", raw: body,
                                                                 headers: ["Trustmark-Signature": InvoicesService.signature(Data(body.utf8), secret: Self.secret)])
            #expect(again.status == .ok, "the provider's retry is answered, not paid twice")
            #expect((again.json["payments"] as? [Any])?.count == 1)
            details = try await journey.membership(membershipID, as: member3)
            #expect((details["standing"] as? [String: Any])?["code"] as? String == "active")
            #expect((details["standing"] as? [String: Any])?["until"] as? String == "2029-01-01")
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "seal").contains { $0.subject.contains("hersteld") })
        }
    }

    @Test func anUnreturnedContractEndsOnTheNotAMemberListWithTheInvestigationInvoice() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let finance = try await journey.api("finance@trustmark.test")
            let (id, member) = try await journey.apply(name: "Gratis Check BV", email: "jan@gratis.test", domains: ["gratischeck.test"])
            try await journey.audit(id, admin: admin, inspector: inspector)
            _ = try await journey.decide(id, "approve", as: admin)
            #expect(try await journey.listed("not-a-member").isEmpty)

            // 14 days to return the contract (the scheme's contract_return_term); nothing comes.
            try await journey.moveTo("2027-01-07")
            #expect(try await journey.listed("not-a-member").isEmpty)
            try await journey.moveTo("2027-01-08")
            #expect(try await journey.listed("not-a-member") == ["gratischeck.test"])
            let cancelled = try await journey.application(id, as: try await journey.api("admin@trustmark.test"))
            #expect(cancelled["state"] as? String == "cancelled")

            // The membership invoice is credited; the EUR 50 + VAT investigation invoice is sent.
            let all = try await journey.invoices(as: try await journey.api("finance@trustmark.test"))
            #expect(all.first { $0["kind"] as? String == "membership" }?["status"] as? String == "credited")
            #expect(all.contains { $0["kind"] as? String == "credit_note" && $0["gross"] as? Int == -7260 })
            let investigation = try #require(all.first { $0["kind"] as? String == "one_time" })
            #expect(investigation["net"] as? Int == 5000)
            #expect(investigation["gross"] as? Int == 6050)
            #expect(try await journey.mails(to: "jan@gratis.test", kind: "cancellation").first?.body.contains("GEEN LID") == true)

            // Paying it takes the shop off the list (article 16a).
            _ = finance
            _ = member
            _ = try await journey.pay(try #require(investigation["id"] as? String), cents: 6050, as: try await journey.api("finance@trustmark.test"))
            #expect(try await journey.listed("not-a-member").isEmpty)
            // The domain is free again for a new application.
            let reapply = try await APIClient(client: client).call(.post, "/api/v1/applications", json: Journey.application(
                name: "Gratis Check BV", email: "other@gratis.test", domains: ["gratischeck.test"], version: journey.scheme.codeOfConduct.version))
            #expect(reapply.status == .created)
        }
    }

    @Test func voluntaryTerminationIsNeverListedAndRefundsNothing() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let finance = try await journey.api("finance@trustmark.test")
            let (id, member) = try await journey.apply(name: "Stopper BV", email: "piet@stopper.test", domains: ["stopper.test"])
            try await journey.audit(id, admin: admin, inspector: inspector)
            let membershipID = try #require(try await journey.decide(id, "approve", as: admin)["membershipId"] as? String)
            #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/contract/signature", json: ["name": "Piet"]).status == .ok)
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/contract/countersignature").status == .ok)
            let invoice = try #require(try await journey.invoices(as: finance).first?["id"] as? String)
            _ = try await journey.pay(invoice, cents: 7260, as: finance)
            try await journey.moveTo("2027-03-01")
            let member2 = try await journey.api("piet@stopper.test")
            #expect(try await journey.standing(membershipID, as: member2) == "active")

            let ended = try await member2.call(.post, "/api/v1/memberships/\(membershipID)/termination")
            #expect(ended.status == .ok, "\(ended.body)")
            #expect((ended.json["standing"] as? [String: Any])?["code"] as? String == "ended")
            #expect((ended.json["shops"] as? [[String: Any]])?.first?["mayShowSeal"] as? Bool == false)
            for list in ["not-a-member", "no-longer-a-member"] { #expect(try await journey.listed(list).isEmpty) }
            let invoices = try await journey.invoices(as: try await journey.api("finance@trustmark.test"))
            #expect(!invoices.contains { $0["kind"] as? String == "credit_note" }, "no refund of what was paid")
            #expect(try await member2.call(.post, "/api/v1/memberships/\(membershipID)/termination").status == .conflict)
        }
    }

    @Test func bankruptcyEndsAtOnceAndIsListed() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let (id, member) = try await journey.apply(name: "Failliet BV", email: "kees@failliet.test", domains: ["failliet.test"])
            try await journey.audit(id, admin: admin, inspector: inspector)
            let membershipID = try #require(try await journey.decide(id, "approve", as: admin)["membershipId"] as? String)
            #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .forbidden)
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
            #expect(try await journey.standing(membershipID, as: admin) == "ended")
            #expect(try await journey.listed("no-longer-a-member") == ["failliet.test"], "article 25: bankruptcy is listed")
        }
    }

    @Test func aRefusedRuleChangeEndsTheSealRightWithoutAListing() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let (id, member) = try await journey.apply(name: "Weiger BV", email: "wim@weiger.test", domains: ["weiger.test"])
            try await journey.audit(id, admin: admin, inspector: inspector)
            let membershipID = try #require(try await journey.decide(id, "approve", as: admin)["membershipId"] as? String)
            #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/contract/signature", json: ["name": "Wim"]).status == .ok)
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/contract/countersignature").status == .ok)
            _ = try await journey.pay(try #require(try await journey.invoices(as: member).first?["id"] as? String), cents: 7260,
                                      as: try await journey.api("finance@trustmark.test"))
            let change = try await admin.call(.post, "/api/v1/rule-changes", json: ["title": ["nl": "Nieuwe regel"], "summary": ["nl": "Strenger"], "farReaching": true])
            #expect(change.status == .created)
            #expect(try await member.call(.post, "/api/v1/rule-changes/\(try #require(change.json["id"] as? String))/response", json: ["response": "refused"]).status == .noContent)
            try await journey.moveTo("2027-03-01")
            let admin2 = try await journey.api("admin@trustmark.test")
            #expect(try await journey.standing(membershipID, as: admin2) == "active")
            let organisation = try #require(try await journey.membership(membershipID, as: admin2)["organisationId"] as? String)
            let ended = try await admin2.call(.post, "/api/v1/rule-changes/\(try #require(change.json["id"] as? String))/end-membership", json: ["organisationId": organisation])
            #expect(ended.status == .noContent, "\(ended.body)")
            let after = try await journey.membership(membershipID, as: admin2)
            #expect((after["standing"] as? [String: Any])?["code"] as? String == "ended")
            #expect((after["shops"] as? [[String: Any]])?.first?["mayShowSeal"] as? Bool == false)
            for list in ["not-a-member", "no-longer-a-member"] { #expect(try await journey.listed(list).isEmpty) }
        }
    }
}
