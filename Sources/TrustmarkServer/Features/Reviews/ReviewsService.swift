import FluentKit
import SQLKit
import Foundation
import TrustmarkCore

/// What a buyer sends: scores per criterion, an overall score, text, the kind.
struct ReviewInput: Sendable {
    var scores: [String: Int] = [:]
    var overall: Int?
    var text: String = ""
    var kind: String = ReviewKind.review.rawValue
    var name: String = ""
    var email: String = ""
    var locale: AppLocale = .fallback
    var clientAddress: String?
}

/// Reviews: invitations (ReviewInvitations.swift), submissions and their confirmation
/// (ReviewSubmissions.swift), and here the shared part: the rules, the member check, publishing a
/// review into the shop's day sums and recounting its window figures and tier.
struct ReviewsService: Sendable {
    let desk: MembershipDesk
    let register: PublicRegister
    /// Writes published reviews in shared transactions (group commit).
    let writer: ReviewWriter
    /// Shops' domains and people for the fraud signals.
    let shopPeople = ShopPeopleCache()

    init(desk: MembershipDesk, register: PublicRegister) {
        self.desk = desk
        self.register = register
        writer = ReviewWriter()
    }

    static let sendJob = "review.invitation"
    static let dailyKind = "reviews.daily"
    /// The longest review text; a longer one is refused with this limit named.
    static let maxText = 5_000

    func rules() throws -> ReviewRules {
        guard let rules = desk.scheme.reviews else { throw AppError(.notFound, code: "reviews_not_run", messageKey: "reviews_not_run") }
        return rules
    }

    /// Whether the shop shows the seal now: only members' shops are rated.
    func isMember(_ shop: Shop) async throws -> Bool {
        guard let slug = shop.slug, let record = try await register.record(slug: slug) else { return false }
        return record.seal.status.isValid
    }

    /// A shop by slug (or domain) that carries the seal; others are refused in plain words.
    func memberShop(_ raw: String, locale: AppLocale) async throws -> Shop {
        let slug = try await register.slug(matching: raw)
        guard let shop = try await Shop.query(on: desk.storage.db).filter(\.$slug == slug).first() else {
            throw AppError(.notFound, code: "shop_not_found", messageKey: "reviews_shop_unknown", arguments: ["shop": raw], field: "shop")
        }
        guard try await isMember(shop) else {
            throw AppError(.unprocessableContent, code: "review_not_member", messageKey: "review_not_member", arguments: ["shop": shop.name], field: "shop")
        }
        return shop
    }

    /// Checks scores and text against the scheme; problems name their field.
    func check(_ input: ReviewInput, rules: ReviewRules) throws -> ReviewScores {
        var errors = FormErrors()
        let scores: ReviewScores?
        do {
            scores = try ReviewScores(criteria: input.scores, overall: input.overall, rules: rules)
        } catch {
            scores = nil
            let range = ["min": "\(rules.scaleMinimum)", "max": "\(rules.scaleMaximum)"]
            switch error {
            case .missing(let id): errors.add(.invalid(id == "overall" ? "overall" : "scores.\(id)", "review_score_missing", range))
            case .outOfRange(let id, _): errors.add(.invalid(id == "overall" ? "overall" : "scores.\(id)", "review_score_range", range))
            case .unknown(let id): errors.add(.invalid("scores.\(id)", "review_criterion_unknown"))
            }
        }
        if input.text.count > Self.maxText { errors.add(.invalid("text", "review_text_too_long", ["max": "\(Self.maxText)"])) }
        if ReviewKind(rawValue: input.kind) == nil || (!rules.praiseAndFaultForm && input.kind != ReviewKind.review.rawValue) {
            errors.add(.invalid("kind", "validation_choice"))
        }
        try errors.throwIfAny()
        guard let scores else { throw errors }
        return scores
    }

    /// Sums the shop's day rows inside the window into its figures, and moves its tier when the
    /// scheme's thresholds say so (recorded, mailed to the member, seen on the seal).
    func refreshRatings(shop shopID: UUID, rules: ReviewRules, on db: any Database) async throws {
        let now = desk.clock.now()
        let first = Day(desk.windowStart(rules.window, now: now), in: desk.timeZone)
        var figures = RatingFigures(scale: rules.scaleMinimum...rules.scaleMaximum)
        for row in try await ReviewDay.query(on: db).filter(\.$shopID == shopID).filter(\.$day > first.description).all() {
            Self.add(count: row.count, sum: row.overallSum, criteria: row.criteriaSums, distribution: row.distribution, to: &figures)
        }
        try await keep(figures, in: try await ShopStats.find(shopID, on: db) ?? ShopStats.blank(shopID), on: db)
    }

    /// Stores the shop's figures and tier; a tier change is recorded, mailed and seen on the seal.
    func keep(_ figures: RatingFigures, in stats: ShopStats, on db: any Database) async throws {
        let now = desk.clock.now()
        let shopID = try stats.requireID()
        let tier = desk.scheme.seal.tier(ratings: figures.count, sum: figures.sum)?.id
        let before = stats.tier
        stats.ratings12m = figures.count
        stats.ratingSum12m = figures.sum
        stats.ratingCriteria = Self.encode(figures.criteriaSums)
        stats.ratingDistribution = Self.encode(figures.distribution)
        stats.tier = tier
        stats.updatedAt = now
        try await stats.save(on: db)
        guard tier != before else { return }
        try await Record.append(on: db, at: now, actor: .system, action: "review.tier_changed", subjectType: "shop", subjectID: shopID.uuidString,
                                before: ["tier": before ?? "none"], after: ["tier": tier ?? "none", "ratings": "\(figures.count)",
                                                                           "average": figures.average.map(RatingFigures.text) ?? "-"])
        // The seal shows the tier: every instance's seal cache forgets this shop's facts when it sees
        // the changed figures (SealService.dropChangedTiers), without emptying the whole cache.
        guard let shop = try await Shop.find(shopID, on: db) else { return }
        let scheme = desk.scheme
        let active = desk.active
        let counted = figures
        try await desk.mail(shop.$organisation.id, subject: "mail_tier_subject", body: "mail_tier_body", { locale in
            let name = { (id: String?) in id.flatMap { id in scheme.seal.tiers.first { $0.id == id } }.map { active.text($0.name, locale) } }
            return ["shop": shop.name, "tier": name(tier) ?? "–", "before": name(before) ?? "–",
                    "average": counted.average.map(RatingFigures.text) ?? "–", "count": "\(counted.count)"]
        }, kind: "review.tier", on: db)
    }

    /// Once a day: shops whose oldest counted day just left the window are recounted (their tier may
    /// fall without a new review).
    func slideWindow() async throws {
        guard let rules = desk.scheme.reviews else { return }
        let now = desk.clock.now()
        let first = Day(desk.windowStart(rules.window, now: now), in: desk.timeZone)
        let shops = Set(try await ReviewDay.query(on: desk.storage.db).filter(\.$day <= first.description)
            .filter(\.$day > first.adding(days: -8).description).all().map(\.shopID))
        for shop in shops {
            try await desk.storage.db.transaction { db in try await refreshRatings(shop: shop, rules: rules, on: db) }
        }
    }

    /// Adds figures as a row keeps them (a day row, `shop_stats`): sums, criteria and distribution as JSON.
    static func add(count: Int, sum: Int, criteria: String?, distribution: String?, to figures: inout RatingFigures) {
        figures.add(count: count, overallSum: sum, criteriaSums: table(criteria), distribution: list(distribution))
    }

    /// Scores or sums kept as `{"criterion":n}`, read by hand (`NumberJSON`) and by a general decoder
    /// only should the text be unusual; nothing for no text.
    static func table(_ text: String?) -> [String: Int] {
        text.flatMap { NumberJSON.table($0) ?? decode([String: Int].self, $0) } ?? [:]
    }

    /// A distribution kept as `[n,...]`.
    static func list(_ text: String?) -> [Int] {
        text.flatMap { NumberJSON.list($0) ?? decode([Int].self, $0) } ?? []
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        text.flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    static func encode(_ table: [String: Int]) -> String { NumberJSON.text(table) }

    static func encode(_ list: [Int]) -> String { NumberJSON.text(list) }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
