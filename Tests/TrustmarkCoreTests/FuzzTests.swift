import Foundation
import PropertyBased
import Testing
import TrustmarkCore

/// The readers of outside text: scheme files, shops' HTML and robots.txt, spreadsheets' CSV,
/// signatures. Whatever they are given, they answer (a value or a refusal) and never crash.
/// FUZZ_COUNT sets the cases per property (CI: the default 300; a long run: FUZZ_COUNT=20000).
@Suite("Fuzzing the readers")
struct FuzzTests {
    static let count = Int(ProcessInfo.processInfo.environment["FUZZ_COUNT"] ?? "") ?? 300
    static let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...3000)
    static let schemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemes")

    /// Pieces that upset parsers: YAML syntax, HTML syntax, huge and odd numbers, odd characters.
    static let tokens = ["", ":", ": ", "- ", "-", "{", "}", "[", "]", "&a ", "*a", "!!binary ", "\t", "  ", "'", "\"", "#", "|", ">", "---", "...",
                         "99999999999999999999999", "-1", "0", "1e400", "null", "~", "true", "NaN", "2026-02-30", "P-3D", "€", "\u{0}", "\u{FEFF}",
                         "<", ">", "</", "<script>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x110000;", "&#99999999;", "<a href=", "<img src=x alt=", "=", "\r\n"]

    /// Applies mutations chosen by `seeds` to `text`'s lines: delete, duplicate, swap, cut, insert a token.
    static func mutate(_ text: String, _ seeds: [Int]) -> String {
        var lines = text.components(separatedBy: "\n")
        for seed in seeds where !lines.isEmpty {
            let index = seed % lines.count, other = (seed / 7) % lines.count, token = tokens[(seed / 13) % tokens.count]
            switch (seed / 3) % 5 {
            case 0: lines.remove(at: index)
            case 1: lines.insert(lines[index], at: other)
            case 2: lines.swapAt(index, other)
            case 3: lines[index] = String(lines[index].prefix(seed % (lines[index].count + 1)))
            default:
                let line = lines[index]
                let cut = line.index(line.startIndex, offsetBy: seed % (line.count + 1))
                lines[index] = String(line[..<cut]) + token + String(line[cut...])
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test func mangledSchemeFilesAreRefusedNeverCrash() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemes.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let texts = try files.map { try String(contentsOf: Self.schemes.appendingPathComponent($0), encoding: .utf8) }
        #expect(texts.count >= 5)
        await propertyCheck(count: Self.count, input: Gen.int(in: 0...texts.count - 1), Gen.int(in: 0...1_000_000).array(of: 1...10)) { which, seeds in
            let text = Self.mutate(texts[which], seeds)
            switch SchemeParser.parse(text) {
            case .valid(let scheme): #expect(!scheme.name.isEmpty)
            case .invalid(let problems): #expect(!problems.isEmpty, "a refusal says why")
            }
        }
        await propertyCheck(count: Self.count, input: Self.bytes) { bytes in
            if case .invalid(let problems) = SchemeParser.parse(String(decoding: bytes, as: UTF8.self)) { #expect(!problems.isEmpty) }
        }
    }

    @Test func anyHTMLIsReadWithoutCrashingAndScriptsStayOut() async {
        let fragments = Gen.int(in: 0...Self.tokens.count - 1).array(of: 0...200).map { $0.map { Self.tokens[$0] + "x" }.joined() }
        await propertyCheck(count: Self.count, input: fragments, Self.bytes) { markup, bytes in
            // A script element, once opened, hides its text whatever follows (a browser would not show it either).
            for html in [markup, String(decoding: bytes, as: UTF8.self), "<p>a</p><script>secret()</script>" + markup] {
                let page = HTMLScan.scan(html)
                #expect(!page.text.contains("secret()"), "script text is never page text")
                #expect(!page.text.contains("  "), "whitespace is collapsed")
                _ = RobotsTxt(html).allows("/voorwaarden", agent: "TrustmarkChecker")
            }
        }
    }

    @Test func csvReadsAnythingAndWhatItWritesReadsBack() async {
        let field = Gen.int(in: 0...Self.tokens.count - 1).array(of: 0...6).map { $0.map { Self.tokens[$0] }.joined() + "a" }
        await propertyCheck(count: Self.count, input: field.array(of: 1...8)) { fields in
            // What the exporter writes comes back field for field (a defused formula keeps its apostrophe).
            let line = CSV.line(fields)
            let back = CSV.records(line, separator: ",").first?.fields ?? []
            let expected = fields.map { value in value.first.map { "=+-@".contains($0) } == true && Double(value) == nil ? "'" + value : value }
            #expect(back == expected.map { $0.replacingOccurrences(of: "\r\n", with: "\n") })
        }
        await propertyCheck(count: Self.count, input: Self.bytes) { bytes in
            guard let (text, _) = try? CSV.decode(Data(bytes)) else { return }
            let records = CSV.records(text, separator: CSV.separator(of: text.split(whereSeparator: \.isNewline).first ?? ""))
            #expect(records.allSatisfy { $0.line >= 1 })
            _ = records.first.map { MemberList.columns($0.fields) }
            _ = records.map { $0.fields.map(MemberList.day) }
        }
    }

    @Test func signaturesAndLinksRefuseAnythingForged() async {
        let links = SignedLink(secret: "fuzz")
        await propertyCheck(count: Self.count, input: Gen.letterOrNumber.string(of: 0...120), Self.bytes) { text, bytes in
            #expect(throws: (any Error).self) { _ = try links.verify(text + ".x", purpose: "complaint", now: Date()) }
            #expect(throws: WebhookSignature.Failure.self) {
                try WebhookSignature.verify(header: String(decoding: bytes.prefix(200), as: UTF8.self), body: Data(bytes), secret: "s", now: Date())
            }
        }
    }
}
