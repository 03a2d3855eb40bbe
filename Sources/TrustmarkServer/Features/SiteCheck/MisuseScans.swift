import FluentKit
import Foundation
import TrustmarkCore

struct MisuseScanRequest: Codable, Sendable {
    let url: String
}

/// What the scan of a page found: the misuse case it confirmed or opened, if any.
struct MisuseScanDTO: Codable, Sendable {
    let url: String
    let outcome: String
    let evidence: String
    /// Why the page could not be read, when `outcome` is `could_not_check`.
    let reason: String?
    let caseId: UUID?
}

/// The website checker's misuse scan: the page where a seal was seen on a site that is not the
/// shop's (the seal's Referer data), or a site staff name, is fetched and looked at for the seal or a
/// copy of the trustmark's logo. A confirmed case stands first in the misuse queue with its evidence,
/// where staff summon the site's owner (the sanctions desk) or dismiss it; nothing is decided here.
extension SiteCheckService {
    /// How long a scan stands before the daily run looks again.
    static let rescanAfter: TimeInterval = 7 * 86_400

    /// The open cases not scanned within the week, scanned; returns how many.
    @discardableResult
    func scanMisuse(limit: Int = 200) async throws -> Int {
        let before = desk.clock.now().addingTimeInterval(-Self.rescanAfter)
        let cases = try await SealSighting.query(on: db).filter(\.$ownDomain == false).filter(\.$stateRaw == SealSighting.State.open.rawValue)
            .group(.or) { $0.filter(\.$scannedAt == nil).filter(\.$scannedAt < before) }.sort(\.$lastSeen, .descending).limit(limit).all()
        for sighting in cases {
            let finding = await look(at: sighting.lastPage)
            try await store(finding, on: sighting)
        }
        return cases.count
    }

    /// A site staff name: scanned now. A seal of one of our shops there opens (or confirms) the
    /// misuse case of that shop and site.
    func scanMisuse(url: String) async throws -> MisuseScanDTO {
        let address = url.trimmingWhitespace()
        guard let host = SiteFetcher.webAddress(address)?.host?.lowercased() else { throw AppError.invalid("url", "site_check_url") }
        let finding = await look(at: address)
        var caseID: UUID?
        if finding.outcome == MisuseScan.Outcome.seen.rawValue, let slug = finding.slug,
           let shop = try await Shop.query(on: db).filter(\.$slug == slug).first(), let shopID = shop.id {
            let bare = DomainName.normalise(host)
            let own = try await ShopDomain.query(on: db).filter(\.$shop.$id == shopID).filter(\.$domain == bare).first() != nil
            if !own, let sighting = try await sighted(shop: shopID, host: host, page: address) {
                try await store(finding, on: sighting)
                caseID = sighting.id
            }
        }
        try await Record.append(on: db, at: desk.clock.now(), actor: .system, action: "misuse.scanned", subjectType: "site", subjectID: address,
                                after: ["outcome": finding.outcome, "evidence": finding.evidence, "case": caseID?.uuidString ?? "-"])
        return MisuseScanDTO(url: address, outcome: finding.outcome, evidence: finding.evidence, reason: finding.reason, caseId: caseID)
    }

    /// Counts the seal as seen on the page the way the seal itself does, and returns the case. A write
    /// of the tally already under way leaves this one for the next: then it asks again.
    private func sighted(shop: UUID, host: String, page: String) async throws -> SealSighting? {
        guard let sightings else { return nil }
        sightings.saw(shop: shop, host: host, page: page, own: false, at: desk.clock.now())
        for _ in 0..<3 {
            try await sightings.flush()
            if let row = try await SealSighting.query(on: db).filter(\.$shop.$id == shop).filter(\.$host == host).first() { return row }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    struct Look: Sendable {
        var outcome: String
        var evidence: String
        var reason: String?
        var slug: String?
    }

    /// The page fetched and looked at: `seen`, `not_seen`, `unsure` or `could_not_check` with why.
    func look(at address: String) async -> Look {
        switch await runner.fetcher.fetchPage(address) {
        case .failure(let failure, let detail):
            return Look(outcome: CheckOutcome.couldNotCheck.rawValue, evidence: detail, reason: failure.rawValue)
        case .page(let page):
            let finding = MisuseScan.look(page, sealHost: URL(string: desk.baseURL)?.host ?? desk.baseURL, schemeName: desk.scheme.name)
            return Look(outcome: finding.outcome.rawValue, evidence: finding.evidence, slug: finding.slug)
        }
    }

    private func store(_ finding: Look, on sighting: SealSighting) async throws {
        sighting.scanOutcome = finding.outcome
        sighting.scanEvidence = String((finding.reason.map { "\($0): \(finding.evidence)" } ?? finding.evidence).prefix(500))
        sighting.scannedAt = desk.clock.now()
        try await sighting.save(on: db)
    }
}
