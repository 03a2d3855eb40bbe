import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import ServiceLifecycle

/// FluentKit's databases wired for this application: the driver chosen from `DATABASE_URL`, the
/// migrations, and a shutdown that runs with the service lifecycle. About the size of the glue that
/// hummingbird-fluent offers, written for our two drivers only.
public final class Storage: Service, Sendable {
    public let databases: Databases
    public let location: DatabaseLocation
    private let logger: Logger
    /// SQLite opens one connection per event loop; pinning every use to one loop gives exactly one
    /// connection, so writes (and the record's hash chain) are serialised without "database is
    /// locked" failures. PostgreSQL spreads over all loops and serialises appends with a lock.
    private let pinnedLoop: (any EventLoop)?
    /// A SQLite file also gets a second connection, for reads only, on another loop: in WAL mode it reads
    /// the last committed state while the first one writes.
    private let readerLoop: (any EventLoop)?
    static let readerID = DatabaseID(string: "sqlite-reader")

    public init(location: DatabaseLocation, logger: Logger) throws {
        self.location = location
        self.logger = logger
        self.databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        switch location {
        case .sqlite:
            self.pinnedLoop = MultiThreadedEventLoopGroup.singleton.next()
            self.readerLoop = MultiThreadedEventLoopGroup.singleton.next()
        case .sqliteInMemory:
            self.pinnedLoop = MultiThreadedEventLoopGroup.singleton.next()
            self.readerLoop = nil
        case .postgres:
            self.pinnedLoop = nil
            self.readerLoop = nil
        }
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ConfigError(setting: "DATABASE_URL", message: "cannot create directory \(directory) for the SQLite file: \(error.localizedDescription)")
            }
            databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
            databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: Self.readerID, isDefault: false)
        case .sqliteInMemory:
            databases.use(.sqlite(.init(storage: .memory(identifier: UUID().uuidString)), sqlLogLevel: .debug), as: .sqlite)
        case .postgres(let pg):
            var configuration = SQLPostgresConfiguration(
                hostname: pg.host, port: pg.port, username: pg.username, password: pg.password,
                database: pg.database, tls: pg.requireTLS ? .require(try .init(configuration: .clientDefault)) : .disable)
            configuration.searchPath = pg.searchPath
            // A burst of writers waits its turn for a connection (appends to the record are serialised)
            // rather than failing after the driver's 10 s.
            databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(30), encodingContext: .default, decodingContext: .default, sqlLogLevel: .debug), as: .psql)
        }
    }

    /// A database handle for one unit of work.
    public var db: any Database {
        databases.database(logger: logger, on: pinnedLoop ?? MultiThreadedEventLoopGroup.singleton.any())!
    }

    public var sql: any SQLDatabase { db as! any SQLDatabase }

    /// A database handle for reads that need no transaction and may run beside a write: the read-only
    /// connection of a SQLite file, else the same as `db` (PostgreSQL's pool, an in-memory database).
    public var reader: any Database {
        guard let readerLoop else { return db }
        return databases.database(Self.readerID, logger: logger, on: readerLoop)!
    }

    /// Checks that the database answers; start-up calls this so a wrong URL fails with one clear line.
    public func checkConnection() async throws {
        do {
            try await sql.raw("SELECT 1").run()
        } catch {
            throw ConfigError(setting: "DATABASE_URL", message: "cannot reach the database at \(location.redacted): \(Self.describe(error))")
        }
    }

    /// Settings that make SQLite safe for a web server: WAL lets readers work beside the writer, and
    /// `synchronous=FULL` keeps a committed transaction through a power cut. The connection keeps 64 MB
    /// of pages in memory and reads the file through a memory map, so a hot index is not copied in
    /// from the operating system's cache on every statement. Temporary data stays in memory: a statement
    /// that writes many rows keeps its undo pages (the statement journal) there instead of in a file.
    public func prepareConnection() async throws {
        guard case .sqlite = location else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA synchronous=FULL").run()
        try await sql.raw("PRAGMA busy_timeout=5000").run()
        try await sql.raw("PRAGMA cache_size=-65536").run()
        try await sql.raw("PRAGMA mmap_size=1073741824").run()
        try await sql.raw("PRAGMA temp_store=MEMORY").run()
        guard readerLoop != nil, let reader = reader as? any SQLDatabase else { return }
        for pragma in ["busy_timeout=5000", "cache_size=-65536", "mmap_size=1073741824", "temp_store=MEMORY", "query_only=1"] {
            try await reader.raw("PRAGMA \(unsafeRaw: pragma)").run()
        }
    }

    /// Brings the schema up to date; returns the names of the migrations that ran.
    @discardableResult
    public func migrate() async throws -> [String] {
        let migrations = Migrations()
        for migration in AllMigrations.ordered { migrations.add(migration) }
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        try await migrator.setupIfNeeded().get()
        let pending = try await migrator.previewPrepareBatch().get().map { $0.0.name }
        try await migrator.prepareBatch().get()
        return pending
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await databases.shutdownAsync()
    }

    /// Stops the drivers when the instance is used without the service lifecycle (CLI, tests).
    public func shutdown() async {
        await databases.shutdownAsync()
    }

    static func describe(_ error: any Error) -> String {
        let text = String(reflecting: error)
        // The drivers' errors are long; name the cause a person can act on where we recognise it.
        for (needle, plain) in [("Connection refused", "connection refused (is the server running on that host and port?)"),
                                ("password authentication failed", "password authentication failed"),
                                ("does not exist", "the database or role does not exist"),
                                ("timed out", "the connection timed out"),
                                ("unable to open database file", "the SQLite file cannot be opened")] where text.contains(needle) {
            return plain
        }
        // PSQLError hides its cause behind a generic description; the reflection names it.
        if let range = text.range(of: "underlying: ") { return String(text[range.upperBound...].prefix(200)) }
        return String(text.prefix(300))
    }
}

extension DatabaseLocation.PostgresLocation {
    /// Tests give each case its own schema; an operator never sets this.
    public var searchPath: [String]? { schema.map { [$0] } }
}
