import ArgumentParser
import Foundation
import TrustmarkServer

struct BenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark", abstract: "Measure the platform services on a database of their own (see docs/benchmarks.md).",
        subcommands: [DueScan.self, Mail.self, SiteChecks.self])

    struct DueScan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fill open deadlines with their jobs and time the worker's scan.")

        @Option(help: "How many open deadlines.") var deadlines = 1_000_000
        @Option(name: .customLong("database-url"), help: "Where to fill them (default: a new SQLite file in a temporary folder).") var databaseURL: String?

        func run() async throws {
            let app = try await benchmarkApp(databaseURL)
            say("due-job scan with \(deadlines) open deadlines on \(app.config.database.kind):")
            try await PlatformBenchmarks.dueScan(app: app, deadlines: deadlines) { say($0) }
            await app.storage.shutdown()
        }
    }

    struct Mail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver messages to an SMTP server (e.g. scripts/smtp-sink.py) and count them per second.")

        @Option(help: "How many messages.") var count = 500
        @Option(help: "The SMTP server, e.g. smtp://127.0.0.1:2525.") var smtp: String

        func run() async throws {
            setenv("SMTP_URL", smtp, 1)
            let app = try await benchmarkApp(nil)
            say("mail delivery to \(smtp):")
            try await PlatformBenchmarks.mail(app: app, count: count) { say($0) }
            await app.storage.shutdown()
        }
    }
}

extension BenchmarkCommand {
    struct SiteChecks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "site-checks",
            abstract: "Run the website checker on local sites site0001.test ... (scripts/bench serves them with nginx) and count sites per minute.")

        @Option(help: "How many sites.") var sites = 1000
        @Option(help: "The local server's port (every site's host connects to 127.0.0.1 there).") var port: Int
        @Option(name: .customLong("interval-ms"), help: "At least this long between two requests to one host.") var intervalMs = 1000
        @Option(help: "How many sites at a time.") var concurrency = 32
        @Option(help: "The scheme whose checks run.") var scheme = "Schemes/keuronline.yaml"

        func run() async throws {
            setenv("TRUSTMARK_SCHEME", scheme, 1)
            let app = try await benchmarkApp(nil)
            let urls = (1...max(1, sites)).map { String(format: "http://site%04d.test:%d/", $0, port) }
            say("website checker:")
            try await SiteCheckBenchmark.run(app: app, urls: urls, resolve: "127.0.0.1", intervalMilliseconds: intervalMs, concurrency: concurrency) { say("    " + $0) }
            await app.storage.shutdown()
        }
    }
}

/// A server wired as for tests (no background worker), on its own database.
func benchmarkApp(_ databaseURL: String?) async throws -> TrustmarkApp {
    let folder = NSTemporaryDirectory() + "trustmark-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    setenv("TRUSTMARK_ENV", "testing", 1)
    setenv("TRUSTMARK_CLOCK", "fixed:2026-12-24T10:00:00Z", 1)
    setenv("TRUSTMARK_DATA", folder, 1)
    setenv("DATABASE_URL", databaseURL ?? "sqlite://\(folder)/bench.sqlite", 1)
    setenv("LOG_LEVEL", "error", 1)
    return try await build(try CommonOptions.parse([]).loadConfig())
}
