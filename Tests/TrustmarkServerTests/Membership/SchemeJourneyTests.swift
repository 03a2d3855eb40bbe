import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// mkbOK (extra shops, inspection by CGD, terminable per term after the first year) and
/// Service-Siegel (pre-check and approval only; its file names no fee) on their own scheme files.
@Suite("mkbOK and Service-Siegel memberships")
struct SchemeJourneyTests {
    @Test func mkbOKInspectionBodyDecidesExtraShopsPayOnceTerminationAtTermEnd() async throws {
        try await TestApp.with(scheme: "mkbok") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let finance = try await journey.api("finance@trustmark.test")
            let (id, member) = try await journey.apply(name: "Twee Winkels BV", email: "ans@twee.test", domains: ["eerste.test", "tweede.test"])

            // Each shop is audited on its own: one criterion fails for both.
            let failing = try #require(journey.scheme.codeOfConduct.criteria.last?.id)
            #expect(try await journey.audit(id, failing: [failing], admin: admin, inspector: inspector) == "changes_requested")
            #expect(try await member.call(.post, "/api/v1/applications/\(id)/recheck").status == .noContent)
            #expect(try await journey.audit(id, admin: admin, inspector: inspector, assign: false) == "audited")

            // CGD gives the permission: the scheme's own administrator cannot approve.
            #expect(try await admin.call(.post, "/api/v1/applications/\(id)/decision", json: ["decision": "approve"]).status == .forbidden)
            let approved = try await journey.decide(id, "approve", as: inspector)
            let membershipID = try #require(approved["membershipId"] as? String)

            // EUR 97.50 for the first shop, a one-time EUR 29.50 for the second, VAT on the total.
            let invoice = try #require(try await journey.invoices(as: member).first)
            #expect(invoice["net"] as? Int == 12700)
            #expect(invoice["gross"] as? Int == 15367)
            #expect((invoice["lines"] as? [[String: Any]])?.count == 2)
            #expect(try await member.call(.get, "/api/v1/memberships/\(membershipID)/contract").status == .notFound, "mkbOK asks for no contract")
            #expect(try await journey.standing(membershipID, as: member) == "awaiting")

            // No contract: approval and payment start the membership that day.
            _ = try await journey.pay(try #require(invoice["id"] as? String), cents: 15367, as: finance)
            let active = try await journey.membership(membershipID, as: member)
            #expect((active["standing"] as? [String: Any])?["until"] as? String == "2027-12-24")
            #expect((active["shops"] as? [[String: Any]])?.allSatisfy { $0["mayShowSeal"] as? Bool == true } == true)

            // Renewal: the annual fee only (the extra-shop contribution was one-time); unpaid -> lapsed; paid -> restored.
            try await journey.moveTo("2027-11-24")
            let finance2 = try await journey.api("finance@trustmark.test")
            let renewal = try #require(try await journey.invoices(as: finance2, status: "open").first)
            #expect(renewal["net"] as? Int == 9750)
            try await journey.moveTo("2027-12-24")
            let member2 = try await journey.api("ans@twee.test")
            #expect(try await journey.standing(membershipID, as: member2) == "lapsed")
            _ = try await journey.pay(try #require(renewal["id"] as? String), cents: 11798, as: try await journey.api("finance@trustmark.test"))
            #expect(try await journey.standing(membershipID, as: member2) == "active")

            // Terminable per term after the first: the membership runs to the end of the paid term.
            let terminated = try await member2.call(.post, "/api/v1/memberships/\(membershipID)/termination")
            #expect(terminated.status == .ok, "\(terminated.body)")
            #expect(terminated.json["endsOn"] as? String == "2028-12-24")
            #expect((terminated.json["standing"] as? [String: Any])?["code"] as? String == "active")
            try await journey.moveTo("2028-12-24")
            #expect(try await journey.standing(membershipID, as: try await journey.api("admin@trustmark.test")) == "ended")
            #expect(try await journey.invoices(as: try await journey.api("finance@trustmark.test"), status: "open").isEmpty, "no renewal after notice")
            #expect(try await journey.listed("no-longer-a-member").isEmpty)
        }
    }

    @Test func mkbOKCancellationIsNotListedBecauseItsSchemeNamesNoList() async throws {
        try await TestApp.with(scheme: "mkbok") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let (id, member) = try await journey.apply(name: "Annuleer BV", email: "bo@annuleer.test", domains: ["annuleer.test"])
            try await journey.audit(id, admin: admin, inspector: inspector)
            _ = try await journey.decide(id, "approve", as: inspector)
            #expect(try await member.call(.post, "/api/v1/applications/\(id)/cancellation").status == .noContent)
            #expect(try await journey.application(id, as: member)["state"] as? String == "cancelled")
            let invoices = try await journey.invoices(as: member)
            #expect(invoices.contains { $0["kind"] as? String == "credit_note" })
            #expect(!invoices.contains { $0["kind"] as? String == "one_time" }, "mkbOK charges no investigation fee")
        }
    }

    @Test func serviceSiegelApprovesWithoutContractOrFeeAndRenewsByItself() async throws {
        try await TestApp.with(scheme: "service-siegel") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let (id, member) = try await journey.apply(name: "Dienst GmbH", email: "uwe@dienst.test", domains: ["dienst.test"])
            let failing = try #require(journey.scheme.codeOfConduct.criteria.first?.id)
            #expect(try await journey.audit(id, failing: [failing], admin: admin, inspector: inspector) == "changes_requested")
            // Nobody asks for the re-check: a reminder after the scheme's fix_reminder_after (14 days).
            try await journey.moveTo("2027-01-06")
            #expect(try await journey.mails(to: "uwe@dienst.test", kind: "reminder").isEmpty)
            try await journey.moveTo("2027-01-07")
            #expect(try await journey.mails(to: "uwe@dienst.test", kind: "reminder").count == 1)
            let member2 = try await journey.api("uwe@dienst.test")
            #expect(try await member2.call(.post, "/api/v1/applications/\(id)/recheck").status == .noContent)
            #expect(try await journey.audit(id, admin: try await journey.api("admin@trustmark.test"), inspector: try await journey.api("inspector@trustmark.test"), assign: false) == "audited")
            let membershipID = try #require(try await journey.decide(id, "approve", as: try await journey.api("admin@trustmark.test"))["membershipId"] as? String)
            #expect(try await journey.invoices(as: member2).isEmpty, "the file names no fee")
            let details = try await journey.membership(membershipID, as: member2)
            #expect((details["standing"] as? [String: Any])?["code"] as? String == "active", "on approval")
            try await journey.moveTo("2028-01-07")
            #expect(try await journey.standing(membershipID, as: try await journey.api("uwe@dienst.test")) == "active", "a free term renews by itself")
            _ = member
        }
    }

    /// The same scheme once its operator has set a fee, as the file's comment asks before use.
    @Test func serviceSiegelWithAnOperatorFeeLapsesUnpaidAndComesBack() async throws {
        let original = try String(contentsOfFile: TestApp.checkout + "/Schemes/service-siegel.yaml", encoding: .utf8)
        let priced = original.replacingOccurrences(of: #"annual_fee: "0.00""#, with: #"annual_fee: "49.00""#)
            .replacingOccurrences(of: "seal_requires: [approval]", with: "seal_requires: [approval, payment]")
        #expect(priced != original)
        let path = NSTemporaryDirectory() + "service-siegel-priced-\(UUID().uuidString).yaml"
        try priced.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestApp.with(scheme: path) { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let finance = try await journey.api("finance@trustmark.test")
            let (id, member) = try await journey.apply(name: "Preis GmbH", email: "ida@preis.test", domains: ["preis.test"])
            try await journey.audit(id, admin: admin, inspector: inspector)
            let membershipID = try #require(try await journey.decide(id, "approve", as: admin)["membershipId"] as? String)
            let invoice = try #require(try await journey.invoices(as: member).first)
            #expect(invoice["gross"] as? Int == 5831, "49.00 + 19% MwSt")
            #expect(try await journey.standing(membershipID, as: member) == "awaiting")
            _ = try await journey.pay(try #require(invoice["id"] as? String), cents: 5831, as: finance)
            #expect(try await journey.standing(membershipID, as: member) == "active")
            try await journey.moveTo("2027-11-24")
            try await journey.moveTo("2027-12-24")
            let finance2 = try await journey.api("finance@trustmark.test")
            #expect(try await journey.standing(membershipID, as: finance2) == "lapsed")
            let renewal = try #require(try await journey.invoices(as: finance2, status: "open").first)
            _ = try await journey.pay(try #require(renewal["id"] as? String), cents: 5831, as: finance2)
            #expect(try await journey.standing(membershipID, as: finance2) == "active")
        }
    }
}
