import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where mail goes: `SMTP_URL=smtp://user:password@host:587` (user and password optional).
public struct SMTPSettings: Equatable, Sendable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    public static func parse(_ raw: String) throws(ConfigError) -> SMTPSettings {
        guard let url = URLComponents(string: raw), url.scheme?.lowercased() == "smtp", let host = url.host, !host.isEmpty else {
            throw ConfigError(setting: "SMTP_URL", message: "must look like smtp://user:password@host:587")
        }
        let port = url.port ?? 25
        guard (1...65535).contains(port) else { throw ConfigError(setting: "SMTP_URL", message: "port \(port) is out of range") }
        return SMTPSettings(host: host, port: port, username: url.user?.removingPercentEncoding, password: url.password?.removingPercentEncoding)
    }

    public var redacted: String { "smtp://\(username.map { "\($0)@" } ?? "")\(host):\(port)" }
}

/// A delivery that did not happen, with the server's words.
struct SMTPError: Error, CustomStringConvertible {
    let stage: String
    let reply: String
    var description: String { "SMTP \(stage): \(reply)" }
}

/// A small SMTP client: one connection per message, STARTTLS where the server offers it, AUTH PLAIN
/// when credentials are given, dot-stuffed DATA. Enough for an outbox; no pipelining.
struct SMTPClient: Sendable {
    let settings: SMTPSettings
    let heloName: String
    var timeout: TimeAmount = .seconds(20)

    /// Delivers one message. A server that stops answering is given up on after `timeout`: the
    /// connection is closed and the delivery fails (to be retried), it never hangs the worker.
    func send(from: String, to: String, message: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await conversation(from: from, to: to, message: message) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout.nanoseconds / 1_000_000_000))
                throw SMTPError(stage: "timeout", reply: "no answer from \(settings.host):\(settings.port) within \(timeout.nanoseconds / 1_000_000_000) s")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func conversation(from: String, to: String, message: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await withTaskCancellationHandler {
            try await talk(channel, from: from, to: to, message: message)
        } onCancel: {
            channel.channel.close(promise: nil)
        }
    }

    private func talk(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, from: String, to: String, message: String) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220, stage: "greeting")
            var features = try await session.command("EHLO \(heloName)", expect: 250, stage: "EHLO")
            if features.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                _ = try await session.command("STARTTLS", expect: 220, stage: "STARTTLS")
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                let handler = try NIOSSLClientHandler(context: context, serverHostname: settings.host)
                try await channel.channel.pipeline.addHandler(handler, position: .first)
                features = try await session.command("EHLO \(heloName)", expect: 250, stage: "EHLO after STARTTLS")
            }
            if let user = settings.username, let password = settings.password {
                let token = Data("\u{0}\(user)\u{0}\(password)".utf8).base64EncodedString()
                _ = try await session.command("AUTH PLAIN \(token)", expect: 235, stage: "AUTH", logged: "AUTH PLAIN ***")
            }
            _ = try await session.command("MAIL FROM:<\(from)>", expect: 250, stage: "MAIL FROM")
            _ = try await session.command("RCPT TO:<\(to)>", expect: 250, stage: "RCPT TO")
            _ = try await session.command("DATA", expect: 354, stage: "DATA")
            // Dot-stuffing: a line that starts with "." gets another one.
            let body = message.replacingOccurrences(of: "\r\n.", with: "\r\n..")
            _ = try await session.command(body + (body.hasSuffix("\r\n") ? "" : "\r\n") + ".", expect: 250, stage: "message")
            _ = try? await session.command("QUIT", expect: 221, stage: "QUIT")
        }
    }

    /// Reads replies line by line; a reply is complete at a line whose fourth character is a space.
    struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var pending = ""

        mutating func line() async throws -> String {
            while true {
                if let range = pending.range(of: "\r\n") {
                    let line = String(pending[..<range.lowerBound])
                    pending = String(pending[range.upperBound...])
                    return line
                }
                guard let buffer = try await inbound.next() else { throw SMTPError(stage: "connection", reply: "closed by the server") }
                pending += String(buffer: buffer)
            }
        }

        @discardableResult
        mutating func expect(_ code: Int, stage: String) async throws -> [String] {
            var lines: [String] = []
            while true {
                let line = try await line()
                lines.append(line.count > 4 ? String(line.dropFirst(4)) : "")
                let parts = Array(line)
                if parts.count < 4 || parts[3] == " " {
                    guard line.hasPrefix("\(code)") else { throw SMTPError(stage: stage, reply: line) }
                    return lines
                }
            }
        }

        mutating func command(_ text: String, expect code: Int, stage: String, logged: String? = nil) async throws -> [String] {
            try await outbound.write(ByteBuffer(string: text + "\r\n"))
            return try await expect(code, stage: stage)
        }
    }
}

/// Builds an RFC 5322 message: UTF-8 text in base64, subject encoded per RFC 2047, attachments as
/// multipart/mixed parts.
enum MIMEMessage {
    struct Attachment: Sendable {
        let filename: String
        let contentType: String
        let data: Data
    }

    static func build(from: String, to: String, subject: String, body: String, language: String, date: Date, messageID: String,
                      attachments: [Attachment] = []) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var headers = [
            "From: \(from)", "To: <\(to)>", "Subject: \(encodedWord(subject))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)>", "MIME-Version: 1.0", "Content-Language: \(language)",
        ]
        let text = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", wrapped(Data(body.utf8))]
        guard !attachments.isEmpty else {
            headers += text
            return headers.joined(separator: "\r\n") + "\r\n"
        }
        let boundary = "trustmark-" + UUID().uuidString
        headers.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
        var lines = headers + ["", "--\(boundary)"] + text
        for attachment in attachments {
            lines += ["--\(boundary)", "Content-Type: \(attachment.contentType); name=\"\(attachment.filename)\"",
                      "Content-Disposition: attachment; filename=\"\(attachment.filename)\"", "Content-Transfer-Encoding: base64", "",
                      wrapped(attachment.data)]
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func encodedWord(_ text: String) -> String {
        text.allSatisfy { $0.isASCII && !$0.isNewline } ? text : "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func wrapped(_ data: Data) -> String {
        let encoded = data.base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { start -> String in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            let to = encoded.index(from, offsetBy: min(76, encoded.count - start))
            return String(encoded[from..<to])
        }.joined(separator: "\r\n")
    }
}
