import Foundation

/// An e-mail as saved by a mail program (`.eml`, RFC 5322): who sent it, when, the subject, its
/// text and its attached files. Complaints that reach staff by mail are registered from it.
public struct ReceivedMail: Sendable {
    public struct Attachment: Sendable {
        public let filename: String
        public let contentType: String
        public let data: [UInt8]
    }

    public let fromName: String?
    public let fromAddress: String?
    public let date: Date?
    public let subject: String
    public let text: String
    public let attachments: [Attachment]

    public enum Failure: Error, Equatable, Sendable {
        /// No `From` header with an address: not an e-mail.
        case notAMail
    }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> ReceivedMail {
        let top = MIMEReader.part(bytes)
        guard let from = top.header("from").map(MIMEReader.decodeWords), let address = Self.address(from) else { throw .notAMail }
        var texts: (plain: String?, html: String?) = (nil, nil)
        var attachments: [Attachment] = []
        collect(top, depth: 0, texts: &texts, attachments: &attachments)
        let text = texts.plain ?? texts.html.map(Self.plainText) ?? ""
        return ReceivedMail(fromName: Self.displayName(from), fromAddress: address, date: top.header("date").flatMap(Self.date),
                            subject: top.header("subject").map(MIMEReader.decodeWords) ?? "",
                            text: text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines),
                            attachments: attachments)
    }

    private static func collect(_ part: MIMEReader.Part, depth: Int, texts: inout (plain: String?, html: String?), attachments: inout [Attachment]) {
        let type = part.contentType
        if type.hasPrefix("multipart/"), depth < 8, let boundary = part.parameter("boundary", of: "content-type"),
           let children = MIMEReader.parts(part.body, boundary: boundary) {
            for child in children { collect(child, depth: depth + 1, texts: &texts, attachments: &attachments) }
            return
        }
        let disposition = part.header("content-disposition").map { MIMEReader.mainValue($0).lowercased() }
        if disposition != "attachment", part.filename == nil, type == "text/plain" || type == "text/html" {
            let text = MIMEReader.text(part.decodedBody, charset: part.parameter("charset", of: "content-type"))
            if type == "text/plain", texts.plain == nil { texts.plain = text }
            if type == "text/html", texts.html == nil { texts.html = text }
            return
        }
        if type == "message/rfc822", depth < 8 {
            collect(MIMEReader.part(part.decodedBody), depth: depth + 1, texts: &texts, attachments: &attachments)
            return
        }
        let name = part.filename ?? "attachment-\(attachments.count + 1)"
        attachments.append(Attachment(filename: name, contentType: type, data: part.decodedBody))
    }

    /// `Eva de Vries <eva@example.org>` -> `eva@example.org`.
    static func address(_ from: String) -> String? {
        if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close {
            let inner = from[from.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            return inner.contains("@") ? inner : nil
        }
        let plain = from.trimmingCharacters(in: .whitespaces)
        return plain.contains("@") && !plain.contains(" ") ? plain : nil
    }

    static func displayName(_ from: String) -> String? {
        guard let open = from.lastIndex(of: "<") else { return nil }
        let name = from[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return name.isEmpty ? nil : name
    }

    /// RFC 5322 dates (`Tue, 17 Nov 2026 09:30:00 +0100`), with or without the weekday.
    static func date(_ raw: String) -> Date? {
        var text = raw
        if let paren = text.firstIndex(of: "(") { text = String(text[..<paren]) }
        text = text.trimmingCharacters(in: .whitespaces)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z", "EEE, d MMM yyyy HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// HTML reduced to its text, for mails without a plain part.
    static func plainText(_ html: String) -> String {
        var out = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true; continue }
            if character == ">" { inTag = false; out.append(" "); continue }
            if !inTag { out.append(character) }
        }
        return out.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// What an uploaded file really is, judged by its first bytes rather than its name: complaints
/// accept pictures and PDF only.
public enum EvidenceFileKind: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, pdf

    public var mediaType: String {
        switch self {
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .gif: return "image/gif"
        case .webp: return "image/webp"
        case .pdf: return "application/pdf"
        }
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    public static func sniff(_ bytes: [UInt8]) -> EvidenceFileKind? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        return nil
    }

    /// Whether a file name's extension agrees with the content (a PDF named `photo.jpg` does not).
    public func matches(filename: String) -> Bool {
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch self {
        case .jpeg: return ext == "jpg" || ext == "jpeg"
        default: return ext == rawValue
        }
    }
}
