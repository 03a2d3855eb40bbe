import ArgumentParser
import Foundation
import TrustmarkServer

struct AuditLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit-log", abstract: "Check the record of decisions.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the record's hash chain: exit 0 when it is intact, 1 naming the first entry that was altered or removed.")

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let config = try options.loadConfig()
            let app = try await build(config)
            let result: (checked: Int, problem: String?)
            do {
                result = try await app.verifyRecord()
            } catch {
                await app.storage.shutdown()
                stderr("trustmark: could not read the record: \(error)")
                throw ExitCode(2)
            }
            await app.storage.shutdown()
            if let problem = result.problem {
                stderr("The record is broken at \(problem). \(result.checked) entries before it are intact.")
                throw ExitCode(1)
            }
            say("The record is intact: \(result.checked) entries checked.")
        }
    }
}
