import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Mail delivery to a real SMTP server", .serialized)
struct MailDeliveryTests {
    @Test func aPasswordResetMailArrivesInTheRecipientsLanguage() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await TestApp.with(scheme: "keuronline", smtp: sink.url) { app, client in
            try await app.makeUser("anna@shop.test", role: .member)
            try await User.query(on: app.storage.db).filter(\.$email == "anna@shop.test").set(\.$locale, to: "de").update()
            _ = try await Browser(client).post("/password/forgot", ["email": "anna@shop.test"])
            #expect(try await app.jobs.runDue() == 1)
            let mail = try #require(try sink.received().first)
            #expect(mail.to == ["anna@shop.test"])
            #expect(mail.subject == "Neues Passwort wählen")
            #expect(mail.language == "de")
            #expect(mail.text.contains("http://127.0.0.1:8080/password/reset/"))
            let stored = try #require(try await OutboxMessage.query(on: app.storage.db).first())
            #expect(stored.deliveredAt != nil)
            #expect(stored.attempts == 1)
        }
    }

    @Test func aRefusingServerIsRetriedLaterAndNothingIsLost() async throws {
        let sink = try SMTPSink(refuse: 2)
        defer { sink.stop() }
        try await TestApp.with(smtp: sink.url) { app, client in
            try await app.makeUser("anna@shop.test", role: .member)
            _ = try await Browser(client).post("/password/forgot", ["email": "anna@shop.test"])
            try await app.jobs.runDue()
            var message = try #require(try await OutboxMessage.query(on: app.storage.db).first())
            #expect(message.deliveredAt == nil)
            #expect(message.lastError?.contains("451") == true)
            #expect(try sink.received().isEmpty)
            // The job waits 30 seconds, then a minute, before the next attempts.
            for wait in ["PT30S", "PT1M"] {
                app.settableClock.advance(by: try ISO8601Duration(parsing: wait))
                try await app.jobs.runDue()
            }
            message = try #require(try await OutboxMessage.query(on: app.storage.db).first())
            #expect(message.deliveredAt != nil)
            #expect(message.attempts == 3)
            #expect(try sink.received().count == 1)
        }
    }

    @Test func aServerThatIsGoneKeepsTheMailQueuedUntilItIsBack() async throws {
        // A port nothing listens on: the sink is started only later, on that port.
        let probe = try await TestApp.freePortListener()
        let port = probe.port
        try await probe.close()
        try await TestApp.with(smtp: "smtp://127.0.0.1:\(port)") { app, client in
            try await app.makeUser("anna@shop.test", role: .member)
            _ = try await Browser(client).post("/password/forgot", ["email": "anna@shop.test"])
            try await app.jobs.runDue()
            let job = try #require(try await Job.query(on: app.storage.db).filter(\.$kind == MailOutbox.deliverJob).first())
            #expect(job.status == .queued)
            #expect(job.attempts == 1)
            let sink = try SMTPSinkOnPort(port)
            defer { sink.stop() }
            app.settableClock.advance(by: try ISO8601Duration(parsing: "PT31S"))
            try await app.jobs.runDue()
            #expect(try sink.received().count == 1)
        }
    }

    @Test func credentialsAreSentWithAuthPlain() async throws {
        let sink = try SMTPSink(auth: "trustmark:s3cret")
        defer { sink.stop() }
        try await TestApp.with(smtp: "smtp://trustmark:s3cret@127.0.0.1:\(sink.port)") { app, client in
            try await app.makeUser("anna@shop.test", role: .member)
            _ = try await Browser(client).post("/password/forgot", ["email": "anna@shop.test"])
            try await app.jobs.runDue()
            #expect(try sink.received().count == 1)
        }
        let refusing = try SMTPSink(auth: "trustmark:s3cret")
        defer { refusing.stop() }
        try await TestApp.with(smtp: "smtp://trustmark:wrong@127.0.0.1:\(refusing.port)") { app, client in
            try await app.makeUser("anna@shop.test", role: .member)
            _ = try await Browser(client).post("/password/forgot", ["email": "anna@shop.test"])
            try await app.jobs.runDue()
            let message = try #require(try await OutboxMessage.query(on: app.storage.db).first())
            #expect(message.deliveredAt == nil)
            #expect(message.lastError?.contains("AUTH") == true)
        }
    }
}

extension MailDeliveryTests {
    @Test func aServerThatNeverAnswersIsGivenUpOnAfterTheTimeout() async throws {
        // A listener that accepts connections and says nothing.
        let silent = try await TestApp.freePortListener()
        var client = SMTPClient(settings: try SMTPSettings.parse("smtp://127.0.0.1:\(silent.port)"), heloName: "test")
        client.timeout = .seconds(1)
        do {
            try await client.send(from: "a@b.nl", to: "c@d.nl", message: "Subject: x\r\n\r\nx\r\n")
            Issue.record("the delivery should fail")
        } catch let error as SMTPError {
            #expect(error.stage == "timeout")
        }
        try await silent.close()
    }
}

/// The sink on a given port (for the test where the server comes back).
func SMTPSinkOnPort(_ port: Int) throws -> SMTPSink { try SMTPSink(port: port) }
