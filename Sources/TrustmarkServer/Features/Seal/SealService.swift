import Crypto
import FluentKit
import Foundation
import HTTPTypes
import NIOCore
import TrustmarkCore

/// Serves seals from memory. A shop's facts are read from the database once, then kept until its
/// organisation has a membership event (see `SealCacheGeneration`) or their time runs out; rendered images are
/// kept per shop, language, size, site check and signed domain, so a repeated request is a lookup.
/// Where a seal is seen is counted in memory and written in batches (`SealSightings`).
final class SealService: @unchecked Sendable {
    let desk: MembershipDesk
    let memberships: MembershipsService
    let generation: SealCacheGeneration
    let sightings: SealSightings
    let signature: SealSignature
    let maxAge: TimeInterval

    private let lock = NSLock()
    private var cachedGeneration = 0
    private var facts: [String: ShopSealFacts] = [:]
    /// Which slug kept facts belong to, by shop id (changed tiers arrive by shop id).
    private var slugByShop: [UUID: String] = [:]
    /// Which slugs kept facts belong to, by organisation (membership events arrive by organisation).
    private var organisations = OrganisationIndex()
    /// Slugs asked for that name no shop, kept as "not a member" up to `unknownLimit`.
    private var unknown: Set<String> = []
    static let unknownLimit = 10_000
    /// Shops whose facts an event made forget, for the warmer to read again.
    private var forgotten: Set<String> = []
    /// Per shop slug, per language / width / status / signed domain.
    private var images: [String: [ImageKey: SealImageBytes]] = [:]

    private struct ImageKey: Hashable {
        let locale: AppLocale
        let width: Int
        let status: String
        let site: String?
    }

    init(desk: MembershipDesk, memberships: MembershipsService, generation: SealCacheGeneration, signature: SealSignature, maxAge: TimeInterval = 60) {
        self.desk = desk
        self.memberships = memberships
        self.generation = generation
        self.signature = signature
        self.maxAge = maxAge
        self.sightings = SealSightings(storage: desk.storage)
        generation.figures.subscribe { [weak self] changes in self?.dropTiers(changes) }
        generation.subscribe { [weak self] changed in self?.forget(organisations: changed) }
    }

    /// Forgets the facts and images of the organisations' shops, and every slug that named no shop
    /// (it may name a new one now).
    private func forget(organisations changed: Set<UUID>) {
        lock.withLock {
            for slug in organisations.forget(changed) {
                drop(slug)
                forgotten.insert(slug)
            }
            forgetUnknown()
        }
    }

    /// Forgets every slug that named no shop (the caller holds the lock).
    private func forgetUnknown() {
        for slug in unknown { drop(slug) }
        unknown.removeAll()
    }

    /// Forgets a shop's facts and images (the caller holds the lock); answers built from those
    /// facts on the event loops go with them.
    private func drop(_ slug: String) {
        facts.removeValue(forKey: slug)?.retire()
        images[slug] = nil
    }

    /// The shops forgotten since the last call, which the warmer reads again.
    func takeForgotten() -> Set<String> {
        lock.withLock {
            defer { forgotten.removeAll() }
            return forgotten
        }
    }

    /// Keeps facts just read (the caller holds the lock) unless the shop's organisation was forgotten
    /// after the read began at `epoch`.
    private func store(_ loaded: ShopSealFacts, slug: String, readAt epoch: Int) {
        guard organisations.mayKeep(loaded.organisationID, readAt: epoch) else { return }
        if loaded.shopID == nil {
            if unknown.count >= Self.unknownLimit { forgetUnknown() }
            unknown.insert(slug)
        }
        if let replaced = facts.updateValue(loaded, forKey: slug), replaced !== loaded { replaced.retire() }
        if let id = loaded.shopID { slugByShop[id] = slug }
        organisations.add(slug, of: loaded.organisationID)
    }

    func facts(for slug: String) async throws -> ShopSealFacts {
        let now = desk.clock.now()
        let current = try await generation.current(now: now)
        try await dropChangedTiers(now: now)
        if let known = lock.withLock({ () -> ShopSealFacts? in
            if cachedGeneration != current {
                cachedGeneration = current
                forgetAll()
            }
            return facts[slug]
        }), known.expires > now { return known }
        let epoch = lock.withLock { organisations.epoch }
        let loaded = try await load(slug, now: now)
        lock.withLock {
            guard cachedGeneration == current else { return }
            images[slug] = nil
            store(loaded, slug: slug, readAt: epoch)
        }
        return loaded
    }

    /// Forgets every shop (the caller holds the lock).
    private func forgetAll() {
        for kept in facts.values { kept.retire() }
        facts.removeAll()
        images.removeAll()
        slugByShop.removeAll()
        organisations.removeAll()
        unknown.removeAll()
    }

    /// A shop's tier moves with its reviews, not with a membership event, and must not empty every
    /// cache: once per poll interval the shared feed (`ShopFiguresFeed`) asks `shop_stats` which shops'
    /// figures changed, on any instance, and the facts and images of those whose tier is no longer the
    /// one kept are forgotten (`dropTiers`).
    func dropChangedTiers(now: Date) async throws {
        try await generation.figures.refresh(now: now)
    }

    /// Forgets the facts and images of shops whose tier is no longer the one kept.
    private func dropTiers(_ changes: [ShopFiguresFeed.Change]) {
        lock.withLock {
            for row in changes {
                guard let slug = slugByShop[row.shop_id], let held = facts[slug], held.tier != (held.status.isValid ? row.tier : nil) else { continue }
                drop(slug)
            }
        }
    }

    private func load(_ slug: String, now: Date) async throws -> ShopSealFacts {
        let db = desk.storage.db
        guard let shop = try await Shop.query(on: db).filter(\.$slug == slug).with(\.$domains).first() else {
            return ShopSealFacts(shopID: nil, organisationID: nil, shopName: "", variant: "", domains: [], status: .notAMember, tier: nil, expires: desk.nextMidnight(after: now))
        }
        let membership = try await memberships.membership(of: shop.$organisation.id, on: db)
        var extraPaid: Bool?
        if let invoiceID = shop.extraInvoiceID { extraPaid = try await Invoice.find(invoiceID, on: db).map { $0.status == .paid } }
        let tier = try await ShopStats.find(shop.id, on: db)?.tier
        return try facts(shop, domains: shop.domains, membership: membership, extraInvoicePaid: extraPaid, tier: tier, expires: desk.nextMidnight(after: now))
    }

    /// `expires`: when the facts must be read again even without an event (the next midnight).
    private func facts(_ shop: Shop, domains: [ShopDomain], membership: Membership?, extraInvoicePaid: Bool?, tier: String?, expires: Date) throws -> ShopSealFacts {
        var status = SealStatus.notAMember
        if let membership {
            let since = membership.termStart.flatMap(Day.init) ?? Day(membership.approvedOn)
            let standing = try memberships.mayShowSeal(shop, membership: membership, extraInvoicePaid: extraInvoicePaid)
                ? try memberships.standing(membership) : .ended(on: desk.today)
            status = SealStatus(standing, memberSince: since, override: memberships.sealOverride(membership) ?? shop.suspension(on: desk.today))
        }
        return ShopSealFacts(shopID: shop.id, organisationID: shop.$organisation.id, shopName: shop.name, variant: shop.variant, domains: Set(domains.filter { $0.releasedAt == nil }.map(\.domain)),
                             status: status, tier: status.isValid ? tier : nil, expires: expires)
    }

    /// Reads every shop's facts, a few thousand shops per handful of queries, and keeps them, so
    /// that no consumer's request waits for the database after a start or a midnight. Returns how
    /// many shops.
    @discardableResult
    func loadAll(batch: Int = 2000) async throws -> Int {
        let db = desk.storage.db
        let now = desk.clock.now()
        let current = try await generation.current(now: now)
        let epoch = lock.withLock { organisations.epoch }
        let expires = desk.nextMidnight(after: now)
        var loaded: [String: ShopSealFacts] = [:]
        try await Shop.inBatches(of: batch, on: db) { shops in
            let ids = shops.compactMap(\.id)
            var domains: [UUID: [ShopDomain]] = [:]
            for domain in try await ShopDomain.query(on: db).filter(\.$shop.$id ~~ ids).filter(\.$releasedAt == nil).all() {
                domains[domain.$shop.id, default: []].append(domain)
            }
            var memberships: [UUID: Membership] = [:]
            for membership in try await Membership.query(on: db).filter(\.$organisation.$id ~~ Set(shops.map(\.$organisation.id))).all() {
                memberships[membership.$organisation.id] = membership
            }
            var paid: [UUID: Bool] = [:]
            let extraInvoices = shops.compactMap(\.extraInvoiceID)
            if !extraInvoices.isEmpty {
                for invoice in try await Invoice.query(on: db).filter(\.$id ~~ extraInvoices).all() { paid[try invoice.requireID()] = invoice.status == .paid }
            }
            var tiers: [UUID: String] = [:]
            for stats in try await ShopStats.query(on: db).filter(\.$id ~~ ids).all() { tiers[try stats.requireID()] = stats.tier }
            for shop in shops {
                guard let slug = shop.slug, let id = shop.id else { continue }
                loaded[slug] = try facts(shop, domains: domains[id] ?? [], membership: memberships[shop.$organisation.id],
                                         extraInvoicePaid: shop.extraInvoiceID.flatMap { paid[$0] }, tier: tiers[id], expires: expires)
            }
            return true
        }
        let latest = generation.latest
        lock.withLock {
            // Facts read before an event of their organisation stay out: the requests will read those shops afresh.
            guard latest == current else { return }
            if cachedGeneration != current {
                cachedGeneration = current
                forgetAll()
            }
            for (slug, fresh) in loaded { store(fresh, slug: slug, readAt: epoch) }
            images.removeAll()
        }
        return loaded.count
    }

    /// The image for a request, reading the shop's facts from the database when they are not in memory.
    func image(_ request: SealRequest) async throws -> SealImageBytes {
        resolve(request, facts: try await facts(for: request.slug), generation: 0).image
    }

    /// A shop's facts if they are in memory and current, without asking the database.
    func knownFacts(slug: String) -> ShopSealFacts? {
        cached(slug, generation: generation.latest)
    }

    /// The facts kept for `slug` if they belong to `generation`.
    private func cached(_ slug: String, generation current: Int) -> ShopSealFacts? {
        lock.withLock { cachedGeneration == current ? facts[slug] : nil }
    }

    /// The image for a request when everything it needs is in memory (facts known and the version
    /// counter read recently), with the facts it was decided on and whether the page that shows it is
    /// on one of the shop's domains: what an event loop keeps to answer the same request again by
    /// itself. Nil when the database must be asked first.
    func resolvedInMemory(_ request: SealRequest) -> ResolvedSeal? {
        let now = desk.clock.now()
        guard let current = generation.known(now: now), let known = cached(request.slug, generation: current), known.expires > now else { return nil }
        return resolve(request, facts: known, generation: current)
    }

    struct ResolvedSeal {
        let facts: ShopSealFacts
        let image: SealImageBytes
        /// The page that showed it is on one of the shop's domains (false without a page).
        let own: Bool
        let generation: Int
    }

    /// The shop's true status, or "not valid on this website" when the page that shows it is on a
    /// domain the shop does not hold (or, for a signed seal, not the signed domain), or when a
    /// signature does not match. Counts where the seal was seen.
    private func resolve(_ request: SealRequest, facts: ShopSealFacts, generation: Int) -> ResolvedSeal {
        var status = facts.status
        var site: String?
        var own = false
        if let signed = request.signed {
            if signature.isValid(signed.signature, slug: request.slug, domain: signed.domain), facts.domains.contains(signed.domain) {
                site = signed.domain
            } else if status.isValid {
                status = .notValidHere
            }
        }
        if let page = request.page {
            own = facts.domains.contains(page.host) || ShopSealFacts.host(page.host, isIn: facts.domains)
            let allowed = site.map { page.host == $0 || ShopSealFacts.isSubdomain(page.host, of: $0) } ?? own
            if status.isValid, !allowed { status = .notValidHere }
            if let shopID = facts.shopID {
                sightings.saw(shop: shopID, host: page.host, page: page.url, own: own, at: desk.clock.now())
            }
        }
        let width = min(max(request.width, SealImage.sizes.lowerBound), SealImage.sizes.upperBound)
        let key = ImageKey(locale: request.locale, width: width, status: Self.statusKey(status), site: site)
        if let cached = lock.withLock({ images[request.slug]?[key] }) {
            return ResolvedSeal(facts: facts, image: cached, own: own, generation: generation)
        }
        let image = render(facts, slug: request.slug, status: status, site: site, locale: request.locale)
        let rendered = SealImageBytes(Data(image.svg(width: width).utf8), maxAge: maxAge)
        lock.withLock { images[request.slug, default: [:]][key] = rendered }
        return ResolvedSeal(facts: facts, image: rendered, own: own, generation: generation)
    }

    /// The drawing for a status, in a language (also the source of the certificate's PNG).
    func render(_ facts: ShopSealFacts, slug: String, status: SealStatus, site: String?, locale: AppLocale) -> SealImage {
        let scheme = desk.scheme
        let variant = scheme.seal.variants.first { $0.id == facts.variant } ?? scheme.seal.defaultVariant
        let statusText = Self.statusText(status, locale: locale, desk: desk)
        let name = facts.shopName.isEmpty ? desk.localizer.text("seal_unknown_shop", locale) : facts.shopName
        let tier = desk.tier(facts.tier)
            .map { SealImage.Tier(name: desk.active.text($0.name, locale), colour: $0.colour) }
        let description = desk.localizer.text("seal_description", locale, ["shop": name, "scheme": scheme.name, "status": statusText,
                                                                          "url": "\(desk.baseURL)/shops/\(slug)"])
        return SealImage(schemeName: scheme.name, shopName: name, colour: variant?.colour ?? "#444444", status: status, statusText: statusText,
                         description: description, tier: tier, site: site)
    }

    static func statusText(_ status: SealStatus, locale: AppLocale, desk: MembershipDesk) -> String {
        let t = { (key: String, args: [String: String]) in desk.localizer.text(key, locale, args) }
        switch status {
        case .valid(let since): return t("seal_valid_since", ["year": "\(since.year)"])
        case .suspended: return t("seal_suspended", [:])
        case .revoked: return t("seal_revoked", [:])
        case .notAMember: return t("seal_not_a_member", [:])
        case .notValidHere: return t("seal_not_valid_here", [:])
        }
    }

    static func statusKey(_ status: SealStatus) -> String {
        switch status {
        case .valid: return "valid"
        case .suspended: return "suspended"
        case .revoked: return "revoked"
        case .notAMember: return "not_a_member"
        case .notValidHere: return "not_valid_here"
        }
    }

    /// The embed address of a shop's seal, signed for one of its domains.
    func signedPath(slug: String, domain: String) -> String {
        "/seal/\(slug).svg?domain=\(domain)&sig=\(signature.sign(slug: slug, domain: domain))"
    }

    /// The page of a `Referer`: its host normalised like shop domains (lower case, no `www.`, no
    /// final dot), and the address without query or fragment (which may carry a visitor's data);
    /// nil when absent or not an http(s) address. Read byte by byte rather than through `URL`: it
    /// runs on every seal request.
    static func refererPage(_ header: String?) -> (host: String, url: String)? {
        guard let header else { return nil }
        let bytes = Array(header.utf8)
        guard bytes.count <= 4096, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let lower = { (byte: UInt8) in byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte }
        let scheme = bytes.prefix(8).map(lower)
        let schemeEnd: Int
        if scheme.starts(with: "https://".utf8) { schemeEnd = 8 } else if scheme.starts(with: "http://".utf8) { schemeEnd = 7 } else { return nil }
        let authorityEnd = bytes[schemeEnd...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        // user:password@ before the host is dropped (it is nobody's business here).
        let hostStart = bytes[schemeEnd..<authorityEnd].lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? schemeEnd
        var hostEnd = authorityEnd
        if bytes[hostStart..<authorityEnd].first == UInt8(ascii: "[") {
            guard let close = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostEnd = close + 1
        } else if let colon = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: ":")) {
            hostEnd = colon
        }
        let port = bytes[hostEnd..<authorityEnd]
        guard hostEnd > hostStart, port.isEmpty || (port.count > 1 && port.first == UInt8(ascii: ":")
                                                    && port.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let host = bytes[hostStart..<hostEnd].map(lower)
        let pathEnd = bytes[authorityEnd...].firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        var page: [UInt8] = Array(scheme.prefix(schemeEnd))
        page += host
        page += port
        page += pathEnd > authorityEnd ? bytes[authorityEnd..<pathEnd] : ArraySlice("/".utf8)
        var domain = host[...]
        if domain.last == UInt8(ascii: ".") { domain = domain.dropLast() }
        if domain.starts(with: "www.".utf8) { domain = domain.dropFirst(4) }
        return (String(decoding: domain, as: UTF8.self), String(decoding: page.prefix(500), as: UTF8.self))
    }
}
