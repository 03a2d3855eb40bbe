import FluentKit
import Foundation
import Logging

/// Puts messages into the outbox, inside the caller's transaction. Outside production and with no
/// mail server configured, a copy of each message is also written to `data/mail/` as an .eml file so
/// a developer can open the links it contains.
struct MailOutbox: Sendable {
    let directory: String?
    let fromAddress: String

    func add(on db: any Database, at: Date, to recipient: String, subject: String, body: String, locale: String, kind: String) async throws {
        let message = OutboxMessage(createdAt: at, recipient: recipient, subject: subject, body: body, locale: locale, kind: kind)
        try await message.create(on: db)
        guard let directory else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: at).replacingOccurrences(of: ":", with: "")
        let name = "\(stamp)-\(kind)-\(message.id?.uuidString.prefix(8) ?? "mail").eml"
        let eml = """
            From: \(fromAddress)\r
            To: \(recipient)\r
            Subject: \(subject)\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Language: \(locale)\r
            \r
            \(body)\r

            """
        FileManager.default.createFile(atPath: (directory as NSString).appendingPathComponent(name), contents: Data(eml.utf8))
    }
}
