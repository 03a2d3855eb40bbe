import ArgumentParser
import Foundation
import TrustmarkServer

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Fill a database with a national scheme's volume, deterministically, for benchmarks (see docs/benchmarks.md).")

    @Option(help: "How many active member shops to add.") var shops = 100_000
    @Option(help: "How many complaints to spread over them (finished ones, within the scheme's statistics window).") var complaints = 0
    @Option(help: "How many published reviews to spread over them (within the scheme's rating window), with the figures and tiers they give.") var reviews = 0
    @Option(help: "The seed: the same seed gives the same rows.") var seed: UInt64 = 42
    @Flag(help: "Print no progress bar.") var quiet = false
    @Option(help: "Write each new shop as a 'slug domain' line to this file (for the seal benchmark).") var slugs: String?
    @Option(help: "How many sent, unused review invitations to add, spread round the shops (for the review ingestion benchmark).") var invitations = 0
    @Option(help: "Write each invitation's link token as a 'token slug' line to this file.") var tokens: String?
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.loadConfig()
        let app = try await build(config)
        let width = 30
        let report: ScaleGenerator.Report
        var listing: FileHandle?
        if let slugs {
            FileManager.default.createFile(atPath: slugs, contents: nil)
            listing = FileHandle(forWritingAtPath: slugs)
        }
        var tokenFile: FileHandle?
        if let tokens {
            FileManager.default.createFile(atPath: tokens, contents: nil)
            tokenFile = FileHandle(forWritingAtPath: tokens)
        }
        defer {
            try? listing?.close()
            try? tokenFile?.close()
        }
        do {
            let writer = { (file: FileHandle) in { (lines: [String]) in file.write(Data((lines.joined(separator: "\n") + "\n").utf8)) } }
            report = try await ScaleGenerator(app: app, seed: seed).generate(shops: shops, complaints: complaints, reviews: reviews, invitations: invitations,
                                                                            listing: listing.map(writer), tokens: tokenFile.map(writer)) { done in
                if !quiet { progressBar(done, shops, unit: "shops", width: width) }
            }
        } catch {
            await app.storage.shutdown()
            stderr("\ntrustmark: \(app.describe(error))")
            throw ExitCode(1)
        }
        if !quiet { stderr("") }
        say("Added \(report.shops) shops, \(report.complaints) complaints and \(report.reviews) reviews (\(report.rows) rows) to \(config.database.redacted) in \(String(format: "%.1f", report.seconds)) s: \(report.rowsPerSecond) rows/s.")
        await app.storage.shutdown()
    }
}
