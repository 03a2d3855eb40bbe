import Foundation
import Mustache

/// Writes a language's texts into the templates once, at start-up, so that a page does not look
/// them up while it renders.
///
/// A tag like `{{t.verify_title}}` is looked up by the engine through the context stack on every
/// render: from inside a section it asks every object on the way down whether it has a `t`, with two
/// dynamic protocol casts each. A page has dozens of texts, and on the verification page those
/// lookups were a third of a render. The texts of a language never change while the server runs, so
/// each language gets its own copy of every template with its texts already in place: `{{t.key}}`
/// becomes the text HTML-escaped (as the engine would have printed it), `{{{t.key}}}` and
/// `{{&t.key}}` the text as it is. Anything else stays a tag and is still looked up under `t`: a
/// section such as `{{#t.key}}`, a key the language lacks (it prints nothing, as before) and a text
/// that itself contains braces.
enum TemplateTexts {
    /// `source` with the plain text tags of `table` filled in. A template that changes its
    /// delimiters is left as it is (its tags would no longer read `{{`).
    static func inline(_ source: String, _ table: [String: String], escape: (String) -> String) -> String {
        guard !source.contains("{{=") else { return source }
        var output = ""
        output.reserveCapacity(source.utf8.count)
        var rest = source[...]
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            if let (text, end) = text(after, table, escape: escape) {
                output += text
                rest = after[end...]
            } else {
                output += "{{"
                rest = after
            }
        }
        output += rest
        return output
    }

    /// The text for the tag that starts at `tag` (just after its `{{`) and where the template goes on
    /// after it; nil when the tag is not a plain text tag with a known, brace-free text.
    private static func text(_ tag: Substring, _ table: [String: String], escape: (String) -> String) -> (String, Substring.Index)? {
        var body = tag
        var raw = false
        var close = "}}"
        if body.first == "{" {
            raw = true
            close = "}}}"
            body = body.dropFirst()
        } else if body.first == "&" {
            raw = true
            body = body.dropFirst()
        }
        guard let end = body.range(of: close) else { return nil }
        let name = body[..<end.lowerBound].trimmingCharacters(in: .whitespaces)
        guard name.hasPrefix("t."), case let key = name.dropFirst(2), !key.isEmpty,
              key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
              let text = table[String(key)], !text.contains("{{"), !text.contains("}}") else { return nil }
        return (raw ? text : escape(text), end.upperBound)
    }

    /// Every template under `directory`, named as the engine names them (the path without
    /// `.mustache`), once per language with that language's texts in place.
    static func libraries(directory: String, localizer: Localizer) throws -> [AppLocale: MustacheLibrary] {
        let root = directory.hasSuffix("/") ? directory : directory + "/"
        guard let files = FileManager.default.enumerator(atPath: root) else {
            throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "no templates in \(directory)")
        }
        var sources: [String: String] = [:]
        for case let path as String in files where path.hasSuffix(".mustache") {
            guard let data = FileManager.default.contents(atPath: root + path) else { continue }
            sources[String(path.dropLast(".mustache".count))] = String(decoding: data, as: UTF8.self)
        }
        let escape = HTMLPageContentType().escapeText
        var libraries: [AppLocale: MustacheLibrary] = [:]
        for locale in AppLocale.allCases {
            let table = localizer.table(locale)
            var templates: [String: MustacheTemplate] = [:]
            for (name, source) in sources {
                do {
                    templates[name] = try MustacheTemplate(string: inline(source, table, escape: escape))
                } catch {
                    throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "the template \(name) does not parse (\(locale.rawValue)): \(error)")
                }
            }
            libraries[locale] = MustacheLibrary(templates: templates)
        }
        return libraries
    }
}
