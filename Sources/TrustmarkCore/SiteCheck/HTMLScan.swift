/// What the website checker reads from one HTML page: its visible text (with the alt texts of
/// images, where shops often put a number), its links, images and forms. A tolerant scan, not a
/// parser: shops' pages are rarely valid, and the checks only need words, links and a few tags.
public struct ScannedPage: Equatable, Sendable {
    public struct Link: Equatable, Sendable {
        public var href: String
        public var text: String
    }

    public struct Image: Equatable, Sendable {
        public var src: String
        public var alt: String
    }

    public var title: String
    /// Visible text and alt texts, whitespace collapsed.
    public var text: String
    public var links: [Link]
    public var images: [Image]
    /// A form with a text area or an e-mail field: a contact form.
    public var hasContactForm: Bool

    public init(title: String = "", text: String = "", links: [Link] = [], images: [Image] = [], hasContactForm: Bool = false) {
        self.title = title
        self.text = text
        self.links = links
        self.images = images
        self.hasContactForm = hasContactForm
    }
}

public enum HTMLScan {
    /// Scans `html`; the contents of `script`, `style`, `noscript` and `template` are not text.
    public static func scan(_ html: String) -> ScannedPage {
        var page = ScannedPage()
        var text = ""
        var title = ""
        var inTitle = false
        var skipUntil: String?
        var openLink: (href: String, text: String)?
        var formHasField = false
        var inForm = false
        let chars = Array(html.unicodeScalars)
        var index = 0
        func appendText(_ piece: String) {
            if inTitle { title += piece }
            text += piece
            if openLink != nil { openLink!.text += piece }
        }
        while index < chars.count {
            let c = chars[index]
            guard c == "<" else {
                var end = index
                while end < chars.count, chars[end] != "<" { end += 1 }
                if skipUntil == nil { appendText(decodeEntities(String(String.UnicodeScalarView(chars[index..<end])))) }
                index = end
                continue
            }
            // A comment runs to "-->".
            if index + 3 < chars.count, chars[index + 1] == "!", chars[index + 2] == "-", chars[index + 3] == "-" {
                var end = index + 4
                while end + 2 < chars.count, !(chars[end] == "-" && chars[end + 1] == "-" && chars[end + 2] == ">") { end += 1 }
                index = min(chars.count, end + 3)
                continue
            }
            var end = index + 1
            var quote: Unicode.Scalar?
            while end < chars.count {
                let d = chars[end]
                if let q = quote { if d == q { quote = nil } } else if d == "\"" || d == "'" { quote = d } else if d == ">" { break }
                end += 1
            }
            let tag = Tag(String(String.UnicodeScalarView(chars[(index + 1)..<min(end, chars.count)])))
            index = min(chars.count, end + 1)
            if let skip = skipUntil {
                if tag.closing && tag.name == skip { skipUntil = nil }
                continue
            }
            switch (tag.name, tag.closing) {
            case ("script", false), ("style", false), ("noscript", false), ("template", false):
                if !tag.selfClosing { skipUntil = tag.name }
            case ("title", false): inTitle = true
            case ("title", true): inTitle = false
            case ("a", false):
                if let link = openLink { page.links.append(.init(href: link.href, text: collapse(link.text))) }
                openLink = tag.attributes["href"].map { ($0, "") }
            case ("a", true):
                if let link = openLink { page.links.append(.init(href: link.href, text: collapse(link.text))) }
                openLink = nil
            case ("img", false):
                let alt = tag.attributes["alt"] ?? ""
                page.images.append(.init(src: tag.attributes["src"] ?? "", alt: alt))
                if !alt.isEmpty { appendText(" " + alt + " ") }
            case ("form", false): inForm = true
            case ("form", true):
                if inForm, formHasField { page.hasContactForm = true }
                inForm = false
                formHasField = false
            case ("textarea", false): if inForm { formHasField = true }
            case ("input", false): if inForm, tag.attributes["type"]?.lowercased() == "email" { formHasField = true }
            default:
                if blockTags.contains(tag.name) { appendText(" ") }
            }
        }
        if let link = openLink { page.links.append(.init(href: link.href, text: collapse(link.text))) }
        if inForm, formHasField { page.hasContactForm = true }
        page.title = collapse(title)
        page.text = collapse(text)
        return page
    }

    private static let blockTags: Set<String> = ["p", "div", "br", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "footer",
                                                 "header", "article", "address", "span", "label", "option", "dd", "dt"]

    /// Whitespace (including no-break spaces) collapsed to single spaces.
    public static func collapse(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var space = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{00A0}" {
                space = true
            } else {
                if space, !out.isEmpty { out.append(" ") }
                space = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "euro": "€", "copy": "©", "reg": "®",
        "eacute": "é", "euml": "ë", "iuml": "ï", "ouml": "ö", "uuml": "ü", "auml": "ä", "szlig": "ß", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü",
        "egrave": "è", "agrave": "à", "ccedil": "ç", "ndash": "–", "mdash": "—", "hellip": "…", "middot": "·",
    ]

    public static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(10).firstIndex(of: ";") {
                let name = String(after[..<semi])
                var decoded: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                } else if name.hasPrefix("#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                } else {
                    decoded = namedEntities[name]
                }
                if let decoded {
                    out += decoded
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }

    /// One tag: its lower-case name, whether it closes, and its attributes (lower-case names,
    /// entity-decoded values).
    struct Tag {
        var name = ""
        var closing = false
        var selfClosing = false
        var attributes: [String: String] = [:]

        init(_ raw: String) {
            var body = Substring(raw)
            if body.hasPrefix("/") { closing = true; body = body.dropFirst() }
            if body.hasSuffix("/") { selfClosing = true; body = body.dropLast() }
            let nameEnd = body.firstIndex { $0.isWhitespace } ?? body.endIndex
            name = body[..<nameEnd].lowercased()
            var rest = body[nameEnd...]
            while true {
                rest = rest.drop { $0.isWhitespace }
                guard !rest.isEmpty else { break }
                let keyEnd = rest.firstIndex { $0 == "=" || $0.isWhitespace } ?? rest.endIndex
                let key = rest[..<keyEnd].lowercased()
                rest = rest[keyEnd...].drop { $0.isWhitespace }
                guard rest.first == "=" else {
                    if !key.isEmpty { attributes[key] = "" }
                    continue
                }
                rest = rest.dropFirst().drop { $0.isWhitespace }
                var value: Substring
                if let q = rest.first, q == "\"" || q == "'" {
                    let inner = rest.dropFirst()
                    let close = inner.firstIndex(of: q) ?? inner.endIndex
                    value = inner[..<close]
                    rest = close < inner.endIndex ? inner[inner.index(after: close)...] : inner[inner.endIndex...]
                } else {
                    let close = rest.firstIndex { $0.isWhitespace } ?? rest.endIndex
                    value = rest[..<close]
                    rest = rest[close...]
                }
                if !key.isEmpty { attributes[key] = HTMLScan.decodeEntities(String(value)) }
            }
        }
    }
}
