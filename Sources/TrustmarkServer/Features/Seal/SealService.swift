import Crypto
import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// The counter every instance's seal cache polls; bumped in the transaction of any membership event.
enum SealVersion {
    static let key = "seal.version"

    static func bump(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = \(bind: key)").run()
    }

    static func current(on db: any Database) async throws -> String {
        try await Setting.find(key, on: db)?.value ?? "0"
    }
}

/// What the seal needs to know about a shop, read once and kept in memory.
struct ShopSealFacts: Sendable {
    let shopName: String
    let variant: String
    let domains: Set<String>
    let status: SealStatus
    /// When the answer must be looked at again even without an event (a term that runs out at midnight).
    let expires: Date
}

/// Serves seals from memory. A shop's facts are read from the database once, then kept until the
/// version counter moves (checked at most every `pollInterval`) or their time runs out; rendered
/// images are kept per shop, language, size and site check, so a repeated request is a lookup.
final class SealService: @unchecked Sendable {
    let desk: MembershipDesk
    let memberships: MembershipsService
    let pollInterval: TimeInterval
    let maxAge: TimeInterval

    private let lock = NSLock()
    private var version = ""
    private var checkedAt = Date.distantPast
    private var facts: [String: ShopSealFacts] = [:]
    /// Per shop slug, per language / width / site check.
    private var images: [String: [String: (etag: String, bytes: Data)]] = [:]

    init(desk: MembershipDesk, memberships: MembershipsService, pollInterval: TimeInterval = 2, maxAge: TimeInterval = 60) {
        self.desk = desk
        self.memberships = memberships
        self.pollInterval = pollInterval
        self.maxAge = maxAge
    }

    /// Drops everything when another instance (or this one) changed a membership.
    private func refreshVersionIfDue(now: Date) async throws {
        let due = lock.withLock { now.timeIntervalSince(checkedAt) >= pollInterval }
        guard due else { return }
        let current = try await SealVersion.current(on: desk.storage.db)
        lock.withLock {
            checkedAt = now
            if current != version {
                version = current
                facts.removeAll()
                images.removeAll()
            }
        }
    }

    func facts(for slug: String) async throws -> ShopSealFacts {
        let now = desk.clock.now()
        try await refreshVersionIfDue(now: now)
        if let known = lock.withLock({ facts[slug] }), known.expires > now { return known }
        let loaded = try await load(slug, now: now)
        lock.withLock {
            facts[slug] = loaded
            images[slug] = nil
        }
        return loaded
    }

    private func load(_ slug: String, now: Date) async throws -> ShopSealFacts {
        let db = desk.storage.db
        let expires = now.addingTimeInterval(maxAge)
        guard let shop = try await Shop.query(on: db).filter(\.$slug == slug).with(\.$domains).first() else {
            return ShopSealFacts(shopName: "", variant: "", domains: [], status: .notAMember, expires: expires)
        }
        let membership = try await memberships.membership(of: shop.$organisation.id, on: db)
        var status = SealStatus.notAMember
        if let membership, try await memberships.mayShowSeal(shop, membership: membership, on: db) {
            let since = membership.termStart.flatMap(Day.init) ?? Day(membership.approvedOn)
            status = SealStatus(try memberships.standing(membership), memberSince: since)
        }
        return ShopSealFacts(shopName: shop.name, variant: shop.variant, domains: Set(shop.domains.filter { $0.releasedAt == nil }.map(\.domain)),
                         status: status, expires: expires)
    }

    /// The image for a request: the shop's true status, or "not valid on this website" when the page
    /// that shows it is on a domain the shop does not hold.
    func image(slug: String, locale: AppLocale, width: Int, refererHost: String?) async throws -> (etag: String, bytes: Data) {
        let facts = try await facts(for: slug)
        var status = facts.status
        if status.isValid, let host = refererHost, !facts.domains.contains(host), !facts.domains.contains(where: { host.hasSuffix("." + $0) }) {
            status = .notValidHere
        }
        let width = min(max(width, SealImage.sizes.lowerBound), SealImage.sizes.upperBound)
        let key = "\(locale.rawValue)|\(width)|\(statusKey(status))"
        if let cached = lock.withLock({ images[slug]?[key] }) { return cached }
        let scheme = desk.scheme
        let variant = scheme.seal.variants.first { $0.id == facts.variant } ?? scheme.seal.defaultVariant
        let t = { (key: String, args: [String: String]) in self.desk.localizer.text(key, locale, args) }
        let statusText: String
        switch status {
        case .valid(let since): statusText = t("seal_valid_since", ["year": "\(since.year)"])
        case .suspended: statusText = t("seal_suspended", [:])
        case .revoked: statusText = t("seal_revoked", [:])
        case .notAMember: statusText = t("seal_not_a_member", [:])
        case .notValidHere: statusText = t("seal_not_valid_here", [:])
        }
        let name = facts.shopName.isEmpty ? t("seal_unknown_shop", [:]) : facts.shopName
        let image = SealImage(schemeName: scheme.name, shopName: name, colour: variant?.colour ?? "#444444", status: status, statusText: statusText,
                              description: t("seal_description", ["shop": name, "scheme": scheme.name, "status": statusText,
                                                                  "url": "\(desk.baseURL)/shops/\(slug)"]))
        let bytes = Data(image.svg(width: width).utf8)
        let etag = "\"" + SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        lock.withLock { images[slug, default: [:]][key] = (etag, bytes) }
        return (etag, bytes)
    }

    private func statusKey(_ status: SealStatus) -> String {
        switch status {
        case .valid: return "ok"
        case .suspended: return "suspended"
        case .revoked: return "revoked"
        case .notAMember: return "none"
        case .notValidHere: return "here"
        }
    }

    /// The host of a `Referer`, normalised like shop domains; nil when absent or not a web address.
    static func refererHost(_ header: String?) -> String? {
        guard let header, let url = URL(string: header), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else { return nil }
        return DomainName.normalise(host)
    }
}
