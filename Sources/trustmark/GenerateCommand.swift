import ArgumentParser
import Foundation
import TrustmarkServer

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Fill a database with a national scheme's volume, deterministically, for benchmarks (see docs/benchmarks.md).")

    @Option(help: "How many active member shops to add.") var shops = 100_000
    @Option(help: "The seed: the same seed gives the same rows.") var seed: UInt64 = 42
    @Flag(help: "Print no progress bar.") var quiet = false
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.loadConfig()
        let app = try await build(config)
        let width = 30
        let report: ScaleGenerator.Report
        do {
            report = try await ScaleGenerator(app: app, seed: seed).generate(shops: shops) { done in
                guard !quiet else { return }
                let filled = shops == 0 ? width : done * width / shops
                FileHandle.standardError.write(Data("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(shops) shops".utf8))
            }
        } catch {
            await app.storage.shutdown()
            stderr("\ntrustmark: \(app.describe(error))")
            throw ExitCode(1)
        }
        if !quiet { stderr("") }
        say("Added \(report.shops) shops (\(report.rows) rows) to \(config.database.redacted) in \(String(format: "%.1f", report.seconds)) s: \(report.rowsPerSecond) rows/s.")
        await app.storage.shutdown()
    }
}
