import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TrustmarkCore

/// Fetches a shop's pages politely for the website checker: robots.txt honoured, its own User-Agent
/// naming the trustmark and a contact address, at most one request per `perHost` interval to a host,
/// a time limit and a size limit per page, redirects followed only within the shop's domains. It
/// finds the pages that matter (contact, terms, returns, privacy, shipping, about) from the links on
/// the home page, in nl, en and de wording. What cannot be read is said, with the reason, and never
/// passed on as an empty page.
final class SiteFetcher: Sendable {
    struct Rules: Sendable {
        var agent = "TrustmarkChecker"
        /// Where a site owner reads what the checker is and whom to ask.
        var contactURL = ""
        var perHost: Duration = .milliseconds(500)
        var pageTimeout: Duration = .seconds(10)
        /// How long to keep trying to connect (the client retries a refused connection until then).
        var connectTimeout: Duration = .seconds(5)
        var maxBytes = 1_048_576
        var maxPages = 8
        var maxRedirects = 5
        /// Host names the checker connects to elsewhere (tests and benchmarks on loopback).
        var dnsOverride: [String: String] = [:]
        /// Connect every site's hosts to this address instead (TRUSTMARK_SITE_CHECKER_RESOLVE).
        var resolveAll: String?

        var userAgent: String { "\(agent)/1.0 (+\(contactURL))" }
    }

    /// Why a site (or its home page) could not be read.
    enum Failure: String, Sendable, Codable {
        case unreachable, tlsInvalid = "tls_invalid", timeout, redirectLoop = "redirect_loop", redirectElsewhere = "redirect_elsewhere",
             notHTML = "not_html", notUTF8 = "not_utf8", httpError = "http_error", robotsDisallow = "robots_disallow", invalidURL = "invalid_url"
    }

    struct Fetch: Sendable {
        var pages: [SitePage] = []
        var failure: Failure?
        /// The failure in a few words for people (the status, the other domain, the error).
        var detail: String?
        /// Pages found but not read, with the reason (robots.txt, an error, ...).
        var skipped: [(url: String, reason: String)] = []
        /// The HTTPS certificate: `valid` (a page was read over verified TLS), `invalid`, or `none`
        /// (plain HTTP); nil when the site could not be reached at all.
        var certificate: String?
    }

    let rules: Rules
    private let client: HTTPClient
    private let pacer = HostPacer()

    init(rules: Rules) {
        self.rules = rules
        client = Self.client(rules, dnsOverride: rules.dnsOverride)
    }

    static func client(_ rules: Rules, dnsOverride: [String: String]) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: Self.amount(rules.connectTimeout), read: Self.amount(rules.pageTimeout)))
        configuration.dnsOverride = dnsOverride
        configuration.decompression = .enabled(limit: .ratio(20))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The client is shut down with the fetcher (a server's lives as long as the process).
    deinit {
        try? client.syncShutdown()
    }

    func shutdown() async throws {
        try await client.shutdown()
    }

    /// The home page at `start` and the pages it links to that the checks need. `domains` are the
    /// shop's own (a redirect elsewhere is not followed); empty: the start's host and its `www.`.
    func fetchSite(_ start: String, domains: [String] = []) async -> Fetch {
        guard let url = Self.webAddress(start), let host = url.host?.lowercased() else {
            return Fetch(failure: .invalidURL, detail: start)
        }
        let allowed = Set((domains.isEmpty ? [host] : domains).map { DomainName.normalise($0) })
        var result = await withClient(for: allowed.union([host])) { client in await read(url, allowed: allowed, client: client) }
        if result.failure == .tlsInvalid { result.certificate = "invalid" }
        return result
    }

    /// The site through `client`: robots.txt, the home page, then the pages it links that matter.
    private func read(_ url: URL, allowed: Set<String>, client: HTTPClient) async -> Fetch {
        let robots: RobotsTxt
        switch await robotsTxt(for: url, client: client) {
        case .failure(let failure, let detail): return Fetch(failure: failure, detail: detail)
        case .success(let found): robots = found
        }
        guard robots.allows(Self.pathAndQuery(url), agent: rules.agent) else { return Fetch(failure: .robotsDisallow, detail: url.absoluteString) }
        let home: SitePage
        switch await page(url, allowed: allowed, client: client) {
        case .failure(let failure, let detail): return Fetch(failure: failure, detail: detail)
        case .page(let found): home = found
        }
        var fetch = Fetch(pages: [home], certificate: home.url.lowercased().hasPrefix("https://") ? "valid" : "none")
        var seen: Set<String> = [home.url, url.absoluteString]
        for (_, pattern) in SiteChecks.pageWords where fetch.pages.count < rules.maxPages {
            guard let link = SiteChecks.link(in: home.page, matching: pattern), let target = Self.resolve(link.href, against: URL(string: home.url) ?? url),
                  let targetHost = target.host?.lowercased(), Self.within(targetHost, allowed), seen.insert(target.absoluteString).inserted else { continue }
            guard robots.allows(Self.pathAndQuery(target), agent: rules.agent) else {
                fetch.skipped.append((target.absoluteString, Failure.robotsDisallow.rawValue))
                continue
            }
            switch await page(target, allowed: allowed, client: client) {
            case .page(let found): fetch.pages.append(found)
            case .failure(let failure, _): fetch.skipped.append((target.absoluteString, failure.rawValue))
            }
        }
        return fetch
    }

    /// One page as it is (the misuse scan): robots.txt honoured, redirects only on its own host.
    func fetchPage(_ address: String) async -> PageAnswer {
        guard let url = Self.webAddress(address), let host = url.host?.lowercased() else { return .failure(.invalidURL, address) }
        let allowed: Set<String> = [DomainName.normalise(host)]
        return await withClient(for: allowed) { client in
            switch await robotsTxt(for: url, client: client) {
            case .failure(let failure, let detail): return .failure(failure, detail)
            case .success(let robots):
                guard robots.allows(Self.pathAndQuery(url), agent: rules.agent) else { return .failure(.robotsDisallow, address) }
            }
            return await page(url, allowed: allowed, client: client)
        }
    }

    /// An http(s) address with a host, or nil.
    static func webAddress(_ text: String) -> URL? {
        guard let url = URL(string: text.trimmingWhitespace()), url.scheme == "http" || url.scheme == "https", url.host != nil else { return nil }
        return url
    }

    /// Runs `body` with the shared client, or, with one address for every host
    /// (TRUSTMARK_SITE_CHECKER_RESOLVE), with a client of its own that connects these hosts there and
    /// is shut down afterwards.
    private func withClient<T: Sendable>(for hosts: Set<String>, _ body: (HTTPClient) async -> T) async -> T {
        guard let address = rules.resolveAll else { return await body(client) }
        let session = Self.client(rules, dnsOverride: Dictionary(hosts.flatMap { [$0, "www." + $0] }.map { ($0, address) }) { first, _ in first })
        let result = await body(session)
        try? await session.shutdown()
        return result
    }

    // MARK: one page

    enum PageAnswer: Sendable {
        case page(SitePage)
        case failure(Failure, String)
    }

    /// One page, following redirects within `allowed`.
    func page(_ start: URL, allowed: Set<String>, client: HTTPClient) async -> PageAnswer {
        var url = start
        var visited: [String] = []
        while true {
            if visited.contains(url.absoluteString) { return .failure(.redirectLoop, (visited + [url.absoluteString]).joined(separator: " → ")) }
            guard visited.count <= rules.maxRedirects else { return .failure(.redirectLoop, visited.joined(separator: " → ")) }
            visited.append(url.absoluteString)
            let answer = await get(url, client: client)
            switch answer {
            case .failure(let failure, let detail):
                return .failure(failure, detail)
            case .redirect(let location):
                guard let next = Self.resolve(location, against: url), let host = next.host?.lowercased() else { return .failure(.httpError, "redirect without a location") }
                guard Self.within(host, allowed) else { return .failure(.redirectElsewhere, next.absoluteString) }
                url = next
            case .body(let status, let contentType, let bytes, let truncated):
                guard (200..<300).contains(status) else { return .failure(.httpError, "HTTP \(status)") }
                guard contentType.isEmpty || contentType.contains("text/html") || contentType.contains("application/xhtml") else {
                    return .failure(.notHTML, contentType)
                }
                guard let text = Self.decode(bytes, contentType: contentType, truncated: truncated) else { return .failure(.notUTF8, url.absoluteString) }
                return .page(SitePage(url: url.absoluteString, page: HTMLScan.scan(text), truncated: truncated))
            }
        }
    }

    enum Answer: Sendable {
        case body(status: Int, contentType: String, bytes: [UInt8], truncated: Bool)
        case redirect(String)
        case failure(Failure, String)
    }

    /// One GET, paced per host, cut at the size limit; a page that runs past the time limit after
    /// sending something is kept as cut off.
    func get(_ url: URL, client: HTTPClient) async -> Answer {
        await pacer.wait(for: url.host?.lowercased() ?? "", interval: rules.perHost)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "User-Agent", value: rules.userAgent)
        request.headers.add(name: "Accept", value: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
        var bytes: [UInt8] = []
        var status = 0
        var contentType = ""
        do {
            let started = ContinuousClock.now
            let response = try await client.execute(request, deadline: .now() + Self.amount(rules.pageTimeout))
            status = Int(response.status.code)
            contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
            if (300..<400).contains(status) {
                return response.headers.first(name: "location").map { .redirect($0) } ?? .failure(.httpError, "HTTP \(status) without a location")
            }
            for try await buffer in response.body {
                bytes += buffer.readableBytesView.prefix(rules.maxBytes - bytes.count)
                // Cut at the size limit, or when the time is up while bytes still trickle in.
                if bytes.count >= rules.maxBytes || ContinuousClock.now - started > rules.pageTimeout {
                    return .body(status: status, contentType: contentType, bytes: bytes, truncated: true)
                }
            }
            return .body(status: status, contentType: contentType, bytes: bytes, truncated: false)
        } catch {
            if status != 0, !bytes.isEmpty, Self.isTimeout(error) { return .body(status: status, contentType: contentType, bytes: bytes, truncated: true) }
            return .failure(Self.classify(error), String(describing: error))
        }
    }

    static func amount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    static func isTimeout(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        return error == .deadlineExceeded || error == .readTimeout
    }

    static func classify(_ error: any Error) -> Failure {
        if isTimeout(error) { return .timeout }
        if error is NIOSSLError || error is BoringSSLError { return .tlsInvalid }
        if let error = error as? HTTPClientError, error == .tlsHandshakeTimeout { return .tlsInvalid }
        let text = String(describing: error).lowercased()
        if text.contains("certificate") || text.contains("ssl") || text.contains("tls") { return .tlsInvalid }
        return .unreachable
    }

    // MARK: robots.txt

    enum RobotsAnswer: Sendable {
        case success(RobotsTxt)
        case failure(Failure, String)
    }

    /// The host's robots.txt: missing (4xx) allows everything; a server error or no answer stops the
    /// check, since the site cannot be read either.
    func robotsTxt(for url: URL, client: HTTPClient) async -> RobotsAnswer {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return .failure(.invalidURL, url.absoluteString) }
        parts.path = "/robots.txt"
        parts.query = nil
        guard let robotsURL = parts.url else { return .failure(.invalidURL, url.absoluteString) }
        switch await get(robotsURL, client: client) {
        case .body(let status, _, let bytes, _):
            if (200..<300).contains(status) { return .success(RobotsTxt(String(decoding: bytes, as: UTF8.self))) }
            if (400..<500).contains(status) { return .success(.allowAll) }
            return .failure(.httpError, "robots.txt: HTTP \(status)")
        case .redirect:
            return .success(.allowAll)
        case .failure(let failure, let detail):
            return .failure(failure, detail)
        }
    }

    // MARK: helpers

    static func pathAndQuery(_ url: URL) -> String {
        let path = url.path.isEmpty ? "/" : url.path
        return url.query.map { path + "?" + $0 } ?? path
    }

    static func resolve(_ href: String, against base: URL) -> URL? {
        let trimmed = href.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        guard !trimmed.isEmpty, !lower.hasPrefix("mailto:"), !lower.hasPrefix("tel:"), !lower.hasPrefix("javascript:"), !lower.hasPrefix("#") else { return nil }
        guard let url = URL(string: trimmed, relativeTo: base)?.absoluteURL, url.scheme == "http" || url.scheme == "https" else { return nil }
        var parts = URLComponents(url: url, resolvingAgainstBaseURL: true)
        parts?.fragment = nil
        return parts?.url
    }

    /// A host within the shop's domains: one of them, or a subdomain (`www.`) of one.
    static func within(_ host: String, _ allowed: Set<String>) -> Bool {
        let bare = DomainName.normalise(host)
        return allowed.contains(bare) || allowed.contains { bare.hasSuffix("." + $0) }
    }

    /// The page's text: UTF-8 unless the header or a `<meta charset>` names ISO-8859-1 or
    /// Windows-1252 (both read as Windows-1252, as browsers do); bytes that are neither give nothing. A page cut at the size limit may end inside
    /// a character, which is dropped.
    static func decode(_ bytes: [UInt8], contentType: String, truncated: Bool) -> String? {
        var charset = contentType.components(separatedBy: "charset=").dropFirst().first?.trimmingCharacters(in: CharacterSet(charactersIn: " \"';")).lowercased()
        if charset == nil {
            let head = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
            if let range = head.range(of: "charset=") {
                charset = String(head[range.upperBound...].drop { $0 == "\"" || $0 == "'" || $0 == " " }.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            }
        }
        switch charset {
        case "iso-8859-1", "latin1", "iso8859-1", "iso-8859-15", "windows-1252", "cp1252":
            // As browsers do: a page labelled Latin-1 is read as Windows-1252 (its € and quotes).
            return String(bytes: bytes, encoding: .windowsCP1252) ?? String(bytes: bytes, encoding: .isoLatin1)
        default:
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            guard truncated else { return nil }
            // Up to three bytes of a character cut in half at the end.
            for drop in 1...3 where bytes.count > drop {
                if let text = String(validating: bytes.dropLast(drop), as: UTF8.self) { return text }
            }
            return nil
        }
    }
}

/// At most one request per interval to each host, in order of asking.
actor HostPacer {
    private var next: [String: ContinuousClock.Instant] = [:]

    func wait(for host: String, interval: Duration) async {
        let now = ContinuousClock.now
        let slot = max(now, next[host] ?? now)
        next[host] = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
