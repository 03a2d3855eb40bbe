import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Health, metrics, the API description and the clock")
struct OperationsTests {
    @Test func healthzChecksTheDatabase() async throws {
        try await TestApp.with { app, client in
            let reply = try await APIClient(client: client).call(.get, "/healthz")
            #expect(reply.status == .ok)
            #expect(reply.json["status"] as? String == "ok")
            let expected = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].map { $0.isEmpty ? "sqlite" : "postgres" } ?? "sqlite"
            #expect(reply.json["database"] as? String == expected)
        }
    }

    @Test func metricsCountRequestsPerRoute() async throws {
        try await TestApp.with { _, client in
            _ = try await Browser(client).get("/login")
            let text = try await Browser(client).get("/metrics").body
            #expect(text.contains("hb_requests"))
            #expect(text.contains("/login"))
            #expect(text.contains("http_server_request_duration"))
        }
    }

    @Test func everyResponseCarriesARequestIdAndSecurityHeaders() async throws {
        try await TestApp.with { _, client in
            let page = try await Browser(client).get("/")
            #expect(page.headers[.init("X-Request-Id")!]?.isEmpty == false)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.init("X-Content-Type-Options")!] == "nosniff")
        }
    }

    @Test func theClockMovesForwardOnlyAndOnlyWhenSettable() async throws {
        try await TestApp.with { app, client in
            let api = APIClient(client: client)
            let moved = try await api.call(.post, "/api/v1/dev/clock", json: ["advance": "P3D"])
            #expect(moved.status == .ok)
            #expect(moved.json["now"] as? String == "2026-12-27T10:00:00Z")
            #expect(app.clock.now() == ISO8601DateFormatter().date(from: "2026-12-27T10:00:00Z"))
            let set = try await api.call(.post, "/api/v1/dev/clock", json: ["set": "2027-01-02T08:00:00Z"])
            #expect(set.json["now"] as? String == "2027-01-02T08:00:00Z")
            let back = try await api.call(.post, "/api/v1/dev/clock", json: ["set": "2026-01-01T00:00:00Z"], language: "en")
            #expect(back.status == .conflict)
            #expect(back.error["message"] as? String == "The clock only moves forward; it is now 2027-01-02T08:00:00Z.")
            let bad = try await api.call(.post, "/api/v1/dev/clock", json: ["advance": "three days"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.error["field"] as? String == "advance")
            let neither = try await api.call(.post, "/api/v1/dev/clock", json: [String: String]())
            #expect(neither.status == .unprocessableContent)
        }
    }

    @Test func unknownPathsAnswer404InTheReadersLanguage() async throws {
        try await TestApp.with { _, client in
            let page = try await Browser(client, acceptLanguage: "en-GB,en;q=0.8").get("/no/such/page")
            #expect(page.status == .notFound)
            #expect(page.body.contains("This page or item does not exist."))
            let api = try await APIClient(client: client).call(.get, "/api/v1/nothing")
            #expect(api.status == .notFound)
            #expect(api.error["code"] as? String == "no_route")
        }
    }
}

@Suite("Start-up")
struct StartupTests {
    @Test func aSecondInstanceOnABusyPortSaysSo() async throws {
        // setup: one server listening on a free port
        let listener = try await TestApp.freePortListener()
        var config = try TestApp.config()
        config.database = .sqliteInMemory
        config.port = listener.port
        let app = try await buildApplication(config: config)
        // MUT
        do {
            try await app.application.runService()
            Issue.record("the second server should not start")
        } catch {
            // validation
            #expect(StartupFailure.describe(error, config: config) == "--port / TRUSTMARK_PORT: port \(listener.port) on 127.0.0.1 is already in use")
        }
        await app.storage.shutdown()
        try await listener.close()
    }

    @Test func theLinkSigningKeyIsMadeOnceAndKept() async throws {
        try await TestApp.with { app, _ in
            let first = try await ServerSecret.loadOrCreate(on: app.storage.db)
            let second = try await ServerSecret.loadOrCreate(on: app.storage.db)
            #expect(first == second)
            let link = app.linkSigner.sign(purpose: "confirm-email", subject: "c@example.nl", expires: app.clock.now().addingTimeInterval(60))
            #expect(try SignedLink(secret: first).verify(link, purpose: "confirm-email", now: app.clock.now()).subject == "c@example.nl")
        }
    }
}
