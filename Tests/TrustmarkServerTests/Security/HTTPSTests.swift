import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import TrustmarkServer

@Suite("Served over HTTPS")
struct HTTPSTests {
    @Test func behindHTTPSEveryAnswerAsksForHTTPSAndCookiesAreSecure() async throws {
        try await TestApp.with(extra: ["TRUSTMARK_BASE_URL": "https://keurmerk.example"]) { app, client in
            // setup
            try await app.makeUser("eva@trustmark.test", role: .admin)
            // MUT
            let browser = Browser(client)
            let home = try await browser.get("/")
            let login = try await browser.post("/login", ["email": "eva@trustmark.test", "password": "correct horse battery"])
            // validation: HSTS, no inline scripts allowed, no framing, and the session cookie HttpOnly, Secure, SameSite=Lax
            #expect(home.headers[.strictTransportSecurity]?.hasPrefix("max-age=") == true)
            let policy = try #require(home.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
            #expect(home.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            let session = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("trustmark_session=") })
            #expect(session.contains("HttpOnly") && session.contains("Secure") && session.contains("SameSite=Lax"))
        }
        try await TestApp.with { _, client in
            // Plain HTTP (development): no HSTS, which would lock a browser out of a local server.
            let page = try await Browser(client).get("/")
            #expect(page.headers[.strictTransportSecurity] == nil)
        }
    }
}
