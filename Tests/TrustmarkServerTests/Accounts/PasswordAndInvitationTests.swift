import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The link inside the newest outbox message for `recipient`.
func mailedLink(_ app: TrustmarkApp, to recipient: String, path: String) async throws -> String {
    let message = try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == recipient).sort(\.$createdAt, .descending).first()
    let body = try #require(message?.body)
    let range = try #require(body.range(of: "http://127.0.0.1:8080" + path))
    let link = body[range.lowerBound...].prefix { !$0.isWhitespace }
    return String(link.dropFirst("http://127.0.0.1:8080".count))
}

@Suite("Passwords, set-up and invitations")
struct PasswordAndInvitationTests {
    @Test func theFirstAdministratorIsCreatedThroughAOneTimeLink() async throws {
        try await TestApp.with { app, client in
            let link = try #require(try await app.firstAdministratorLink())
            let newer = try #require(try await app.firstAdministratorLink())
            let path = String(newer.dropFirst(app.config.baseURL.count))
            // Only the newest link works.
            #expect(try await Browser(client).get(String(link.dropFirst(app.config.baseURL.count))).status == .notFound)
            let browser = Browser(client)
            #expect(try await browser.get(path).status == .ok)
            let short = try await browser.post(path, ["name": "Ada", "email": "ada@trustmark.test", "new_password": "short", "confirm_password": "short"])
            #expect(short.status == .unprocessableContent)
            #expect(short.body.contains("minstens 10 tekens"))
            #expect(short.body.contains("value=\"ada@trustmark.test\""))
            let done = try await browser.post(path, ["name": "Ada", "email": "ada@trustmark.test", "new_password": "a long enough secret", "confirm_password": "a long enough secret"])
            #expect(done.location == "/staff")
            #expect(try await browser.get("/staff/users").status == .ok)
            #expect(try await app.firstAdministratorLink() == nil)
            #expect(try await Browser(client).get(path).status == .notFound, "the link works once")
        }
    }

    @Test func aForgottenPasswordIsResetThroughAMailedLink() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .finance)
            let other = Browser(client)
            try await other.login("anna@trustmark.test")
            let browser = Browser(client)
            let asked = try await browser.post("/password/forgot", ["email": "anna@trustmark.test"])
            #expect(asked.body.contains("Als dit adres bij een account hoort"))
            let unknown = try await browser.post("/password/forgot", ["email": "nobody@trustmark.test"])
            #expect(unknown.body == asked.body, "the answer does not reveal who has an account")
            #expect(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == "nobody@trustmark.test").count() == 0)

            let path = try await mailedLink(app, to: "anna@trustmark.test", path: "/password/reset/")
            let mismatch = try await browser.post(path, ["new_password": "new secret phrase", "confirm_password": "other secret phrase"])
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.body.contains("niet gelijk"))
            let done = try await browser.post(path, ["new_password": "new secret phrase", "confirm_password": "new secret phrase"])
            #expect(done.location == "/staff")
            #expect(try await Browser(client).post("/login", ["email": "anna@trustmark.test", "password": "correct horse battery"]).status == .unauthorized)
            try await Browser(client).login("anna@trustmark.test", password: "new secret phrase")
            #expect(try await other.get("/staff").status == .found, "other sessions end with a reset")
            #expect(try await browser.get(path).status == .notFound, "a used link stops working")
        }
    }

    @Test func aResetLinkExpiresAfterAnHour() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .finance)
            let browser = Browser(client, acceptLanguage: "en")
            _ = try await browser.post("/password/forgot", ["email": "anna@trustmark.test"])
            let path = try await mailedLink(app, to: "anna@trustmark.test", path: "/password/reset/")
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT61M"))
            let page = try await browser.get(path)
            #expect(page.status == .notFound)
            #expect(page.body.contains("This link is invalid, already used or expired."))
        }
    }

    @Test func changingThePasswordNeedsTheCurrentOne() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("anna@trustmark.test", role: .member)
            let browser = Browser(client)
            try await browser.login("anna@trustmark.test")
            let laptop = Browser(client)
            try await laptop.login("anna@trustmark.test")
            let wrong = try await browser.post("/account/password", ["current_password": "guess", "new_password": "brand new phrase", "confirm_password": "brand new phrase"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.body.contains("Het huidige wachtwoord klopt niet."))
            let ok = try await browser.post("/account/password", ["current_password": "correct horse battery", "new_password": "brand new phrase", "confirm_password": "brand new phrase"])
            #expect(ok.status == .ok)
            #expect(ok.body.contains("Je wachtwoord is gewijzigd"))
            #expect(try await browser.get("/portal").status == .ok, "this browser stays signed in")
            #expect(try await laptop.get("/portal").status == .found, "other browsers are signed out")
        }
    }

    @Test func anAdministratorInvitesAnInspectorWhoThenSignsIn() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("boss@trustmark.test", role: .admin)
            let admin = Browser(client)
            try await admin.login("boss@trustmark.test")
            let sent = try await admin.post("/users/invite", ["name": "Ivo", "email": "ivo@trustmark.test", "role": "inspector", "locale": "de"])
            #expect(sent.status == .ok)
            #expect(sent.body.contains("ivo@trustmark.test"))
            let mail = try #require(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == "ivo@trustmark.test").first())
            #expect(mail.locale == "de")
            #expect(mail.subject.contains("Einladung"))
            let path = try await mailedLink(app, to: "ivo@trustmark.test", path: "/invitations/")
            let ivo = Browser(client)
            let accepted = try await ivo.post(path, ["new_password": "inspector secret", "confirm_password": "inspector secret"])
            #expect(accepted.location == "/staff")
            try await Browser(client).login("ivo@trustmark.test", password: "inspector secret")
            let audit = try await AuditEntry.query(on: app.storage.db).filter(\.$action == "user.invited").count()
            #expect(audit == 1)
        }
    }

    @Test func staffOtherThanAdminsInviteMembersOnly() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("med@trustmark.test", role: .mediator)
            // The user's saved language (Dutch by default) wins over the browser's.
            let mediator = Browser(client, acceptLanguage: "en")
            try await mediator.login("med@trustmark.test")
            let refused = try await mediator.post("/users/invite", ["name": "Eve", "email": "eve@trustmark.test", "role": "admin", "locale": "en"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Je mag alleen leden uitnodigen"))
            let noOrganisation = try await mediator.post("/users/invite", ["name": "Bob", "email": "bob@shop.test", "role": "member", "locale": "nl"])
            #expect(noOrganisation.body.contains("Vul dit veld in."))
            #expect(try await User.query(on: app.storage.db).count() == 1, "nothing was stored")
        }
    }

    @Test func aMemberInvitesAColleagueIntoItsOwnOrganisation() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("owner@shop.test", role: .member, organisation: "Fietsen BV")
            try await app.makeUser("other@elsewhere.test", role: .member, organisation: "Andere BV")
            let api = try await APIClient.signedIn(client, "owner@shop.test")
            let reply = try await api.call(.post, "/api/v1/users/invitations", json: ["email": "colleague@shop.test", "name": "Col", "role": "member", "organisation": "Andere BV"])
            #expect(reply.status == .created)
            let owner = try #require(try await User.query(on: app.storage.db).filter(\.$email == "owner@shop.test").first())
            let colleague = try #require(try await User.query(on: app.storage.db).filter(\.$email == "colleague@shop.test").first())
            #expect(colleague.$organisation.id == owner.$organisation.id, "a member cannot place someone in another organisation")
            let again = try await api.call(.post, "/api/v1/users/invitations", json: ["email": "colleague@shop.test", "name": "Col", "role": "member"])
            #expect(again.status == .conflict)
            #expect(again.error["field"] as? String == "email")
        }
    }
}
