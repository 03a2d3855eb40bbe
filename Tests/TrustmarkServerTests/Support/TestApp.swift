import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Builds a server for one test: its own database (a private in-memory SQLite, or a fresh schema on
/// the PostgreSQL server named by TEST_DATABASE_URL), a settable clock, and a temporary data folder.
enum TestApp {
    static let start = ISO8601DateFormatter().date(from: "2026-12-24T10:00:00Z")!

    static var checkout: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func config(environment: RunEnvironment = .testing, scheme: String = "default", extra: [String: String] = [:]) throws -> AppConfig {
        var env = ["TRUSTMARK_ENV": environment.rawValue, "TRUSTMARK_RESOURCES": checkout, "TRUSTMARK_SCHEME": scheme.hasPrefix("/") ? scheme : "\(checkout)/Schemes/\(scheme).yaml",
                   "TRUSTMARK_DATA": NSTemporaryDirectory() + "trustmark-test-" + UUID().uuidString]
        if environment != .production { env["TRUSTMARK_CLOCK"] = "fixed:2026-12-24T10:00:00Z" }
        for (key, value) in extra { env[key] = value }
        return try AppConfig.load(from: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: env)), workingDirectory: checkout)
    }

    /// Runs `body` against a fresh server; the database is removed afterwards.
    /// `sharedDatabase`: a SQLite file instead of memory, so a second instance (`secondInstance`) can open it.
    static func with(environment: RunEnvironment = .testing, scheme: String = "default", smtp: String? = nil, extra: [String: String] = [:],
                     sharedDatabase: Bool = false, live: Bool = false, _ body: @Sendable (TrustmarkApp, any TestClientProtocol) async throws -> Void) async throws {
        var config = try config(environment: environment, scheme: scheme, extra: extra)
        config.smtp = try smtp.map { try SMTPSettings.parse($0) }
        var schema: String?
        if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
            guard case .postgres(var location) = try DatabaseLocation.parse(url, relativeTo: checkout) else {
                Issue.record("TEST_DATABASE_URL must be a postgres:// URL")
                return
            }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await adminSQL(location) { try await $0.raw("CREATE SCHEMA \(ident: name)").run() }
            location.schema = name
            schema = name
            config.database = .postgres(location)
        } else if sharedDatabase {
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            config.database = .sqlite(path: config.dataDirectory + "/shared.sqlite")
        } else {
            config.database = .sqliteInMemory
        }
        let app = try await buildApplication(config: config)
        do {
            // `live`: a real server on a free port, with the connection's own handlers (the seal's).
            try await app.application.test(live ? .live : .router) { client in try await body(app, client) }
        } catch {
            await cleanUp(app, schema: schema)
            throw error
        }
        await cleanUp(app, schema: schema)
    }

    /// Another server on the same database (as a second instance behind a load balancer), with its
    /// own clock and caches; the caller shuts its storage down.
    static func secondInstance(of app: TrustmarkApp) async throws -> TrustmarkApp {
        try await buildApplication(config: app.config, migrate: false)
    }

    private static func cleanUp(_ app: TrustmarkApp, schema: String?) async {
        await app.storage.shutdown()
        try? FileManager.default.removeItem(atPath: app.config.dataDirectory)
        if let schema, case .postgres(var location) = app.config.database {
            location.schema = nil
            try? await adminSQL(location) { try await $0.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        }
    }

    private static func adminSQL(_ location: DatabaseLocation.PostgresLocation, _ work: (any SQLDatabase) async throws -> Void) async throws {
        let storage = try Storage(location: .postgres(location), logger: .init(label: "test-admin"))
        do {
            try await work(storage.sql)
        } catch {
            await storage.shutdown()
            throw error
        }
        await storage.shutdown()
    }
}

extension TrustmarkApp {
    var settableClock: SettableClock { clock as! SettableClock }

    /// Creates an active user with a known password, as the command line does.
    @discardableResult
    func makeUser(_ email: String, role: Role, organisation: String? = nil, password: String = "correct horse battery") async throws -> String {
        try await createUser(email: email, name: email.components(separatedBy: "@")[0].capitalized, role: role,
                             organisation: role == .member ? (organisation ?? "Shop BV") : nil, password: password)
    }
}

import NIOCore
import NIOPosix

extension TestApp {
    /// A plain TCP listener on 127.0.0.1 with a port the system chose, to occupy a port in a test.
    struct Listener {
        let channel: any Channel
        var port: Int { channel.localAddress?.port ?? 0 }
        func close() async throws { try await channel.close() }
    }

    static func freePortListener() async throws -> Listener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 0)
            .bind(host: "127.0.0.1", port: 0).get()
        return Listener(channel: channel)
    }
}
