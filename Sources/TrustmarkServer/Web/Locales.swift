import Foundation
import TrustmarkCore

/// The languages every page and message exists in. Dutch first: the schemes we serve are Dutch,
/// Belgian and German, and their members expect Dutch unless they choose otherwise.
public enum AppLocale: String, Sendable, CaseIterable, Codable {
    case nl, en, de

    public static let fallback = AppLocale.nl

    /// Picks the best language from an `Accept-Language` header, honouring q-values.
    public static func negotiate(_ header: String?) -> AppLocale? {
        guard let header, !header.isEmpty else { return nil }
        var best: (AppLocale, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { continue }
            let primary = String(tag.split(separator: "-").first ?? "")
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard let locale = AppLocale(rawValue: primary), quality > 0 else { continue }
            if best == nil || quality > best!.1 { best = (locale, quality) }
        }
        return best?.0
    }
}

/// All user-facing text, loaded from `Resources/Locales/<lang>.json` (flat key -> text). Text lives
/// there and not in templates or Swift, so a translator never has to touch code.
public struct Localizer: Sendable {
    public let tables: [AppLocale: [String: String]]

    public init(directory: String) throws {
        var tables: [AppLocale: [String: String]] = [:]
        for locale in AppLocale.allCases {
            let path = (directory as NSString).appendingPathComponent("\(locale.rawValue).json")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "missing locale file \(path)")
            }
            do {
                tables[locale] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "locale file \(path) is not a JSON object of strings: \(error)")
            }
        }
        self.tables = tables
    }

    /// The text for `key`, with `{name}` placeholders filled in. A missing key shows itself, which a
    /// test catches; it never crashes a page.
    public func text(_ key: String, _ locale: AppLocale, _ arguments: [String: String] = [:]) -> String {
        var value = tables[locale]?[key] ?? tables[.en]?[key] ?? key
        for (name, replacement) in arguments {
            value = value.replacingOccurrences(of: "{\(name)}", with: replacement)
        }
        return value
    }

    /// The text for `key` when one exists (in `locale` or English), for names that may have no words yet:
    /// the caller shows the name itself instead.
    public func text(ifAny key: String, _ locale: AppLocale) -> String? {
        tables[locale]?[key] ?? tables[.en]?[key]
    }

    public func table(_ locale: AppLocale) -> [String: String] { tables[locale] ?? [:] }
}
