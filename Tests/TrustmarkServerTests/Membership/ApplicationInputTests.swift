import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Applications: bad input, double submission and independence")
struct ApplicationInputTests {
    static func body(_ journey: Journey, domains: [String] = ["winkel.test"], kvk: String = "12345678", vat: String = "NL123456782B01",
                     email: String = "eva@winkel.test") -> [String: Any] {
        Journey.application(name: "Winkel BV", email: email, domains: domains, kvk: kvk, vat: vat, version: journey.scheme.codeOfConduct.version)
    }

    @Test func wrongKvKAndVATNumbersGetAClearMessageInTheCallersLanguage() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let api = APIClient(client: client)
            let kvk = try await api.call(.post, "/api/v1/applications", json: Self.body(journey, kvk: "1234567"), language: "nl")
            #expect(kvk.status == .unprocessableContent)
            #expect(kvk.error["field"] as? String == "organisation.kvk")
            #expect(kvk.error["message"] as? String == "Een KvK-nummer heeft 8 cijfers.")
            let digits = try await api.call(.post, "/api/v1/applications", json: Self.body(journey, vat: "NL123456789B01"), language: "en")
            #expect(digits.error["field"] as? String == "organisation.vatNumber")
            #expect((digits.error["message"] as? String)?.contains("check digits") == true)
            let format = try await api.call(.post, "/api/v1/applications", json: Self.body(journey, vat: "DE12345678"), language: "de")
            #expect(format.error["message"] as? String == "Eine USt-IdNr. aus DE sieht so aus: DE123456789.")
            let domain = try await api.call(.post, "/api/v1/applications", json: Self.body(journey, domains: ["not a domain"]), language: "en")
            #expect(domain.error["field"] as? String == "shops.0.domains")
            #expect(try await Organisation.query(on: app.storage.db).count() == 0, "nothing is stored")
        }
    }

    @Test func aDomainHeldByAnotherMemberIsAConflict() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            _ = try await journey.apply(name: "Eerste BV", email: "een@eerste.test", domains: ["gedeeld.test"])
            let second = try await APIClient(client: client).call(.post, "/api/v1/applications",
                                                                  json: Self.body(journey, domains: ["https://www.Gedeeld.test/shop"], email: "twee@tweede.test"), language: "en")
            #expect(second.status == .conflict)
            #expect(second.error["code"] as? String == "domain_taken")
            #expect((second.error["message"] as? String)?.contains("gedeeld.test") == true)
            #expect(try await Organisation.query(on: app.storage.db).count() == 1)
        }
    }

    @Test func aRepeatedPostWithTheSameIdempotencyKeyReturnsTheFirstResult() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let api = APIClient(client: client)
            let key = ["Idempotency-Key": "apply-\(UUID().uuidString)"]
            let first = try await api.call(.post, "/api/v1/applications", json: Self.body(journey), headers: key)
            let second = try await api.call(.post, "/api/v1/applications", json: Self.body(journey), headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.body == first.body)
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(try await MembershipApplication.query(on: app.storage.db).count() == 1)
            let changed = try await api.call(.post, "/api/v1/applications", json: Self.body(journey, domains: ["ander.test"]), headers: key)
            #expect(changed.status == .unprocessableContent)
            #expect(changed.error["field"] as? String == "Idempotency-Key")
            // Without a key, the second submission is a new request and finds the domain taken.
            #expect(try await api.call(.post, "/api/v1/applications", json: Self.body(journey, email: "x@y.test")).status == .conflict)
        }
    }

    @Test func aTiedInspectorIsNeverAssignedAndInspectorsAndFinanceSeeOnlyTheirPart() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let finance = try await journey.api("finance@trustmark.test")
            let (id, _) = try await journey.apply(name: "Neef BV", email: "neef@neef.test", domains: ["neef.test"])
            let inspectorID = try await journey.userID("inspector@trustmark.test").uuidString
            #expect(try await admin.call(.post, "/api/v1/applications/\(id)/assignment", json: ["inspectorId": inspectorID]).status == .noContent)
            let shop = try #require(try await journey.shopIDs(id, as: inspector).first)
            let early = try await inspector.call(.post, "/api/v1/applications/\(id)/findings", json: ["findings": [["shopId": shop, "criterion": journey.scheme.codeOfConduct.criteria[0].id, "result": "pass"]]])
            #expect(early.status == .conflict, "no findings before the declaration")
            #expect(try await inspector.call(.post, "/api/v1/applications/\(id)/declaration", json: ["conflict": true, "note": "My cousin owns it"]).status == .noContent)
            let again = try await admin.call(.post, "/api/v1/applications/\(id)/assignment", json: ["inspectorId": inspectorID], language: "en")
            #expect(again.status == .conflict)
            #expect(again.error["code"] as? String == "inspector_tied")
            #expect(try await inspector.call(.get, "/api/v1/applications/\(id)").status == .notFound, "no longer assigned")

            // Inspectors never see invoices; finance never sees findings.
            #expect(try await inspector.call(.get, "/api/v1/invoices").status == .forbidden)
            let seenByFinance = try await finance.call(.get, "/api/v1/applications/\(id)")
            #expect(seenByFinance.status == .ok)
            #expect(seenByFinance.json["findings"] == nil)
            #expect(seenByFinance.json["reports"] == nil)
        }
    }

    @Test func membershipResponsesMatchTheirPublishedSchemas() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            let inspector = try await journey.api("inspector@trustmark.test")
            let (id, member) = try await journey.apply(name: "Schema BV", email: "s@schema.test", domains: ["schema.test"])
            try await journey.audit(id, failing: [journey.scheme.codeOfConduct.criteria[0].id], admin: admin, inspector: inspector)
            let doc = try await APIClient(client: client).call(.get, "/openapi.json")
            let schemas = try #require((doc.json["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let check = SchemaCheck(schemas: schemas)
            try check.check(try await admin.call(.get, "/api/v1/applications/\(id)").json, against: "Application")
            try check.check(try await admin.call(.get, "/api/v1/applications?state=changes_requested").json, against: "ApplicationList")
            #expect(try await member.call(.post, "/api/v1/applications/\(id)/recheck").status == .noContent)
            try await journey.audit(id, admin: admin, inspector: inspector, assign: false)
            let approved = try await journey.decide(id, "approve", as: admin)
            try check.check(approved, against: "Application")
            try check.check(try await journey.membership(try #require(approved["membershipId"] as? String), as: member), against: "Membership")
            try check.check(try await member.call(.get, "/api/v1/invoices").json, against: "InvoiceList")
            try check.check(try await APIClient(client: client).call(.get, "/api/v1/lists/not-a-member").json, against: "ListingList")
        }
    }
}
