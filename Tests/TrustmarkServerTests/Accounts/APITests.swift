import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("The JSON API foundation")
struct APITests {
    @Test func aTokenFromEmailAndPasswordOpensTheAPI() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("fin@trustmark.test", role: .finance)
            let api = try await APIClient.signedIn(client, "fin@trustmark.test")
            let me = try await api.call(.get, "/api/v1/me")
            #expect(me.status == .ok)
            #expect(me.json["email"] as? String == "fin@trustmark.test")
            #expect(me.json["role"] as? String == "finance")
            #expect(me.json["status"] as? String == "active")
            #expect(try await api.call(.delete, "/api/v1/auth/token").status == .noContent)
            let after = try await api.call(.get, "/api/v1/me")
            #expect(after.status == .unauthorized, "a revoked token stops working")
            #expect(after.error["code"] as? String == "unauthenticated")
        }
    }

    @Test func wrongCredentialsGetA401WithTheErrorShape() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("fin@trustmark.test", role: .finance)
            let reply = try await APIClient(client: client).call(.post, "/api/v1/auth/token", json: ["email": "fin@trustmark.test", "password": "nope"], language: "en")
            #expect(reply.status == .unauthorized)
            #expect(reply.error["code"] as? String == "invalid_credentials")
            #expect(reply.error["message"] as? String == "The e-mail address or password is not correct.")
            #expect(reply.error["field"] as? String == "password")
        }
    }

    @Test func aBodyThatIsNotJSONGets400AndAMissingField422() async throws {
        try await TestApp.with { app, client in
            let api = APIClient(client: client)
            let broken = try await api.call(.post, "/api/v1/auth/token", raw: "{\"email\": ", language: "de")
            #expect(broken.status == .badRequest)
            #expect(broken.error["code"] as? String == "invalid_json")
            #expect(broken.error["message"] as? String == "Der Inhalt der Anfrage ist kein gültiges JSON.")
            let missing = try await api.call(.post, "/api/v1/auth/token", json: ["email": "x@y.nl"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.error["field"] as? String == "password")
            let wrongType = try await api.call(.post, "/api/v1/auth/token", json: ["email": 42, "password": "p"])
            #expect(wrongType.status == .unprocessableContent)
            #expect(wrongType.error["field"] as? String == "email")
        }
    }

    @Test func aGarbageBearerTokenIsRefusedEvenOnPublicOperations() async throws {
        try await TestApp.with { _, client in
            let reply = try await APIClient(client: client, token: "made-up").call(.get, "/api/v1/dev/clock")
            #expect(reply.status == .unauthorized)
            #expect(reply.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }

    @Test func listsArePaginated() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("boss@trustmark.test", role: .admin)
            for index in 1...7 { try await app.makeUser("member\(index)@shop.test", role: .member) }
            let api = try await APIClient.signedIn(client, "boss@trustmark.test")
            let first = try await api.call(.get, "/api/v1/users?size=3")
            #expect(first.json["total"] as? Int == 8)
            #expect(first.json["pageCount"] as? Int == 3)
            #expect((first.json["items"] as? [Any])?.count == 3)
            let last = try await api.call(.get, "/api/v1/users?size=3&page=3")
            #expect((last.json["items"] as? [Any])?.count == 2)
            let clamped = try await api.call(.get, "/api/v1/users?size=100000&page=-4")
            #expect(clamped.json["size"] as? Int == Paging.maximumSize)
            #expect(clamped.json["page"] as? Int == 1)
        }
    }

    @Test func anAdministratorCannotDisableThemself() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("boss@trustmark.test", role: .admin)
            let api = try await APIClient.signedIn(client, "boss@trustmark.test")
            let me = try await api.call(.get, "/api/v1/me")
            let id = try #require(me.json["id"] as? String)
            let reply = try await api.call(.post, "/api/v1/users/\(id)/disable")
            #expect(reply.status == .conflict)
            #expect(try await api.call(.get, "/api/v1/me").status == .ok)
            #expect(try await api.call(.post, "/api/v1/users/\(UUID().uuidString)/disable").status == .notFound)
        }
    }

    @Test func disablingAUserRevokesItsTokens() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("boss@trustmark.test", role: .admin)
            try await app.makeUser("shop@shop.test", role: .member)
            let admin = try await APIClient.signedIn(client, "boss@trustmark.test")
            let shop = try await APIClient.signedIn(client, "shop@shop.test")
            let id = try #require((try await shop.call(.get, "/api/v1/me")).json["id"] as? String)
            #expect(try await admin.call(.post, "/api/v1/users/\(id)/disable").json["status"] as? String == "disabled")
            #expect(try await shop.call(.get, "/api/v1/me").status == .unauthorized)
            #expect(try await admin.call(.post, "/api/v1/users/\(id)/enable").json["status"] as? String == "active")
        }
    }
}
