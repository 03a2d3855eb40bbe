import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Desk work through the API")
struct DeskAPITests {
    @Test func whatStaffDoOnTheirPagesTheyCanDoByAPI() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            _ = try await app.makeUser("mediator@trustmark.test", role: .mediator)
            let admin = try await journey.api("admin@trustmark.test")
            let mediator = try await journey.api("mediator@trustmark.test")

            // Password: the wrong current one is refused by field; a changed one works and the old one stops.
            let wrong = try await mediator.call(.post, "/api/v1/me/password", json: ["currentPassword": "nope", "newPassword": "a much longer secret 42"])
            #expect(wrong.status == .unprocessableContent)
            #expect(try await mediator.call(.post, "/api/v1/me/password", json: ["currentPassword": "correct horse battery",
                                                                                  "newPassword": "a much longer secret 42"]).status == .ok)
            let old = try await APIClient(client: client).call(.post, "/api/v1/auth/token", json: ["email": "mediator@trustmark.test", "password": "correct horse battery"])
            #expect(old.status == .unauthorized)
            // A reset: the same answer for an unknown address, a mail for a known one.
            let unknown = try await APIClient(client: client).call(.post, "/api/v1/auth/password-reset", json: ["email": "nobody@example.org"])
            #expect(unknown.status == .accepted)
            #expect(try await APIClient(client: client).call(.post, "/api/v1/auth/password-reset", json: ["email": "mediator@trustmark.test"]).status == .accepted)
            #expect(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == "mediator@trustmark.test").count() == 1)
            #expect(try await OutboxMessage.query(on: app.storage.db).filter(\.$recipient == "nobody@example.org").count() == 0)

            // Answer templates: added, listed, removed.
            let added = try await mediator.call(.post, "/api/v1/complaint-templates", json: ["title": "Ontvangst", "locale": "nl", "body": "Wij hebben uw klacht ontvangen."])
            #expect(added.status == .created, "\(added.body)")
            let id = try #require((added.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect((try await mediator.call(.get, "/api/v1/complaint-templates").json["total"] as? Int) == 1)
            #expect(try await mediator.call(.post, "/api/v1/complaint-templates/\(id)/deletion").status == .ok)
            #expect((try await mediator.call(.get, "/api/v1/complaint-templates").json["total"] as? Int) == 0)
            let empty = try await mediator.call(.post, "/api/v1/complaint-templates", json: ["title": "", "locale": "nl", "body": "x"])
            #expect(empty.error["field"] as? String == "title")

            // The outbox shows the reset mail; the record shows the template's addition.
            let outbox = try await admin.call(.get, "/api/v1/outbox")
            #expect((outbox.json["items"] as? [[String: Any]])?.contains { $0["recipient"] as? String == "mediator@trustmark.test" } == true)
            let record = try await admin.call(.get, "/api/v1/record?size=100")
            #expect((record.json["total"] as? Int ?? 0) > 0)
            // The queue: a job that failed for good is listed and can be run again.
            let failing = Job(kind: "no.such.job", payload: "", runAt: app.clock.now(), maxAttempts: 1, uniqueKey: nil, createdAt: app.clock.now())
            try await failing.create(on: app.storage.db)
            _ = try await app.jobs.runDue()
            let failed = try await admin.call(.get, "/api/v1/jobs?status=failed")
            let job = try #require((failed.json["items"] as? [[String: Any]])?.first { $0["kind"] as? String == "no.such.job" })
            #expect(try await admin.call(.post, "/api/v1/jobs/\(try #require(job["id"] as? String))/retry").status == .accepted)
            #expect(try await admin.call(.get, "/api/v1/jobs?status=exploded").status == .unprocessableContent)
            #expect(try await mediator.call(.get, "/api/v1/jobs").status == .forbidden)
        }
    }
}
