import Foundation
import TrustmarkCore

/// One run of the website checker on one site: what was fetched, and each check's outcome with its
/// evidence. A site that could not be read gives 'could not check' with the reason for every check.
struct SiteReport: Codable, Sendable {
    struct Skipped: Codable, Sendable {
        let url: String
        let reason: String
    }

    let url: String
    let checkedAt: Date
    let milliseconds: Int
    /// Why the site could not be read, when it could not.
    let failure: String?
    let failureDetail: String?
    /// The HTTPS certificate: `valid`, `invalid` or `none` (plain HTTP).
    let certificate: String?
    let pages: [String]
    let skipped: [Skipped]
    let results: [CheckResult]

    /// Found / not found / unsure / could not check, as counts.
    var counts: [CheckOutcome: Int] { Dictionary(grouping: results, by: \.outcome).mapValues(\.count) }
}

struct SiteCheckRunner: Sendable {
    let fetcher: SiteFetcher

    /// The checks a scheme names in its criteria's `automated_check`, each once, in their order.
    static func checks(of scheme: Scheme) -> [String] {
        var seen: Set<String> = []
        return scheme.codeOfConduct.criteria.compactMap(\.automatedCheck).filter { seen.insert($0).inserted }
    }

    func run(_ url: String, domains: [String] = [], checks: [String], facts: SiteFacts) async -> SiteReport {
        let started = ContinuousClock.now
        let checkedAt = Date()
        let fetch = await fetcher.fetchSite(url, domains: domains)
        let results: [CheckResult]
        if let failure = fetch.failure {
            results = checks.map { CheckResult(check: $0, outcome: .couldNotCheck, reason: failure.rawValue) }
        } else {
            results = checks.map { SiteChecks.run($0, pages: fetch.pages, facts: facts) }
        }
        let elapsed = ContinuousClock.now - started
        return SiteReport(url: url, checkedAt: checkedAt, milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                          failure: fetch.failure?.rawValue, failureDetail: fetch.detail, certificate: fetch.certificate, pages: fetch.pages.map(\.url),
                          skipped: fetch.skipped.map { .init(url: $0.url, reason: $0.reason) }, results: results)
    }

    /// The report as people read it in a terminal.
    static func text(_ report: SiteReport) -> String {
        var lines = ["\(report.url) (\(report.milliseconds) ms, \(report.pages.count) pages\(report.certificate.map { ", HTTPS certificate: \($0)" } ?? ""))"]
        if let failure = report.failure { lines.append("could not check: \(failure)\(report.failureDetail.map { " (\($0))" } ?? "")") }
        for page in report.pages { lines.append("  read    \(page)") }
        for page in report.skipped { lines.append("  skipped \(page.url): \(page.reason)") }
        lines.append("")
        for result in report.results {
            let mark = switch result.outcome {
            case .found: "found          "
            case .notFound: "NOT FOUND      "
            case .unsure: "unsure         "
            case .couldNotCheck: "could not check"
            }
            lines.append("\(mark) \(result.check)\(result.reason.map { " (\($0))" } ?? "")")
            for evidence in result.evidence { lines.append("                  \(evidence.url): \(evidence.text)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// The website checker for the command line (`trustmark check-site`): one site, the checks of one
/// scheme, the report as text or JSON.
public struct CommandLineSiteCheck: Sendable {
    public struct Output: Sendable {
        public let text: String
        public let json: Data
        /// The site could not be read at all.
        public let couldNotCheck: Bool
    }

    let runner: SiteCheckRunner

    public init(contactURL: String, perHostMilliseconds: Int, timeoutSeconds: Int, maxBytes: Int) {
        var rules = SiteFetcher.Rules()
        rules.contactURL = contactURL
        rules.perHost = .milliseconds(perHostMilliseconds)
        rules.pageTimeout = .seconds(timeoutSeconds)
        rules.maxBytes = maxBytes
        runner = SiteCheckRunner(fetcher: SiteFetcher(rules: rules))
    }

    public func check(_ url: String, scheme: Scheme, facts: SiteFacts) async throws -> Output {
        let report = await runner.run(url, checks: SiteCheckRunner.checks(of: scheme), facts: facts)
        try await runner.fetcher.shutdown()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Output(text: SiteCheckRunner.text(report), json: try encoder.encode(report), couldNotCheck: report.failure != nil)
    }
}
