import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The same journey in the pages people use: the public form, the member's portal, the staff
/// queue and audit page, and finance's invoices.
@Suite("Membership pages")
struct MembershipPagesTests {
    static func form(_ version: String, submission: String, vat: String = "NL123456782B01") -> [String: String] {
        ["legal_name": "Boeken BV", "kvk": "12345678", "vat": vat, "street": "Markt 1", "postcode": "1234 AB", "city": "Utrecht", "country": "NL",
         "phone": "030 123 4567", "org_email": "info@boeken.test", "contact_name": "Sara Boek", "contact_email": "sara@boeken.test",
         "shop_name": "Boeken", "shop_domains": "boeken.test", "shop_variant": "consumer", "accept": "yes", "code_version": version, "submission": submission]
    }

    @Test func applyOnTheFormFollowItInThePortalAndAuditItOnTheStaffPages() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let version = journey.scheme.codeOfConduct.version
            let visitor = Browser(client, acceptLanguage: "nl")
            let form = try await visitor.get("/apply")
            #expect(form.status == .ok)
            #expect(form.body.contains("name=\"kvk\""))

            // A wrong VAT number: the form comes back with the message beside the field, nothing stored.
            let wrong = try await visitor.post("/apply", Self.form(version, submission: "s-\(UUID().uuidString)", vat: "NL123456789B01"))
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.body.contains("id=\"vat-error\""))
            #expect(wrong.body.contains("controlecijfers"))
            #expect(wrong.body.contains("value=\"Boeken BV\""), "what was typed stays")
            #expect(try await MembershipApplication.query(on: app.storage.db).count() == 0)

            // Pressing the button twice gives one application and the same confirmation.
            let submission = "s-\(UUID().uuidString)"
            let sent = try await visitor.post("/apply", Self.form(version, submission: submission))
            #expect(sent.status == .created)
            #expect(sent.body.contains("sara@boeken.test"))
            let twice = try await visitor.post("/apply", Self.form(version, submission: submission))
            #expect(twice.status == .created)
            #expect(try await MembershipApplication.query(on: app.storage.db).count() == 1)

            // Staff see it in the queue; the inspector declares and works through the criteria.
            let admin = Browser(client, acceptLanguage: "en")
            try await admin.login("admin@trustmark.test")
            let queue = try await admin.get("/staff/applications")
            #expect(queue.body.contains("Boeken BV"))
            let application = try #require(try await MembershipApplication.query(on: app.storage.db).first())
            let id = try application.requireID().uuidString
            let inspectorID = try await journey.userID("inspector@trustmark.test").uuidString
            #expect(try await admin.post("/staff/applications/\(id)/assign", ["inspector": inspectorID]).status == .seeOther)
            let inspector = Browser(client, acceptLanguage: "en")
            try await inspector.login("inspector@trustmark.test")
            let before = try await inspector.get("/staff/applications/\(id)")
            #expect(before.body.contains("action=\"/staff/applications/\(id)/declare\""))
            #expect(!before.body.contains("name=\"result."), "no findings form before the declaration")
            let declared = try await inspector.post("/staff/applications/\(id)/declare", ["note": ""])
            #expect(declared.status == .seeOther, "\(declared.body)")
            let auditPage = try await inspector.get("/staff/applications/\(id)")
            #expect(auditPage.body.contains("name=\"result."))
            let shop = try #require(try await Shop.query(on: app.storage.db).first()?.id?.uuidString)
            var fields: [String: String] = ["summary": "Checked on the site", "finish": "yes"]
            for (index, criterion) in journey.scheme.codeOfConduct.criteria.enumerated() {
                fields["result.\(shop)|\(criterion.id)"] = index == 0 ? "fail" : "pass"
                fields["note.\(shop)|\(criterion.id)"] = index == 0 ? "No address on the contact page" : ""
                if criterion.kind == .evidenceURL { fields["evidence.\(shop)|\(criterion.id)"] = "https://boeken.test/terms" }
            }
            let recorded = try await inspector.post("/staff/applications/\(id)/findings", fields)
            #expect(recorded.status == .seeOther, "\(recorded.body)")
            // The history reads in words, not in event codes.
            let history = try await inspector.get("/staff/applications/\(id)").body
            #expect(history.contains("Aanvraag ingediend") && history.contains("Geen belangenverstrengeling verklaard") && history.contains("aanvrager"))
            #expect(!history.contains(">application.submitted<"))

            // The member confirms the account, logs in, and reads the fix list in the portal.
            let mail = try #require(try await journey.mails(to: "sara@boeken.test", kind: "application").first)
            let token = try #require(mail.body.components(separatedBy: "/invitations/").last?.prefix { !$0.isWhitespace })
            _ = try await app.users.acceptInvitation(token: String(token), password: Journey.password, confirmation: Journey.password)
            let member = Browser(client, acceptLanguage: "nl")
            try await member.login("sara@boeken.test")
            let portal = try await member.get("/portal/membership")
            #expect(portal.status == .ok)
            #expect(portal.body.contains("No address on the contact page"))
            #expect(portal.body.contains("Keuring ronde 1"), "the audit history: each round's report")
            #expect(portal.body.contains("/portal/applications/\(id)/recheck"))

            // Finance sees no audit findings on the application page, and no invoice exists yet.
            let finance = Browser(client, acceptLanguage: "en")
            try await finance.login("finance@trustmark.test")
            let financeView = try await finance.get("/staff/applications/\(id)")
            #expect(financeView.status == .ok)
            #expect(!financeView.body.contains("No address on the contact page"))
            #expect(try await finance.get("/staff/invoices").status == .ok)
            #expect(try await inspector.get("/staff/invoices").status == .forbidden)
        }
    }

    @Test func theNotAMemberListIsPublic() async throws {
        try await TestApp.with(scheme: "keuronline") { _, client in
            let page = try await Browser(client, acceptLanguage: "nl").get("/lists/not-a-member")
            #expect(page.status == .ok)
            #expect(page.body.contains("GEEN LID"))
            #expect(try await Browser(client).get("/lists/unknown").status == .notFound)
        }
    }
}
