import Foundation

/// A scheme file read from disk: the text as it was (for its content hash and for storage) and the
/// scheme it describes. Reading a file is the one bit of I/O here, kept in this small type.
public struct SchemeFile: Sendable {
    public let path: String
    public let text: String
    public let scheme: Scheme

    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case unreadable(path: String)
        case invalid(path: String, problems: [SchemeProblem])

        public var lines: [String] {
            switch self {
            case .unreadable(let path): return ["\(path): cannot read the scheme file"]
            case .invalid(let path, let problems): return problems.map { $0.formatted(file: path) }
            }
        }

        public var description: String { lines.joined(separator: "\n") }
    }

    public static func load(_ path: String) throws(LoadError) -> SchemeFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path)
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws(LoadError) -> SchemeFile {
        switch SchemeParser.parse(text) {
        case .valid(let scheme): return SchemeFile(path: path, text: text, scheme: scheme)
        case .invalid(let problems): throw .invalid(path: path, problems: problems)
        }
    }

    /// SHA-256 of the file's bytes: the identity of a version of the rules.
    public var contentHash: String { SecretToken.digest(text) }
}
