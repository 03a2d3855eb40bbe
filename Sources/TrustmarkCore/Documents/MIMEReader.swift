import Foundation

/// Reads MIME: the parts of a `multipart/*` body (form uploads and e-mail), their header fields and
/// parameters, transfer encodings (base64, quoted-printable) and encoded words in headers.
public enum MIMEReader {
    public struct Part: Sendable {
        /// Header fields in order, names in lower case, folded lines joined.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }

        /// The media type in lower case (`text/plain` when absent, as RFC 2045 says).
        public var contentType: String {
            header("content-type").map { MIMEReader.mainValue($0).lowercased() } ?? "text/plain"
        }

        public func parameter(_ name: String, of field: String) -> String? {
            header(field).flatMap { MIMEReader.parameters($0)[name.lowercased()] }
        }

        /// The file name from Content-Disposition or, failing that, Content-Type's `name`.
        public var filename: String? {
            (parameter("filename", of: "content-disposition") ?? parameter("name", of: "content-type")).map(MIMEReader.decodeWords)
        }

        /// The body with its transfer encoding undone.
        public var decodedBody: [UInt8] {
            switch header("content-transfer-encoding")?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "base64": return MIMEReader.base64(body)
            case "quoted-printable": return MIMEReader.quotedPrintable(body)
            default: return body
            }
        }
    }

    /// Splits a head (header fields) from the body at the first empty line.
    public static func part(_ bytes: [UInt8]) -> Part {
        var index = 0
        var lines: [String] = []
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            var line = Array(bytes[index..<end])
            if line.last == 13 { line.removeLast() }
            index = min(end + 1, bytes.count)
            if line.isEmpty { break }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        var headers: [(String, String)] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return Part(headers: headers, body: index <= bytes.count ? Array(bytes[index...]) : [])
    }

    /// The parts of a multipart body between `--boundary` lines; nil when the closing line is missing.
    public static func parts(_ bytes: [UInt8], boundary: String) -> [Part]? {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [(at: Int, closing: Bool, bodyStart: Int)] = []
        var index = 0
        while let found = find(delimiter, in: bytes, from: index) {
            let atLineStart = found == 0 || bytes[found - 1] == 10
            var after = found + delimiter.count
            if atLineStart {
                let closing = after + 1 < bytes.count && bytes[after] == 45 && bytes[after + 1] == 45
                while after < bytes.count, bytes[after] != 10 { after += 1 }
                starts.append((found, closing, min(after + 1, bytes.count)))
                if closing { break }
            }
            index = found + delimiter.count
        }
        guard let last = starts.last, last.closing else { return nil }
        var parts: [Part] = []
        for (current, next) in zip(starts, starts.dropFirst()) {
            var end = next.at
            if end > 0, bytes[end - 1] == 10 { end -= 1 }
            if end > 0, bytes[end - 1] == 13 { end -= 1 }
            guard end >= current.bodyStart else { continue }
            parts.append(part(Array(bytes[current.bodyStart..<end])))
        }
        return parts
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var match = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }

    /// `text/plain; charset=utf-8` -> `text/plain`.
    public static func mainValue(_ field: String) -> String {
        String(field.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// The `name=value` parameters of a header field, names in lower case, quotes removed;
    /// `filename*=UTF-8''...` (RFC 2231) decoded.
    public static func parameters(_ field: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(field)
        guard let semicolon = rest.firstIndex(of: ";") else { return result }
        rest = rest[rest.index(after: semicolon)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " }
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    if character == "\\", rest.count > 1 { rest = rest.dropFirst() }
                    value.append(rest.first ?? " ")
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
                rest = rest.drop { $0 != ";" }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            if name.hasSuffix("*") {
                let plain = String(name.dropLast())
                let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                result[plain] = (pieces.count == 3 ? String(pieces[2]) : value).removingPercentEncoding ?? value
            } else if result[name] == nil {
                result[name] = value
            }
        }
        return result
    }

    public static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let clean = bytes.filter { !($0 == 10 || $0 == 13 || $0 == 32 || $0 == 9) }
        return Data(base64Encoded: Data(clean), options: [.ignoreUnknownCharacters]).map(Array.init) ?? []
    }

    public static func quotedPrintable(_ bytes: [UInt8], underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 61 { // "="
                if index + 1 < bytes.count, bytes[index + 1] == 10 { index += 2; continue }
                if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 { index += 3; continue }
                if index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            out.append(underscoreIsSpace && byte == 95 ? 32 : byte)
            index += 1
        }
        return out
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }

    /// Text in a charset MIME names; UTF-8 and Latin-1 (and its Windows variant), else lossy UTF-8.
    public static func text(_ bytes: [UInt8], charset: String?) -> String {
        switch charset?.lowercased() {
        case "iso-8859-1", "latin1", "windows-1252", "cp1252", "iso-8859-15":
            return String(data: Data(bytes), encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Decodes RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?iso-8859-1?Q?...?=`) in a header value.
    public static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var rest = Substring(value)
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let between = rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let pieces = after.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard pieces.count == 4, pieces[3].hasPrefix("="), let encoding = pieces[1].first else {
                result += rest[..<start.upperBound]
                rest = after
                lastWasWord = false
                continue
            }
            if !(lastWasWord && between.allSatisfy(\.isWhitespace)) { result += between }
            let payload = Array(pieces[2].utf8)
            let bytes = encoding.lowercased() == "b" ? base64(payload) : quotedPrintable(payload, underscoreIsSpace: true)
            result += text(bytes, charset: String(pieces[0]))
            rest = pieces[3].dropFirst()
            lastWasWord = true
        }
        return result + rest
    }
}
