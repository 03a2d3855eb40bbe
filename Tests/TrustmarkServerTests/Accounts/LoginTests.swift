import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Signing in and out")
struct LoginTests {
    @Test func signsInAndReachesTheStaffHome() async throws {
        try await TestApp.with { app, client in
            // setup
            try await app.makeUser("anna@trustmark.test", role: .inspector)
            let browser = Browser(client)
            // MUT
            let login = try await browser.post("/login", ["email": "Anna@Trustmark.test ", "password": "correct horse battery"])
            // validation
            #expect(login.status == .seeOther)
            #expect(login.location == "/staff")
            #expect(browser.cookies["trustmark_session"] != nil)
            let home = try await browser.get("/staff")
            #expect(home.status == .ok)
            #expect(home.body.contains("Anna"))
        }
    }

    @Test func wrongPasswordKeepsTheEmailAndSaysWhyInTheReadersLanguage() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let browser = Browser(client, acceptLanguage: "de-DE,de;q=0.9")
            let page = try await browser.post("/login", ["email": "anna@trustmark.test", "password": "wrong password"])
            #expect(page.status == .unauthorized)
            #expect(page.body.contains("E-Mail-Adresse oder Passwort ist nicht korrekt."))
            #expect(page.body.contains("value=\"anna@trustmark.test\""))
            #expect(!page.body.contains("wrong password"), "a password is never echoed back")
            #expect(browser.cookies["trustmark_session"] == nil)
        }
    }

    @Test func unknownAddressGetsTheSameAnswerAsAWrongPassword() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let unknown = try await Browser(client).post("/login", ["email": "nobody@trustmark.test", "password": "whatever it is"])
            let wrong = try await Browser(client).post("/login", ["email": "anna@trustmark.test", "password": "whatever it is"])
            #expect(unknown.status == wrong.status)
            #expect(unknown.body.contains("E-mailadres of wachtwoord klopt niet."))
        }
    }

    @Test func aFormWithoutTheCSRFTokenIsRefusedAndChangesNothing() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let browser = Browser(client)
            let page = try await browser.post("/login", ["email": "anna@trustmark.test", "password": "correct horse battery"], csrf: "forged")
            #expect(page.status == .forbidden)
            #expect(page.body.contains("Laad de pagina opnieuw"))
            #expect(browser.cookies["trustmark_session"] == nil)
        }
    }

    @Test func anOversizedFieldIsRefusedWithTheLimit() async throws {
        try await TestApp.with { app, client in
            let browser = Browser(client, acceptLanguage: "en")
            let page = try await browser.post("/password/forgot", ["email": String(repeating: "a", count: 300) + "@example.nl"])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("at most 254 characters"))
            let huge = try await browser.post("/login", ["email": String(repeating: "x", count: 70_000), "password": "p"])
            #expect(huge.status == .contentTooLarge)
            #expect(huge.body.contains("What you sent is too large."))
        }
    }

    @Test func aProtectedPageSendsTheVisitorToLoginAndBack() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let browser = Browser(client)
            let page = try await browser.get("/staff/users")
            #expect(page.status == .found)
            #expect(page.location == "/login?next=%2Fstaff%2Fusers")
            let login = try await browser.post("/login", ["email": "anna@trustmark.test", "password": "correct horse battery", "next": "/staff/users"])
            #expect(login.location == "/staff/users")
            let evil = try await browser.post("/login", ["email": "anna@trustmark.test", "password": "correct horse battery", "next": "//evil.example/"])
            #expect(evil.location == "/staff", "only paths on this site are followed")
        }
    }

    @Test func anExpiredSessionAsksToSignInAgain() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let browser = Browser(client)
            try await browser.login("anna@trustmark.test")
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT13H"))
            let page = try await browser.get("/staff")
            #expect(page.status == .found)
            #expect(page.location?.contains("expired=1") == true)
            let login = try await browser.get(page.location!)
            #expect(login.body.contains("Je sessie is verlopen"))
        }
    }

    @Test func logoutEndsTheSessionOnTheServer() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let browser = Browser(client)
            try await browser.login("anna@trustmark.test")
            let stolen = browser.cookies["trustmark_session"]
            let out = try await browser.post("/logout", [:])
            #expect(out.status == .seeOther)
            // Even a copy of the old cookie no longer works.
            browser.setCookie("trustmark_session", stolen)
            #expect(try await browser.get("/staff").status == .found)
        }
    }

    @Test func loginIssuesANewSessionTokenEachTime() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .admin)
            let browser = Browser(client)
            browser.setCookie("trustmark_session", "planted-by-someone-else")
            try await browser.login("anna@trustmark.test")
            let first = browser.cookies["trustmark_session"]
            try await browser.login("anna@trustmark.test")
            #expect(first != "planted-by-someone-else")
            #expect(browser.cookies["trustmark_session"] != first)
        }
    }

    @Test func aDisabledAccountCannotSignIn() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("boss@trustmark.test", role: .admin)
            try await app.makeUser("gone@trustmark.test", role: .mediator)
            let gone = Browser(client)
            try await gone.login("gone@trustmark.test")
            let admin = try await APIClient.signedIn(client, "boss@trustmark.test")
            let users = try await admin.call(.get, "/api/v1/users")
            let id = try #require((users.json["items"] as? [[String: Any]])?.first { $0["email"] as? String == "gone@trustmark.test" }?["id"] as? String)
            #expect(try await admin.call(.post, "/api/v1/users/\(id)/disable").status == .ok)
            // The open session ends at once, and signing in again is refused with a reason.
            #expect(try await gone.get("/staff").status == .found)
            let again = try await Browser(client).post("/login", ["email": "gone@trustmark.test", "password": "correct horse battery"])
            #expect(again.status == .forbidden)
            #expect(again.body.contains("uitgeschakeld"))
        }
    }
}
