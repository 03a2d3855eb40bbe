import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Drives a membership through the API as its people would: an applicant, an administrator, an
/// inspector and finance staff, with the settable clock for the passing of days.
struct Journey {
    let app: TrustmarkApp
    let client: any TestClientProtocol

    static let password = "correct horse battery"

    var scheme: Scheme { app.scheme.scheme }

    /// Staff accounts every journey needs.
    func staff() async throws {
        try await app.makeUser("admin@trustmark.test", role: .admin)
        try await app.makeUser("inspector@trustmark.test", role: .inspector)
        try await app.makeUser("finance@trustmark.test", role: .finance)
    }

    func api(_ email: String) async throws -> APIClient { try await APIClient.signedIn(client, email) }

    func userID(_ email: String) async throws -> UUID {
        try #require(try await User.query(on: app.storage.db).filter(\.$email == email).first()?.id)
    }

    static func application(name: String, email: String, domains: [String], kvk: String = "12345678", vat: String = "NL123456782B01",
                            country: String = "NL", version: String) -> [String: Any] {
        [
            "organisation": ["legalName": name, "kvk": kvk, "vatNumber": vat, "street": "Markt 1", "postcode": "1234 AB", "city": "Utrecht",
                             "country": country, "phone": "+31 30 123 4567", "email": email],
            "contact": ["name": "Eva de Vries", "email": email],
            "shops": domains.map { ["name": $0.components(separatedBy: ".")[0].capitalized, "domains": [$0]] },
            "codeOfConductVersion": version,
            "acceptCodeOfConduct": true,
        ]
    }

    /// Applies through the API and confirms the account through the link in the mail.
    func apply(name: String, email: String, domains: [String]) async throws -> (id: String, member: APIClient) {
        let reply = try await APIClient(client: client).call(.post, "/api/v1/applications",
                                                            json: Self.application(name: name, email: email, domains: domains, version: scheme.codeOfConduct.version))
        #expect(reply.status == .created, "\(reply.body)")
        let application = try #require(reply.json["application"] as? [String: Any])
        let id = try #require(application["id"] as? String)
        let mail = try #require(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == email).filter(\.$kind == "application").first())
        let token = try #require(mail.body.components(separatedBy: "/invitations/").last?.prefix { !$0.isWhitespace })
        _ = try await app.users.acceptInvitation(token: String(token), password: Self.password, confirmation: Self.password)
        return (id, try await api(email))
    }

    func application(_ id: String, as client: APIClient) async throws -> [String: Any] {
        let reply = try await client.call(.get, "/api/v1/applications/\(id)")
        #expect(reply.status == .ok, "\(reply.body)")
        return reply.json
    }

    func shopIDs(_ id: String, as client: APIClient) async throws -> [String] {
        (try await application(id, as: client)["shops"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// Assigns the inspector, who declares no tie and assesses every criterion of every shop:
    /// `failing` criteria fail, the rest pass. Returns the report's resulting state.
    @discardableResult
    func audit(_ id: String, failing: Set<String> = [], admin: APIClient, inspector: APIClient, assign: Bool = true) async throws -> String {
        if assign {
            let assigned = try await admin.call(.post, "/api/v1/applications/\(id)/assignment", json: ["inspectorId": try await userID("inspector@trustmark.test").uuidString])
            #expect(assigned.status == .noContent, "\(assigned.body)")
            let declared = try await inspector.call(.post, "/api/v1/applications/\(id)/declaration", json: ["conflict": false])
            #expect(declared.status == .noContent, "\(declared.body)")
        }
        var findings: [[String: Any]] = []
        for shop in try await shopIDs(id, as: inspector) {
            for criterion in scheme.codeOfConduct.criteria {
                let fail = failing.contains(criterion.id)
                var finding: [String: Any] = ["shopId": shop, "criterion": criterion.id, "result": fail ? "fail" : "pass"]
                if fail { finding["note"] = "Not found on the site" }
                if criterion.kind == .evidenceURL { finding["evidenceUrl"] = "https://example.org/evidence" }
                findings.append(finding)
            }
        }
        let recorded = try await inspector.call(.post, "/api/v1/applications/\(id)/findings", json: ["findings": findings])
        #expect(recorded.status == .noContent, "\(recorded.body)")
        let report = try await inspector.call(.post, "/api/v1/applications/\(id)/report", json: ["summary": "Checked the shop"])
        #expect(report.status == .ok, "\(report.body)")
        return report.json["state"] as? String ?? ""
    }

    func decide(_ id: String, _ decision: String, as client: APIClient, note: String = "") async throws -> [String: Any] {
        let reply = try await client.call(.post, "/api/v1/applications/\(id)/decision", json: ["decision": decision, "note": note])
        #expect(reply.status == .ok, "\(reply.body)")
        return reply.json
    }

    func membership(_ id: String, as client: APIClient) async throws -> [String: Any] {
        let reply = try await client.call(.get, "/api/v1/memberships/\(id)")
        #expect(reply.status == .ok, "\(reply.body)")
        return reply.json
    }

    func standing(_ id: String, as client: APIClient) async throws -> String {
        (try await membership(id, as: client)["standing"] as? [String: Any])?["code"] as? String ?? ""
    }

    func invoices(as client: APIClient, status: String? = nil) async throws -> [[String: Any]] {
        let reply = try await client.call(.get, "/api/v1/invoices" + (status.map { "?status=\($0)" } ?? ""))
        #expect(reply.status == .ok, "\(reply.body)")
        return reply.json["items"] as? [[String: Any]] ?? []
    }

    func pay(_ invoiceID: String, cents: Int, as finance: APIClient, reference: String = "bank") async throws -> [String: Any] {
        let reply = try await finance.call(.post, "/api/v1/invoices/\(invoiceID)/payments",
                                           json: ["amount": String(format: "%d.%02d", cents / 100, cents % 100), "paidOn": today(), "reference": reference])
        #expect(reply.status == .created, "\(reply.body)")
        return reply.json
    }

    func today() -> String { Day(app.clock.now(), in: app.scheme.timeZone).description }

    /// Moves the clock to 10:00 on `day` through the developers' clock, which runs the daily jobs.
    func moveTo(_ day: String) async throws {
        let reply = try await APIClient(client: client).call(.post, "/api/v1/dev/clock", json: ["set": "\(day)T10:00:00Z"])
        #expect(reply.status == .ok, "\(reply.body)")
    }

    func mails(to email: String, kind: String) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == email).filter(\.$kind == kind).sort(\.$createdAt).all()
    }

    func listed(_ list: String) async throws -> [String] {
        let reply = try await APIClient(client: client).call(.get, "/api/v1/lists/\(list)")
        return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["domains"] as? [String])?.first }
    }

    /// A KeurOnline member approved, signed and paid on the first day (its term starts on 1 January):
    /// the shop's slug, the membership and the member's client.
    func activeMember(domain: String = "fietsen.test") async throws -> (slug: String, membershipID: String, member: APIClient) {
        try await staff()
        return try await anotherActiveMember(name: "Fietsen BV", email: "eva@fietsen.test", domain: domain)
    }

    /// One more member approved, signed and paid, the staff being there already.
    func anotherActiveMember(name: String, email: String, domain: String) async throws -> (slug: String, membershipID: String, member: APIClient) {
        let admin = try await api("admin@trustmark.test")
        let inspector = try await api("inspector@trustmark.test")
        let (id, member) = try await apply(name: name, email: email, domains: [domain])
        try await audit(id, admin: admin, inspector: inspector)
        let membershipID = try #require(try await decide(id, "approve", as: admin)["membershipId"] as? String)
        #expect(try await member.call(.post, "/api/v1/memberships/\(membershipID)/contract/signature", json: ["name": "Eva"]).status == .ok)
        #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/contract/countersignature").status == .ok)
        // The first invoice in full, whatever the scheme charges.
        let invoice = try #require(try await invoices(as: member).first)
        _ = try await pay(try #require(invoice["id"] as? String), cents: try #require(invoice["gross"] as? Int), as: try await api("finance@trustmark.test"))
        let slug = try #require(try await ShopDomain.query(on: app.storage.db).filter(\.$domain == domain).with(\.$shop).first()?.shop.slug)
        return (slug, membershipID, member)
    }
}
