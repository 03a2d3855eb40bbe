import Crypto
import FluentKit
import Foundation
import TrustmarkCore

/// What the public may know about a shop, in no particular language: read once from the database
/// and kept in memory like the seal's facts (same version counter; reread the next day).
struct ShopRecord: Sendable {
    struct Check: Sendable {
        let on: Day
        let kind: ApplicationKind
        let passed: Bool
    }

    let slug: String
    let name: String
    let legalName: String
    let kvk: String
    let vatNumber: String
    let street: String
    let postcode: String
    let city: String
    let country: String
    let domains: [String]
    let variant: String
    let seal: ShopSealFacts
    let memberSince: Day?
    let validUntil: Day?
    let endedOn: Day?
    let override: SealOverride?
    let codeVersion: String?
    let checks: [Check]
    let stats: ShopStats?
    /// Identifies this state of the record, for the page's ETag.
    let digest: String
}

/// The shop facts behind the verification page, the domain lookup and the directory.
final class PublicRegister: @unchecked Sendable {
    let desk: MembershipDesk
    let memberships: MembershipsService
    let seals: SealService
    /// Records kept at most; past it the cache starts afresh (a full scan of the register by a
    /// crawler must not hold every shop in memory).
    let capacity: Int

    private let lock = NSLock()
    private var cachedGeneration = 0
    private var records: [String: ShopRecord] = [:]
    private var expiresAt: [String: Date] = [:]
    /// Rendered pages for anonymous visitors (they carry no per-visitor token), per shop, per
    /// language and site the visitor came from; dropped with the shop's record.
    private var pages: [String: [String: RenderedPage]] = [:]

    struct RenderedPage: Sendable {
        let html: String
        let etag: String
    }

    func page(slug: String, key: String) -> RenderedPage? {
        lock.withLock { pages[slug]?[key] }
    }

    func keep(_ page: RenderedPage, slug: String, key: String) {
        lock.withLock {
            guard records[slug] != nil else { return }
            if pages[slug, default: [:]].count >= 16 { pages[slug] = [:] }
            pages[slug, default: [:]][key] = page
        }
    }

    init(desk: MembershipDesk, memberships: MembershipsService, seals: SealService, capacity: Int = 200_000) {
        self.desk = desk
        self.memberships = memberships
        self.seals = seals
        self.capacity = capacity
    }

    /// The record of a shop by slug, or nil when there is no such shop.
    func record(slug: String) async throws -> ShopRecord? {
        let now = desk.clock.now()
        let generation = try await seals.generation.current(now: now)
        let cached = lock.withLock { () -> ShopRecord? in
            if generation != cachedGeneration {
                cachedGeneration = generation
                records.removeAll()
                expiresAt.removeAll()
                pages.removeAll()
            }
            guard let expires = expiresAt[slug], now < expires else { return nil }
            return records[slug]
        }
        if let cached { return cached }
        guard let record = try await load(slug: slug) else { return nil }
        lock.withLock {
            if records.count >= capacity {
                records.removeAll()
                expiresAt.removeAll()
                pages.removeAll()
            }
            pages[slug] = nil
            records[slug] = record
            expiresAt[slug] = Day(now, in: desk.timeZone).end(in: desk.timeZone)
        }
        return record
    }

    /// The shop that holds `domain` now (or whose domain it is a subdomain of).
    func slug(forDomain domain: String) async throws -> String? {
        let db = desk.storage.db
        var candidate = domain
        while candidate.contains(".") {
            if let held = try await ShopDomain.query(on: db).filter(\.$domain == candidate).filter(\.$releasedAt == nil).with(\.$shop).first() {
                return held.shop.slug
            }
            candidate = String(candidate.drop { $0 != "." }.dropFirst())
        }
        return nil
    }

    private func load(slug: String) async throws -> ShopRecord? {
        let db = desk.storage.db
        guard let shop = try await Shop.query(on: db).filter(\.$slug == slug).with(\.$domains).first(), let shopID = shop.id else { return nil }
        let seal = try await seals.facts(for: slug)
        let organisation = shop.$organisation.id
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first()
        let membership = try await memberships.membership(of: organisation, on: db)
        let applications = try await MembershipApplication.query(on: db).filter(\.$organisation.$id == organisation).all()
            .filter { $0.kind != .extraShop || $0.id == shop.$application.id }
        let kinds = Dictionary(uniqueKeysWithValues: applications.compactMap { app in app.id.map { ($0, app.kind) } })
        let reports = kinds.isEmpty ? [] : try await AuditReport.query(on: db).filter(\.$application.$id ~~ Array(kinds.keys)).sort(\.$completedAt).all()
        let checks = reports.map {
            ShopRecord.Check(on: Day($0.completedAt, in: desk.timeZone), kind: kinds[$0.$application.id] ?? .membership, passed: $0.failed == 0)
        }
        let stats = try await ShopStats.find(shopID, on: db)
        var standing: SealStanding?
        if let membership { standing = try memberships.standing(membership) }
        var validUntil: Day?
        // The standing names the first day without the seal; people read "until" as the last day with it.
        if case .active(let until) = standing { validUntil = until.adding(days: -1) }
        if let ends = membership?.endsOn.flatMap({ Day($0) }), validUntil.map({ ends <= $0 }) ?? false { validUntil = ends.adding(days: -1) }
        let domains = shop.domains.filter { $0.releasedAt == nil }.map(\.domain).sorted()
        let codeVersion = membership?.contractCodeVersion ?? applications.first { $0.id == shop.$application.id }?.codeVersion
        let override = membership.flatMap(memberships.sealOverride)
        var fingerprint = "\(shop.name)|\(domains)|\(shop.variant)|\(seal.status)|\(seal.tier ?? "")|\(String(describing: validUntil))|\(String(describing: override))"
        fingerprint += "|\(registration?.updatedAt.timeIntervalSince1970 ?? 0)|\(checks.count)|\(stats?.updatedAt.timeIntervalSince1970 ?? 0)"
        let digest = SHA256.hash(data: Data(fingerprint.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return ShopRecord(slug: slug, name: shop.name, legalName: registration?.legalName ?? shop.name, kvk: registration?.kvk ?? "",
                          vatNumber: registration?.vatNumber ?? "", street: registration?.street ?? "", postcode: registration?.postcode ?? "",
                          city: registration?.city ?? "", country: registration?.country ?? "", domains: domains, variant: shop.variant, seal: seal,
                          memberSince: membership?.termStart.flatMap { Day($0) }, validUntil: validUntil,
                          endedOn: (membership?.endedOn).flatMap { Day($0) } ?? shop.endedOn.flatMap { Day($0) },
                          override: override, codeVersion: codeVersion, checks: checks, stats: stats, digest: digest)
    }
}
