import Mustache

/// HTML escaping for every page, registered as the `HTML_PAGE` content type that `layout.mustache`
/// names first. It escapes the same five characters as Mustache's own, byte by byte, and hands a
/// text without any of them back untouched, which is nearly every value and every text of a page.
struct HTMLPageContentType: MustacheContentType {
    static let name = "HTML_PAGE"

    static func register() {
        MustacheContentTypes.register(HTMLPageContentType(), named: name)
    }

    func escapeText(_ text: String) -> String {
        let special = text.utf8.contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }
        guard special else { return text }
        var escaped = [UInt8]()
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "<"): escaped += "&lt;".utf8
            case UInt8(ascii: ">"): escaped += "&gt;".utf8
            case UInt8(ascii: "&"): escaped += "&amp;".utf8
            case UInt8(ascii: "\""): escaped += "&quot;".utf8
            case UInt8(ascii: "'"): escaped += "&#39;".utf8
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
