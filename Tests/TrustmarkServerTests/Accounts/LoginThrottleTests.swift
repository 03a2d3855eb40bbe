import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Guessing passwords and flooding forms")
struct LoginThrottleTests {
    static func token(_ client: any TestClientProtocol, _ email: String, _ password: String, language: String = "en") async throws -> APIClient.Reply {
        try await APIClient(client: client).call(.post, "/api/v1/auth/token", json: ["email": email, "password": password], language: language)
    }

    @Test func anAccountIsLockedAfterFiveWrongPasswordsAndItsOwnerIsTold() async throws {
        try await TestApp.with { app, client in
            // setup
            try await app.makeUser("eva@trustmark.test", role: .admin)
            // MUT: five wrong guesses
            for _ in 1...LoginPolicy.perAccount {
                #expect(try await Self.token(client, "eva@trustmark.test", "wrong guess").status == .unauthorized)
            }
            // validation: now even the right password waits, with Retry-After, and the owner got one mail.
            let locked = try await Self.token(client, "eva@trustmark.test", "correct horse battery")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.error["code"] as? String == "account_locked")
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 800)
            #expect((locked.error["message"] as? String)?.contains("15 minutes") == true)
            let mails = try await OutboxMessage.query(on: app.storage.db).filter(\.$kind == "login_locked").all()
            #expect(mails.count == 1 && mails.first?.recipient == "eva@trustmark.test")
            // The sign-in page says so in the reader's language.
            let page = try await Browser(client).post("/login", ["email": "eva@trustmark.test", "password": "correct horse battery"])
            #expect(page.status == .tooManyRequests)
            #expect(page.body.contains("tijdelijk op slot"))
            // After the window the right password works again, and the count starts afresh.
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT16M"))
            #expect(try await Self.token(client, "eva@trustmark.test", "correct horse battery").status == .created)
            #expect(try await LoginFailure.query(on: app.storage.db).filter(\.$email == "eva@trustmark.test").count() == 0)
        }
    }

    @Test func oneAddressTryingManyAccountsIsToldToWait() async throws {
        try await TestApp.with { app, client in
            for attempt in 0..<LoginPolicy.perAddress {
                #expect(try await Self.token(client, "nobody-\(attempt)@example.org", "guess").status == .unauthorized)
            }
            let refused = try await Self.token(client, "someone-else@example.org", "guess", language: "de")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.error["code"] as? String == "login_throttled")
            #expect((refused.error["message"] as? String)?.contains("Minuten") == true)
            #expect(try await OutboxMessage.query(on: app.storage.db).count() == 0, "unknown accounts get no mail")
        }
    }

    @Test func publicFormsAreLimitedPerAddressAndForm() async throws {
        try await TestApp.with(extra: ["TRUSTMARK_FORM_RATE": "2"]) { app, client in
            let api = APIClient(client: client)
            for _ in 0..<2 {
                #expect(try await api.call(.post, "/api/v1/auth/password-reset", json: ["email": "a@example.org"]).status == .accepted)
            }
            let third = try await api.call(.post, "/api/v1/auth/password-reset", json: ["email": "a@example.org"], language: "nl")
            #expect(third.status == .tooManyRequests)
            #expect(Int(third.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect((third.error["message"] as? String)?.contains("seconden") == true)
            // Another form is counted apart; the page form shares the API's count.
            #expect(try await api.call(.post, "/api/v1/complaints", json: ["shop": "x"]).status != .tooManyRequests)
            #expect(try await Browser(client).post("/password/forgot", ["email": "a@example.org"]).status == .tooManyRequests)
            // Half a minute later one more is allowed (two a minute).
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT31S"))
            #expect(try await api.call(.post, "/api/v1/auth/password-reset", json: ["email": "a@example.org"]).status == .accepted)
        }
        #expect(FormRateLimitMiddleware.form(of: "/shops/fietsen-1a2b/review") == "review")
        #expect(FormRateLimitMiddleware.form(of: "/api/v1/reviews/9A1F/flags") == "flag")
        #expect(FormRateLimitMiddleware.form(of: "/api/v1/reviews/9A1F/reply") == nil)
    }
}
