import ArgumentParser
import Foundation
import TrustmarkCore
import TrustmarkServer

struct CheckSiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-site",
        abstract: "Run a scheme's automated website checks against one site and print the report.",
        discussion: """
            trustmark check-site https://fietsen.example --scheme Schemes/keuronline.yaml
            trustmark check-site https://fietsen.example --scheme Schemes/keuronline.yaml --kvk 12345678 --vat NL123456782B01 --json
            Exits 0 when the site was read (whatever the checks found), 2 when it could not be checked.
            """)

    @Argument(help: "The site's home page (http or https).")
    var url: String

    @Option(help: "The scheme file whose criteria name the checks.")
    var scheme: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "The legal name registered for the shop (compared with the site).")
    var name: String?

    @Option(help: "The registered postcode.")
    var postcode: String?

    @Option(help: "The registered KvK number.")
    var kvk: String?

    @Option(help: "The registered VAT number.")
    var vat: String?

    @Flag(help: "A business-to-business shop: prices are marked excl. VAT.")
    var business = false

    @Option(help: "Wait at least this long between two requests to the site (milliseconds).")
    var interval = 500

    @Option(help: "Give up on a page after this many seconds.")
    var timeout = 10

    @Option(help: "Read at most this many bytes of a page.")
    var maxBytes = 1_048_576

    func run() async throws {
        let loaded = try Self.load(scheme)
        let checker = CommandLineSiteCheck(contactURL: loaded.website ?? "", perHostMilliseconds: interval, timeoutSeconds: timeout, maxBytes: maxBytes)
        let output = try await checker.check(url, scheme: loaded, facts: SiteFacts(legalName: name, postcode: postcode, kvk: kvk, vat: vat, business: business))
        if json {
            FileHandle.standardOutput.write(output.json + Data("\n".utf8))
        } else {
            print(output.text)
        }
        if output.couldNotCheck { throw ExitCode(2) }
    }

    /// The scheme, or its problems on standard error and exit code 1.
    static func load(_ path: String) throws -> Scheme {
        do {
            return try SchemeFile.load(path).scheme
        } catch {
            stderr(error.lines.joined(separator: "\n"))
            throw ExitCode(1)
        }
    }
}
