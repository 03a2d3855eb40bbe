import Crypto
import FluentKit
import Foundation
import TrustmarkCore

/// What the public may know about a shop, in no particular language: read once from the database
/// and kept in memory like the seal's facts (forgotten with its organisation's membership events; reread the next day).
struct ShopRecord: Sendable {
    struct Check: Sendable {
        let on: Day
        let kind: ApplicationKind
        let passed: Bool
    }

    /// The maintained figures of `shop_stats`, as the page shows them.
    struct Figures: Sendable {
        let complaints12m: Int
        let resolved12m: Int
        let unresolved12m: Int
        let noAnswer12m: Int
        let medianFirstAnswerHours: Int?
        let ratings12m: Int
        let ratingSum12m: Int
        let updatedAt: Date

        init(_ stats: ShopStats) {
            complaints12m = stats.complaints12m
            resolved12m = stats.resolved12m
            unresolved12m = stats.unresolved12m
            noAnswer12m = stats.noAnswer12m
            medianFirstAnswerHours = stats.medianFirstAnswerHours
            ratings12m = stats.ratings12m
            ratingSum12m = stats.ratingSum12m
            updatedAt = stats.updatedAt
        }
    }

    /// A step of the fraud ladder in force: consumers are warned on the shop's page.
    struct FraudNotice: Sendable, Equatable {
        let startsOn: Day
        let action: String
        /// The last day offline, for an offline step that ends by itself.
        let offlineUntil: Day?

        init(_ offence: ReviewOffence) {
            startsOn = Day(offence.startsOn) ?? Day(offence.createdAt, in: .gmt)
            action = offence.action
            offlineUntil = offence.offline && offence.returnedAt == nil ? offence.backOnlineOn.flatMap(Day.init).map { $0.adding(days: -1) } : nil
        }
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
    let stats: Figures?
    let fraudNotice: FraudNotice?
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
    /// Which slug a kept record belongs to, by shop id (changed figures arrive by shop id).
    private var slugByShop: [UUID: String] = [:]
    /// Which slugs kept records belong to, by organisation (membership events arrive by organisation).
    private var organisations = OrganisationIndex()
    /// Rendered pages for anonymous visitors (they carry no per-visitor token), per shop and
    /// language, and the notes on the sites visitors came from; dropped with the shop's record.
    private var pages: [String: [String: RenderedPage]] = [:]
    /// The size of the rendered pages kept, and the most it may reach before they start afresh.
    private var pageBytes = 0
    let pageBudget: Int

    /// A verification page as kept: the HTML before and after its came-from mark, and the ETag of
    /// the whole; or a came-from note (all in `head`).
    struct RenderedPage: Sendable {
        static let mark = "<!--came-from-->"
        let head: String
        let tail: String
        let etag: String

        init(html: String) {
            if let mark = html.range(of: Self.mark) {
                head = String(html[..<mark.lowerBound])
                tail = String(html[mark.upperBound...])
            } else {
                head = html
                tail = ""
            }
            etag = EntityTag.of(Data(html.utf8))
        }

        init(note: String, etag: String) {
            head = note
            tail = ""
            self.etag = etag
        }

        var size: Int { head.utf8.count + tail.utf8.count }
    }

    func page(slug: String, key: String) -> RenderedPage? {
        lock.withLock { pages[slug]?[key] }
    }

    /// Keeps a page rendered from `record` while that record is still the one kept (a page rendered
    /// from a record an event has since replaced is not kept).
    func keep(_ page: RenderedPage, of record: ShopRecord, key: String) {
        let slug = record.slug
        lock.withLock {
            guard records[slug]?.digest == record.digest else { return }
            if pageBytes + page.size > pageBudget {
                // About a quarter of the shops lose their pages, in the dictionary's arbitrary order.
                for slug in Array(pages.keys.prefix(max(1, pages.count / 4))) { dropPages(slug) }
            }
            // A shop's languages and the notes for the sites its visitors came from; a stream of made-up
            // Referers starts the shop's pages afresh now and then instead of growing them.
            if pages[slug, default: [:]].count >= 16 { dropPages(slug) }
            store(page, slug: slug, key: key)
        }
    }

    /// Puts a page with the shop's others and counts its size (the caller holds the lock).
    private func store(_ page: RenderedPage, slug: String, key: String) {
        pages[slug, default: [:]][key] = page
        pageBytes += page.size
    }

    enum KeptAhead { case kept, replaced, full }

    /// Keeps `page` only while the budget has room for it (pages rendered ahead of visitors never
    /// push out pages visitors asked for) and `record` is still the one kept.
    func keepIfRoom(_ page: RenderedPage, of record: ShopRecord, key: String) -> KeptAhead {
        lock.withLock {
            guard records[record.slug]?.digest == record.digest else { return .replaced }
            guard pageBytes + page.size <= pageBudget else { return .full }
            store(page, slug: record.slug, key: key)
            return .kept
        }
    }

    /// The records in memory now.
    func keptRecords() -> [ShopRecord] {
        lock.withLock { Array(records.values) }
    }

    /// Forgets every record and page (the caller holds the lock).
    private func forgetAll() {
        records.removeAll()
        expiresAt.removeAll()
        slugByShop.removeAll()
        organisations.removeAll()
        pages.removeAll()
        pageBytes = 0
    }

    /// Forgets a shop's rendered pages (the caller holds the lock).
    private func dropPages(_ slug: String) {
        pageBytes -= pages[slug]?.values.reduce(0) { $0 + $1.size } ?? 0
        pages[slug] = nil
    }

    init(desk: MembershipDesk, memberships: MembershipsService, seals: SealService, capacity: Int = 200_000, pageBudget: Int = 512 << 20) {
        self.pageBudget = pageBudget
        self.desk = desk
        self.memberships = memberships
        self.seals = seals
        self.capacity = capacity
        seals.generation.figures.subscribe { [weak self] changes in self?.dropFigures(changes) }
        seals.generation.subscribe { [weak self] changed in self?.forget(organisations: changed) }
    }

    /// Forgets the records and pages of the organisations' shops.
    private func forget(organisations changed: Set<UUID>) {
        lock.withLock {
            for slug in organisations.forget(changed) { forget(slug) }
        }
    }

    /// Forgets a shop's record and pages (the caller holds the lock).
    private func forget(_ slug: String) {
        records[slug] = nil
        expiresAt[slug] = nil
        dropPages(slug)
    }

    /// Keeps a record just read (the caller holds the lock) unless its organisation was forgotten
    /// after the read began at `epoch`; its old pages go.
    private func store(_ record: ShopRecord, expires: Date, readAt epoch: Int) {
        guard organisations.mayKeep(record.seal.organisationID, readAt: epoch) else { return }
        records[record.slug] = record
        expiresAt[record.slug] = expires
        if let id = record.seal.shopID { slugByShop[id] = record.slug }
        organisations.add(record.slug, of: record.seal.organisationID)
        dropPages(record.slug)
    }

    /// The record of a shop by slug, or nil when there is no such shop.
    func record(slug: String) async throws -> ShopRecord? {
        let now = desk.clock.now()
        let generation = try await seals.generation.current(now: now)
        let cached = lock.withLock { () -> ShopRecord? in
            if generation != cachedGeneration {
                cachedGeneration = generation
                forgetAll()
            }
            guard let expires = expiresAt[slug], now < expires else { return nil }
            return records[slug]
        }
        // Almost always nothing to drop: the cached record is returned without taking the lock again.
        if let cached, try await !seals.generation.figures.refresh(now: now) || lock.withLock({ records[slug] != nil }) { return cached }
        let epoch = lock.withLock { organisations.epoch }
        guard let record = try await load(slug: slug) else { return nil }
        lock.withLock {
            guard cachedGeneration == generation else { return }
            if records.count >= capacity { forgetAll() }
            store(record, expires: desk.nextMidnight(after: now), readAt: epoch)
        }
        return record
    }

    /// The slug of the shop a person named by domain (with or without `https://`, `www.` or a path),
    /// else what they typed taken as a slug.
    func slug(matching raw: String) async throws -> String {
        let text = raw.trimmingWhitespace()
        return try await slug(forDomain: DomainName.normalise(text)) ?? text.lowercased()
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
        let ids = applications.compactMap(\.id)
        let reports = ids.isEmpty ? [] : try await AuditReport.query(on: db).filter(\.$application.$id ~~ ids).sort(\.$completedAt).all()
        let stats = try await ShopStats.find(shopID, on: db)
        let offences = try await ReviewOffence.query(on: db).filter(\.$shop.$id == shopID).all()
        return try record(shop, domains: shop.domains, seal: seal, registration: registration, membership: membership,
                          applications: applications, reports: reports, stats: stats, offences: offences)
    }

    /// Reads the records of every shop whose seal facts are in memory, a few thousand shops per
    /// handful of queries, and keeps them (run by the seal warmer after the seals). Returns how many.
    @discardableResult
    func loadAll(batch: Int = 2000) async throws -> Int {
        let db = desk.storage.db
        let now = desk.clock.now()
        let generation = try await seals.generation.current(now: now)
        let epoch = lock.withLock { organisations.epoch }
        var loaded: [String: ShopRecord] = [:]
        try await Shop.inBatches(of: batch, on: db) { shops in
            let ids = shops.compactMap(\.id)
            let organisations = Array(Set(shops.map(\.$organisation.id)))
            let domains = Dictionary(grouping: try await ShopDomain.query(on: db).filter(\.$shop.$id ~~ ids).all(), by: \.$shop.id)
            let registrations = Dictionary(try await Registration.query(on: db).filter(\.$organisation.$id ~~ organisations).all().map { ($0.$organisation.id, $0) },
                                           uniquingKeysWith: { first, _ in first })
            let memberships = Dictionary(try await Membership.query(on: db).filter(\.$organisation.$id ~~ organisations).all().map { ($0.$organisation.id, $0) },
                                         uniquingKeysWith: { first, _ in first })
            let applications = try await MembershipApplication.query(on: db).filter(\.$organisation.$id ~~ organisations).all()
            var reports: [AuditReport] = []
            let applicationIDs = applications.compactMap(\.id)
            for start in stride(from: 0, to: applicationIDs.count, by: 5000) {
                let some = Array(applicationIDs[start..<min(start + 5000, applicationIDs.count)])
                reports += try await AuditReport.query(on: db).filter(\.$application.$id ~~ some).all()
            }
            reports.sort { $0.completedAt < $1.completedAt }
            let applicationsByOrganisation = Dictionary(grouping: applications, by: \.$organisation.id)
            let organisationOf = Dictionary(applications.compactMap { app in app.id.map { ($0, app.$organisation.id) } }, uniquingKeysWith: { first, _ in first })
            let reportsByOrganisation = Dictionary(grouping: reports) { organisationOf[$0.$application.id] }
            let stats = Dictionary(try await ShopStats.query(on: db).filter(\.$id ~~ ids).all().compactMap { row in row.id.map { ($0, row) } },
                                   uniquingKeysWith: { first, _ in first })
            let offences = Dictionary(grouping: try await ReviewOffence.query(on: db).filter(\.$shop.$id ~~ ids).all(), by: \.$shop.id)
            for shop in shops {
                guard let slug = shop.slug, let id = shop.id, let seal = seals.knownFacts(slug: slug) else { continue }
                let organisation = shop.$organisation.id
                loaded[slug] = try record(shop, domains: domains[id] ?? [], seal: seal, registration: registrations[organisation], membership: memberships[organisation],
                                          applications: applicationsByOrganisation[organisation] ?? [], reports: reportsByOrganisation[organisation] ?? [],
                                          stats: stats[id], offences: offences[id] ?? [])
            }
            return loaded.count < capacity
        }
        let expires = desk.nextMidnight(after: now)
        let latest = seals.generation.latest
        lock.withLock {
            // Records read before an event of their organisation stay out: the requests will read those shops afresh.
            guard latest == generation else { return }
            if cachedGeneration != generation {
                cachedGeneration = generation
                forgetAll()
            }
            for (slug, record) in loaded {
                if let held = records[slug], held.digest == record.digest, (expiresAt[slug] ?? .distantPast) > now {
                    expiresAt[slug] = expires
                    continue
                }
                store(record, expires: expires, readAt: epoch)
            }
        }
        return loaded.count
    }

    /// Complaint and rating figures change without a membership event, and must not empty every cache:
    /// the shared feed (`ShopFiguresFeed`, once per poll interval, `shop_stats` indexed on `updated_at`)
    /// names the shops whose figures changed, on any instance, and just those records and pages are
    /// forgotten.
    private func dropFigures(_ changes: [ShopFiguresFeed.Change]) {
        lock.withLock {
            for row in changes {
                guard let slug = slugByShop[row.shop_id], let held = records[slug], held.stats?.updatedAt != row.updated_at else { continue }
                forget(slug)
            }
        }
    }

    /// The public record from what was read: `applications` are all of the organisation's,
    /// `reports` theirs, by completion.
    private func record(_ shop: Shop, domains held: [ShopDomain], seal: ShopSealFacts, registration: Registration?, membership: Membership?,
                        applications all: [MembershipApplication], reports all_reports: [AuditReport], stats row: ShopStats?,
                        offences: [ReviewOffence]) throws -> ShopRecord {
        // An organisation's other extra shops' checks are theirs, not this shop's.
        let applications = all.filter { $0.kind != .extraShop || $0.id == shop.$application.id }
        let kinds = Dictionary(uniqueKeysWithValues: applications.compactMap { app in app.id.map { ($0, app.kind) } })
        let checks = all_reports.filter { kinds[$0.$application.id] != nil }.map {
            ShopRecord.Check(on: Day($0.completedAt, in: desk.timeZone), kind: kinds[$0.$application.id] ?? .membership, passed: $0.failed == 0)
        }
        let stats = row.map(ShopRecord.Figures.init)
        var standing: SealStanding?
        if let membership { standing = try memberships.standing(membership) }
        var validUntil: Day?
        // The standing names the first day without the seal; people read "until" as the last day with it.
        if case .active(let until) = standing { validUntil = until.adding(days: -1) }
        if let ends = membership?.endsOn.flatMap({ Day($0) }), validUntil.map({ ends <= $0 }) ?? false { validUntil = ends.adding(days: -1) }
        let domains = held.filter { $0.releasedAt == nil }.map(\.domain).sorted()
        let codeVersion = membership?.contractCodeVersion ?? applications.first { $0.id == shop.$application.id }?.codeVersion
        let today = desk.today
        let override = membership.flatMap { memberships.sealOverride($0) ?? shop.suspension(on: today) }
        let notice = offences.filter { $0.warns(on: today) }.max { $0.number < $1.number }.map(ShopRecord.FraudNotice.init)
        var fingerprint = "\(shop.name)|\(domains)|\(shop.variant)|\(seal.status)|\(seal.tier ?? "")|\(String(describing: validUntil))|\(String(describing: override))"
        fingerprint += "|\(String(describing: notice))"
        fingerprint += "|\(registration?.updatedAt.timeIntervalSince1970 ?? 0)|\(checks.count)|\(stats?.updatedAt.timeIntervalSince1970 ?? 0)"
        let digest = Hex.string(SHA256.hash(data: Data(fingerprint.utf8)).prefix(8))
        return ShopRecord(slug: shop.slug ?? "", name: shop.name, legalName: registration?.legalName ?? shop.name, kvk: registration?.kvk ?? "",
                          vatNumber: registration?.vatNumber ?? "", street: registration?.street ?? "", postcode: registration?.postcode ?? "",
                          city: registration?.city ?? "", country: registration?.country ?? "", domains: domains, variant: shop.variant, seal: seal,
                          memberSince: membership?.termStart.flatMap { Day($0) }, validUntil: validUntil,
                          endedOn: (membership?.endedOn).flatMap { Day($0) } ?? shop.endedOn.flatMap { Day($0) },
                          override: override, codeVersion: codeVersion, checks: checks, stats: stats, fraudNotice: notice, digest: digest)
    }
}
