import Foundation

/// Where the data lives, parsed from `DATABASE_URL`. There is deliberately no in-memory fallback: a
/// mistyped URL must stop the server, not start it on an empty database that loses everything.
public enum DatabaseLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(PostgresLocation)
    /// Only for tests: a private in-memory SQLite database. Never reachable from `DATABASE_URL`.
    case sqliteInMemory

    public struct PostgresLocation: Equatable, Sendable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var requireTLS: Bool
        /// Only set by tests, which isolate each case in its own schema.
        public var schema: String? = nil
    }

    public static let defaultSQLitePath = "data/trustmark.sqlite"

    /// The name reported by `/healthz`.
    public var kind: String {
        switch self {
        case .sqlite, .sqliteInMemory: return "sqlite"
        case .postgres: return "postgres"
        }
    }

    /// Parses `DATABASE_URL`; `nil` means the default SQLite file. `relativeTo` anchors relative paths.
    public static func parse(_ raw: String?, relativeTo base: String) throws(ConfigError) -> DatabaseLocation {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return .sqlite(path: absolute(defaultSQLitePath, base: base))
        }
        guard let schemeEnd = raw.range(of: "://") else {
            throw ConfigError(setting: "DATABASE_URL", message: "must look like sqlite:///path/file.sqlite or postgres://user:password@host:5432/db")
        }
        let scheme = raw[..<schemeEnd.lowerBound].lowercased()
        let rest = String(raw[schemeEnd.upperBound...])
        switch scheme {
        case "sqlite":
            guard !rest.isEmpty, rest != "/" else {
                throw ConfigError(setting: "DATABASE_URL", message: "sqlite:// needs a file path, e.g. sqlite:///var/lib/trustmark/trustmark.sqlite")
            }
            if rest.contains("?") || rest.contains("#") {
                throw ConfigError(setting: "DATABASE_URL", message: "a sqlite:// URL takes a file path only, without ? or # parts")
            }
            if rest.hasSuffix("/") {
                throw ConfigError(setting: "DATABASE_URL", message: "sqlite:// must name a file, not a directory")
            }
            return .sqlite(path: rest.hasPrefix("/") ? rest : absolute(rest, base: base))
        case "postgres", "postgresql":
            return .postgres(try parsePostgres(raw))
        default:
            throw ConfigError(setting: "DATABASE_URL", message: "unknown database kind '\(scheme)'; use sqlite:// or postgres://")
        }
    }

    private static func parsePostgres(_ raw: String) throws(ConfigError) -> PostgresLocation {
        guard let components = URLComponents(string: raw), let host = components.host, !host.isEmpty else {
            throw ConfigError(setting: "DATABASE_URL", message: "postgres:// URL has no host; expected postgres://user:password@host:5432/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw ConfigError(setting: "DATABASE_URL", message: "postgres:// URL has no user name; expected postgres://user:password@host:5432/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty, !database.contains("/") else {
            throw ConfigError(setting: "DATABASE_URL", message: "postgres:// URL names no database; expected postgres://user:password@host:5432/database")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw ConfigError(setting: "DATABASE_URL", message: "port \(port) is out of range")
        }
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        guard ["disable", "require", "prefer", "allow"].contains(sslmode) else {
            throw ConfigError(setting: "DATABASE_URL", message: "sslmode '\(sslmode)' is not supported; use disable or require")
        }
        return PostgresLocation(
            host: host, port: port, username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: database, requireTLS: sslmode == "require")
    }

    static func absolute(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }

    /// A form safe to print: never the password.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .sqliteInMemory: return "sqlite (in memory)"
        case .postgres(let pg): return "postgres://\(pg.username)@\(pg.host):\(pg.port)/\(pg.database)"
        }
    }
}

/// A setting that stops start-up: one line naming the setting and what is wrong.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let setting: String
    public let message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "\(setting): \(message)" }
}
