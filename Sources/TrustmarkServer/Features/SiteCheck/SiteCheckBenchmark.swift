import Foundation
import TrustmarkCore

/// `trustmark benchmark site-checks`: the website checker against many local sites (scripts/bench
/// serves them with nginx on loopback), each with the politeness limits, several sites at a time.
public enum SiteCheckBenchmark {
    public static func run(app: TrustmarkApp, urls: [String], resolve: String, intervalMilliseconds: Int, concurrency: Int,
                           report: (String) -> Void) async throws {
        var rules = SiteFetcher.Rules()
        rules.contactURL = app.config.baseURL
        rules.perHost = .milliseconds(intervalMilliseconds)
        rules.resolveAll = resolve
        let runner = SiteCheckRunner(fetcher: SiteFetcher(rules: rules))
        let checks = SiteCheckRunner.checks(of: app.scheme.scheme)
        let started = ContinuousClock.now
        var reports: [SiteReport] = []
        try await withThrowingTaskGroup(of: SiteReport.self) { group in
            var next = 0
            func add() {
                guard next < urls.count else { return }
                let url = urls[next]
                next += 1
                group.addTask { await runner.run(url, checks: checks, facts: SiteFacts()) }
            }
            for _ in 0..<max(1, concurrency) { add() }
            while let done = try await group.next() {
                reports.append(done)
                add()
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let times = reports.map(\.milliseconds).sorted()
        func percentile(_ p: Double) -> Int { times.isEmpty ? 0 : times[min(times.count - 1, Int(Double(times.count) * p))] }
        let pages = reports.map(\.pages.count).reduce(0, +)
        let failed = reports.filter { $0.failure != nil }.count
        report(String(format: "%d sites, %d at a time, at most one request per %d ms to a host: %.1f s, %.0f sites/minute", urls.count, concurrency,
                      intervalMilliseconds, seconds, Double(urls.count) / seconds * 60))
        report("one site: p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms; \(pages) pages read (\(String(format: "%.1f", Double(pages) / Double(max(1, reports.count)))) per site); "
               + "\(failed) could not be checked; \(checks.count) checks each")
        try await runner.fetcher.shutdown()
    }
}
