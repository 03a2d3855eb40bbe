import FluentKit
import Foundation
import Logging

/// Puts messages into the outbox, inside the caller's transaction, with the job that delivers
/// them. A change and its message are committed together or not at all.
struct MailOutbox: Sendable {
    static let deliverJob = "mail.deliver"
    /// Delivery is retried with growing pauses over about a day before the job shows as failed; the
    /// message itself stays in the outbox and can be sent again.
    static let attempts = 12
    /// Wakes this instance's job worker so that the mail goes out without waiting for its next tick.
    var wake: JobWake?

    func add(on db: any Database, at: Date, to recipient: String, subject: String, body: String, locale: String, kind: String, letter: UUID? = nil) async throws {
        let message = OutboxMessage(createdAt: at, recipient: recipient, subject: subject, body: body, locale: locale, kind: kind)
        message.id = UUID()
        message.letterID = letter
        try await message.create(on: db)
        try await JobQueue.enqueue(Self.deliverJob, payload: message.id!.uuidString, at: at, maxAttempts: Self.attempts,
                                   uniqueKey: "mail:\(message.id!.uuidString)", now: at, on: db)
        wake?.signal()
    }
}

/// Delivers outbox messages: through SMTP when `SMTP_URL` is set; otherwise, outside production,
/// as .eml files in `data/mail/` so a developer can open the links.
struct MailDelivery: Sendable {
    let smtp: SMTPSettings?
    let directory: String?
    let fromAddress: String
    let fromName: String

    enum Failure: Error, CustomStringConvertible {
        case noServer
        var description: String { "no mail server is configured (set SMTP_URL)" }
    }

    func deliver(_ context: JobContext) async throws {
        guard let id = UUID(uuidString: context.payload), let message = try await OutboxMessage.find(id, on: context.storage.db) else { return }
        guard message.deliveredAt == nil else { return }
        let host = fromAddress.split(separator: "@").last.map(String.init) ?? "localhost"
        var attachments: [MIMEMessage.Attachment] = []
        if let letterID = message.letterID, let letter = try await LetterRow.find(letterID, on: context.storage.db) {
            attachments.append(.init(filename: "\(letter.kind)-\(ISO8601DateFormatter().string(from: letter.createdAt).prefix(10)).pdf", contentType: "application/pdf", data: letter.pdf))
        }
        let mime = MIMEMessage.build(from: "\(MIMEMessage.encodedWord(fromName)) <\(fromAddress)>", to: message.recipient, subject: message.subject,
                                     body: message.body, language: message.locale, date: message.createdAt, messageID: "\(id.uuidString)@\(host)",
                                     attachments: attachments)
        do {
            if let smtp {
                try await SMTPClient(settings: smtp, heloName: host).send(from: fromAddress, to: message.recipient, message: mime)
            } else if let directory {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let stamp = ISO8601DateFormatter().string(from: message.createdAt).replacingOccurrences(of: ":", with: "")
                let path = (directory as NSString).appendingPathComponent("\(stamp)-\(message.kind)-\(id.uuidString.prefix(8)).eml")
                guard FileManager.default.createFile(atPath: path, contents: Data(mime.utf8)) else { throw CocoaError(.fileWriteUnknown) }
            } else {
                throw Failure.noServer
            }
        } catch {
            message.attempts += 1
            message.lastError = String(String(describing: error).prefix(500))
            try await message.save(on: context.storage.db)
            throw error
        }
        message.attempts += 1
        message.deliveredAt = context.clock.now()
        message.lastError = nil
        try await message.save(on: context.storage.db)
    }
}
