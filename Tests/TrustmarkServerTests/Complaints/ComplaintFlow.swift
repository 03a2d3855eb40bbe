import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Drives complaints as their people would: a consumer filing and confirming through the API and
/// their mailed link, the shop answering with its API token, a mediator deciding.
struct ComplaintFlow {
    let journey: Journey
    var app: TrustmarkApp { journey.app }
    var client: any TestClientProtocol { journey.client }

    /// A tiny but real PNG (the header and an IHDR chunk is enough for sniffing).
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]

    static func filing(shop: String, contacted: String, email: String = "joost@consument.test", country: String = "NL",
                       extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "shop": shop, "consumerName": "Joost Jansen", "consumerEmail": email, "consumerCountry": country, "language": "nl",
            "orderNumber": "B-1001", "orderDate": "2026-12-20", "contactedShopOn": contacted, "contactChannel": "email",
            "description": "De fiets kwam beschadigd aan en de webshop reageert niet.", "wish": "Een nieuwe fiets of mijn geld terug.",
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }

    func file(_ body: [String: Any]) async throws -> APIClient.Reply {
        try await APIClient(client: client).call(.post, "/api/v1/complaints", json: body)
    }

    /// The confirmation token from the latest confirmation mail to `email`.
    func confirmToken(_ email: String) async throws -> String {
        let mail = try #require(try await journey.mails(to: email, kind: "complaint.confirm").last)
        return String(try #require(mail.body.components(separatedBy: "/complaints/confirm/").last?.prefix { !$0.isWhitespace }))
    }

    func confirm(_ email: String) async throws -> APIClient.Reply {
        try await APIClient(client: client).call(.post, "/api/v1/complaints/confirmations", json: ["token": try await confirmToken(email)])
    }

    /// Files and confirms; returns the complaint's id.
    func fileAndConfirm(shop: String, contacted: String, email: String = "joost@consument.test", country: String = "NL") async throws -> String {
        let filed = try await file(Self.filing(shop: shop, contacted: contacted, email: email, country: country))
        #expect(filed.status == .accepted, "\(filed.body)")
        let confirmed = try await confirm(email)
        #expect(confirmed.status == .ok, "\(confirmed.body)")
        return try #require(confirmed.json["id"] as? String)
    }

    /// The consumer's key from the latest mail with their link.
    func consumerKey(_ email: String) async throws -> String {
        let mail = try #require(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == email).sort(\.$createdAt, .descending).all()
            .first { $0.body.contains("?key=") })
        return String(try #require(mail.body.components(separatedBy: "?key=").last?.prefix { !$0.isWhitespace }))
    }

    func consumer(_ id: String, _ email: String, step: String, reason: String? = nil) async throws -> APIClient.Reply {
        var body: [String: Any] = ["to": step]
        if let reason { body["reason"] = reason }
        return try await APIClient(client: client).call(.post, "/api/v1/complaints/\(id)/consumer/steps?key=\(try await consumerKey(email))", json: body)
    }

    func detail(_ id: String, as api: APIClient) async throws -> [String: Any] {
        let reply = try await api.call(.get, "/api/v1/complaints/\(id)")
        #expect(reply.status == .ok, "\(reply.body)")
        return reply.json
    }

    func state(_ id: String, as api: APIClient) async throws -> String {
        try await detail(id, as: api)["state"] as? String ?? ""
    }

    func step(_ id: String, _ body: [String: Any], as api: APIClient) async throws -> APIClient.Reply {
        try await api.call(.post, "/api/v1/complaints/\(id)/transitions", json: body)
    }

    /// The public figures, as a visitor sees them once the register's version poll has come round.
    func stats(_ slug: String) async throws -> [String: Any] {
        app.settableClock.advance(by: ISO8601Duration(seconds: 3))
        let reply = try await APIClient(client: client).call(.get, "/api/v1/shops/\(slug)")
        return reply.json["complaints"] as? [String: Any] ?? [:]
    }

    func mediator() async throws -> APIClient {
        try await app.makeUser("mediator@trustmark.test", role: .mediator)
        return try await journey.api("mediator@trustmark.test")
    }
}
