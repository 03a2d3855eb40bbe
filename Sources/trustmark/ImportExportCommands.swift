import ArgumentParser
import Foundation
import TrustmarkServer

private let terminalSteps = ProgressSteps(steps: 100)
private let logSteps = ProgressSteps(steps: 10)

/// A progress bar on standard error: `[#####.....] 50/100 rows`, drawn again only when the percentage
/// moves. When standard error is no terminal (a log file, CI), one line for each tenth instead.
func progressBar(_ done: Int, _ total: Int, unit: String, width: Int = 30) {
    let terminal = isatty(STDERR_FILENO) == 1
    guard (terminal ? terminalSteps : logSteps).due(done, total) else { return }
    let filled = total == 0 ? width : min(width, done * width / total)
    let bar = "[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) \(unit)"
    FileHandle.standardError.write(Data((terminal ? "\r" + bar : bar + "\n").utf8))
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Bring existing data into Trustmark.", subcommands: [Members.self])

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a member list (CSV, one row per shop) as active memberships, without new audits.",
            discussion: """
                Columns (English, Dutch or German headers, any order): organisation, kvk, vat, contact_name, contact_email, shop, \
                domains, member_since, paid_until; optional variant, street, postcode, city, country, phone, email, language. \
                UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab separated. Exit 0 when every row was taken, 1 when some \
                were refused (each is listed with its reason), 2 when the file could not be read.
                """)

        @OptionGroup var options: CommonOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Check every row and report, but store nothing.") var dryRun = false
        @Flag(help: "Print the report as JSON.") var json = false
        @Flag(help: "Print no progress bar.") var quiet = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                stderr("trustmark: cannot read \(file)")
                throw ExitCode(2)
            }
            let config = try options.loadConfig()
            let app = try await build(config)
            let result: (json: Data, text: String, refused: Int)
            do {
                let quiet = quiet
                result = try await app.importMembers(data, dryRun: dryRun) { done, total in
                    if !quiet { progressBar(done, total, unit: "rows") }
                }
            } catch {
                await app.storage.shutdown()
                stderr("\ntrustmark: \(app.describe(error))")
                throw ExitCode(2)
            }
            await app.storage.shutdown()
            if !quiet { stderr("") }
            say(json ? String(decoding: result.json, as: UTF8.self) : result.text)
            if result.refused > 0 { throw ExitCode(1) }
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write members, complaints or reviews as CSV for your own reporting.")

    @OptionGroup var options: CommonOptions
    @Argument(help: "members, complaints or reviews") var kind: String
    @Option(name: .shortAndLong, help: "The file to write (default: standard output).") var output: String?

    func run() async throws {
        let config = try options.loadConfig()
        let app = try await build(config)
        let text: String?
        do {
            text = try await app.export(kind)
        } catch {
            await app.storage.shutdown()
            stderr("trustmark: \(app.describe(error))")
            throw ExitCode(1)
        }
        await app.storage.shutdown()
        guard let text else {
            stderr("trustmark: '\(kind)' is not one of members, complaints, reviews")
            throw ExitCode(2)
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
                stderr("trustmark: cannot write \(output)")
                throw ExitCode(1)
            }
            say("Wrote \(text.split(separator: "\r\n").count - 1) rows to \(output).")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
