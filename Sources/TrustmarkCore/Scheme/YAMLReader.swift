import Foundation
import Yams

/// One thing wrong with a scheme file, with where it is.
public struct SchemeProblem: Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }

    /// `FILE:LINE:COLUMN: message`, the form editors and terminals link to.
    public func formatted(file: String) -> String { "\(file):\(line):\(column): \(message)" }
}

/// Collects the problems found while reading a YAML tree, each at its node's position.
final class ProblemLog {
    private(set) var problems: [SchemeProblem] = []

    func add(_ node: Node?, _ message: String) {
        let mark = node?.mark
        problems.append(SchemeProblem(line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }
}

/// Reads one YAML mapping: reports unknown and duplicate keys at once, and offers typed accessors
/// that report a wrong or missing value by its path (`membership.annual_fee`).
struct MapReader {
    let node: Node
    let path: String
    let log: ProblemLog
    private let entries: [String: Node]

    /// `nil` (after reporting) when `node` is not a mapping.
    init?(_ node: Node, path: String, keys allowed: [String], log: ProblemLog) {
        guard let mapping = node.mapping else {
            log.add(node, "\(path.isEmpty ? "the file" : path) must be a mapping of keys to values")
            return nil
        }
        self.node = node
        self.path = path
        self.log = log
        var entries: [String: Node] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            if entries[name] != nil {
                log.add(key, "duplicate key '\(name)' in \(path.isEmpty ? "the file" : path)")
                continue
            }
            if !allowed.contains(name) {
                log.add(key, "unknown key '\(name)' in \(path.isEmpty ? "the file" : path); allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            entries[name] = value
        }
        self.entries = entries
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw node, reporting it when required and missing.
    func node(_ key: String, required: Bool) -> Node? {
        if let value = entries[key], !(value.scalar.map { $0.string == "null" || ($0.string.isEmpty && $0.style == .plain) } ?? false) {
            return value
        }
        if required { log.add(node, "\(path.isEmpty ? "the file" : path) is missing the required key '\(key)'") }
        return nil
    }

    func string(_ key: String, required: Bool = true) -> String? {
        guard let value = node(key, required: required) else { return nil }
        guard let scalar = value.scalar else {
            log.add(value, "\(name(key)) must be a text, not a \(value.mapping != nil ? "mapping" : "list")")
            return nil
        }
        return scalar.string
    }

    func bool(_ key: String, required: Bool = true) -> Bool? {
        guard let text = string(key, required: required) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            log.add(entries[key], "\(name(key)) must be true or false, not '\(text)'")
            return nil
        }
    }

    func int(_ key: String, required: Bool = true, minimum: Int = 0) -> Int? {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Int(text) else {
            log.add(entries[key], "\(name(key)) must be a whole number, not '\(text)'")
            return nil
        }
        guard value >= minimum else {
            log.add(entries[key], "\(name(key)) must be at least \(minimum), not \(value)")
            return nil
        }
        return value
    }

    func money(_ key: String, currency: String, required: Bool = true) -> Money? {
        guard let text = string(key, required: required) else { return nil }
        guard let money = Money.parse(text, currency: currency) else {
            log.add(entries[key], "\(name(key)) must be an amount such as 60.00, not '\(text)'")
            return nil
        }
        guard money.cents >= 0 else {
            log.add(entries[key], "\(name(key)) must not be negative (\(money.plain))")
            return nil
        }
        return money
    }

    func period(_ key: String, required: Bool = true) -> Period? {
        guard let text = string(key, required: required) else { return nil }
        guard let period = Period.parse(text) else {
            log.add(entries[key], "\(name(key)) must be a period such as '2 working days', '14 days' or '1 month', not '\(text)'")
            return nil
        }
        guard period.amount > 0 else {
            log.add(entries[key], "\(name(key)) must be longer than 0 \(period.unit.rawValue)s")
            return nil
        }
        return period
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type, required: Bool = true) -> T? where T.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = T(rawValue: text) else {
            log.add(entries[key], "\(name(key)) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            return nil
        }
        return value
    }

    /// A text per language; every language of the scheme must be present. When the scheme's
    /// languages could not be read, whatever texts are there are taken without complaint, so one
    /// mistake in `languages` does not bury the file under follow-on messages.
    func localized(_ key: String, languages: [String], required: Bool = true) -> LocalizedText? {
        guard let value = node(key, required: required) else { return nil }
        if languages.isEmpty {
            let pairs = value.mapping.map { Array($0) } ?? []
            return LocalizedText(Dictionary(pairs.compactMap { pair in pair.key.scalar.flatMap { k in pair.value.scalar.map { (k.string, $0.string) } } }, uniquingKeysWith: { a, _ in a }))
        }
        guard let map = MapReader(value, path: name(key), keys: languages, log: log) else { return nil }
        var texts: [String: String] = [:]
        for language in languages {
            if let text = map.string(language) {
                if text.trimmingWhitespace().isEmpty { log.add(value, "\(name(key)).\(language) must not be empty") } else { texts[language] = text }
            }
        }
        return LocalizedText(texts)
    }

    func map(_ key: String, keys: [String], required: Bool = true) -> MapReader? {
        guard let value = node(key, required: required) else { return nil }
        return MapReader(value, path: name(key), keys: keys, log: log)
    }

    /// The items of a list (an absent optional list is empty).
    func list(_ key: String, required: Bool = true) -> [Node] {
        guard let value = node(key, required: required) else { return [] }
        guard let sequence = value.sequence else {
            log.add(value, "\(name(key)) must be a list")
            return []
        }
        return Array(sequence)
    }

    func strings(_ key: String, required: Bool = true) -> [String] {
        list(key, required: required).compactMap { item in
            guard let text = item.scalar?.string else {
                log.add(item, "each entry of \(name(key)) must be a text")
                return nil
            }
            return text
        }
    }

    func position(_ key: String) -> Node? { entries[key] ?? node }
}
