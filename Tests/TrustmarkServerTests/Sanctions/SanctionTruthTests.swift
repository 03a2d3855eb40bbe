import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// What every public face says about one shop: the seal, the verification page, the directory, the
/// public API and the warning lists.
struct SanctionTruth {
    let status: String
    let sealSays: String
    let pageSays: Bool
    let inDirectory: Bool
    let listed: Bool

    static func read(_ client: any TestClientProtocol, _ slug: String) async throws -> SanctionTruth {
        let visitor = APIClient(client: client)
        let facts = try await visitor.call(.get, "/api/v1/shops/\(slug)", language: "en").json
        let status = facts["status"] as? String ?? "?"
        let text = facts["statusText"] as? String ?? "?"
        let seal = try await visitor.call(.get, "/seal/\(slug).svg?lang=en").body
        let words = ["Valid member", "Suspended", "Revoked", "Not a member"].first { seal.contains($0) } ?? "?"
        let page = try await visitor.call(.get, "/shops/\(slug)", language: "en").body
        let directory = try await visitor.call(.get, "/api/v1/shops?q=Fietsen").json["items"] as? [[String: Any]] ?? []
        let warnings = try await visitor.call(.get, "/api/v1/warnings").json["items"] as? [[String: Any]] ?? []
        return SanctionTruth(status: status, sealSays: words, pageSays: page.contains(HTMLPageContentType().escapeText(text)),
                             inDirectory: directory.contains { $0["slug"] as? String == slug },
                             listed: warnings.contains { ($0["domains"] as? [String])?.contains("fietsen.test") == true })
    }

    /// The faces agree: the seal's words are the status, the page shows the API's text, and the
    /// directory and the lists hold the shop exactly when it is (not) a valid member.
    func agrees(_ expected: String) -> Bool {
        let words = ["valid": "Valid member", "suspended": "Suspended", "revoked": "Revoked"][expected]
        return status == expected && sealSays == words && pageSays && inDirectory == (expected == "valid") && listed == (expected != "valid")
    }
}

@Suite("Sanctions: one source of truth")
struct SanctionTruthTests {
    @Test func theSealThePageTheDirectoryAndTheAPIAgreeAtEveryStep() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let (_, slug, shop, admin, board) = try await SanctionDecisionTests.member(app, client)
            func settle() { app.settableClock.advance(by: ISO8601Duration(seconds: 3)) }
            var truth = try await SanctionTruth.read(client, slug)
            #expect(truth.agrees("valid"), "\(truth)")

            let suspension = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "suspension", "until": "2027-02-28", "reason": "x"])
                .json["id"] as? String)
            settle()
            truth = try await SanctionTruth.read(client, slug)
            #expect(truth.agrees("suspended"), "\(truth)")

            #expect(try await admin.call(.post, "/api/v1/sanctions/\(suspension)/resolution", json: ["reason": "Hersteld"]).status == .ok)
            settle()
            truth = try await SanctionTruth.read(client, slug)
            #expect(truth.agrees("valid"), "\(truth)")

            let revocation = try #require(try await admin.call(.post, "/api/v1/sanctions", json: ["shopId": shop, "kind": "revocation", "reason": "y"]).json["id"] as? String)
            settle()
            truth = try await SanctionTruth.read(client, slug)
            #expect(truth.agrees("valid"), "awaiting confirmation changes nothing: \(truth)")
            #expect(try await board.call(.post, "/api/v1/sanctions/\(revocation)/confirmation").status == .ok)
            settle()
            truth = try await SanctionTruth.read(client, slug)
            #expect(truth.agrees("revoked"), "\(truth)")
        }
    }
}
