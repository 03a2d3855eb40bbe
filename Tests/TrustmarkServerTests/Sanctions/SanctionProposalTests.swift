import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Features other than complaints and reviews that raise sanction proposals: a failed re-check and
/// an invoice left unpaid. Each lands once in the staff queue, with its evidence, until decided.
@Suite("Sanction proposals")
struct SanctionProposalTests {
    @Test func aFailedRecheckRaisesOneProposalWithTheInspectorsFindings() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, _, _, admin, _) = try await SanctionDecisionTests.member(app, client)
            let member = try await journey.api("eva@fietsen.test")
            let membershipID = try #require(try await Membership.query(on: app.storage.db).first()?.id?.uuidString)
            var organisation = Journey.application(name: "Fietsen BV", email: "eva@fietsen.test", domains: [], version: journey.scheme.codeOfConduct.version)["organisation"] as? [String: Any] ?? [:]
            organisation["street"] = "Nieuwe Markt 9"
            #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/registration", json: organisation).status == .noContent)
            let recheck = try #require(try await MembershipApplication.query(on: app.storage.db).filter(\.$kindRaw == "recheck").first()?.id?.uuidString)
            _ = try await journey.audit(recheck, failing: [try #require(journey.scheme.codeOfConduct.criteria.first?.id)], admin: admin,
                                        inspector: try await journey.api("inspector@trustmark.test"))
            _ = try await journey.decide(recheck, "reject", as: admin, note: "Het nieuwe adres staat niet op de site")
            let proposals = try await admin.call(.get, "/api/v1/sanction-proposals").json["items"] as? [[String: Any]] ?? []
            #expect(proposals.count == 1)
            #expect(proposals.first?["source"] as? String == "recheck")
            #expect(proposals.first?["evidence"] as? [String] == ["Het nieuwe adres staat niet op de site"])
        }
    }

    @Test func anInvoiceUnpaidAfterItsReminderAndThePaymentTermRaisesOneProposal() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (journey, _, _, _, _) = try await SanctionDecisionTests.member(app, client)
            // The renewal invoice for 2028 is issued before the term ends and left unpaid.
            try await journey.moveTo("2027-12-10")
            let renewal = try #require(try await Invoice.query(on: app.storage.db).filter(\.$kindRaw == "renewal").first())
            try await journey.moveTo(Day(renewal.dueOn)!.adding(days: 1).description)
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "reminder").count == 1)
            var staff = try await journey.api("admin@trustmark.test")
            #expect(try await staff.call(.get, "/api/v1/sanction-proposals").json["total"] as? Int == 0, "a reminder first")
            let reminded = try #require(try await Invoice.find(renewal.id, on: app.storage.db)?.remindedAt)
            let term = try #require(journey.scheme.membership?.paymentTerm)
            let after = Day(reminded, in: app.scheme.timeZone).adding(term, calendar: app.memberships.desk.calendar).adding(days: 1)
            try await journey.moveTo(after.description)
            try await journey.moveTo(after.adding(days: 1).description)
            staff = try await journey.api("admin@trustmark.test")
            let items = try await staff.call(.get, "/api/v1/sanction-proposals").json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1, "once, however many days pass")
            #expect(items.first?["source"] as? String == "invoices")
            #expect((items.first?["evidence"] as? [String])?.first?.contains(renewal.number) == true, "\(items)")
        }
    }
}
