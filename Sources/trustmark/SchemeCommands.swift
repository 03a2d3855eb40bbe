import ArgumentParser
import Foundation
import TrustmarkCore

struct SchemeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheme", abstract: "Check and compare scheme files.", subcommands: [Check.self, Diff.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a scheme file: a one-screen summary and exit 0, or each problem as FILE:LINE:COLUMN: message and exit 1.")

        @Argument(help: "The scheme file, e.g. Schemes/keuronline.yaml.")
        var file: String

        func run() throws {
            do {
                let loaded = try SchemeFile.load(file)
                say("\(file): valid")
                say(SchemeSummary.text(loaded.scheme))
            } catch {
                for line in error.lines { stderr(line) }
                throw ExitCode(1)
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what changed between two versions of a scheme, article by article.")

        @Argument(help: "The older scheme file.")
        var old: String

        @Argument(help: "The newer scheme file.")
        var new: String

        func run() throws {
            do {
                let before = try SchemeFile.load(old), after = try SchemeFile.load(new)
                say(SchemeDiff.text(from: before.scheme, to: after.scheme))
            } catch {
                for line in error.lines { stderr(line) }
                throw ExitCode(1)
            }
        }
    }
}
