import FluentKit
import SQLKit
import Foundation
import TrustmarkCore

/// A published review as the public sees it.
struct ReviewDTO: Codable, Sendable {
    struct Score: Codable, Sendable {
        let criterion: String
        let name: String
        let score: Int
    }

    let id: UUID
    let origin: String
    let originText: String
    let kind: String
    let author: String
    let overall: Int
    /// The top of the scheme's scale ("4 / 5").
    let outOf: Int
    let scores: [Score]
    let text: String?
    let publishedAt: Date
    let dateText: String
    let reply: String?
    let replyAt: Date?
}

/// A shop's figures over the window and a page of its reviews.
struct ShopReviewsDTO: Codable, Sendable {
    struct Criterion: Codable, Sendable {
        let id: String
        let name: String
        let average: String?
    }

    let shop: String
    let slug: String
    let count: Int
    let average: String?
    let windowText: String
    let criteria: [Criterion]
    /// How many overall scores fell on each point of the scale, lowest first.
    let distribution: [Int]
    let tier: String?
    let tierName: String?
    let items: [ReviewDTO]
    let page: Int
    let size: Int
    let total: Int
    let pageCount: Int
}

struct ReviewReceipt: Codable, Sendable {
    let id: UUID
    let state: String
}

/// Submissions: an invited buyer rates through the single-use link; anyone else rates after
/// confirming an e-mail address (unless the scheme takes invited buyers only).
extension ReviewsService {
    /// The invitation behind a link; a forged link is unknown (404), a used one a conflict (409).
    func invitation(token: String) async throws -> ReviewInvitation {
        guard let invitation = try await ReviewInvitation.query(on: desk.storage.db).filter(\.$tokenHash == SecretToken.digest(token)).with(\.$shop).first() else {
            throw AppError(.notFound, code: "review_link_unknown", messageKey: "review_link_unknown")
        }
        guard invitation.usedAt == nil else { throw AppError.conflict("review_link_used", "review_link_used") }
        return invitation
    }

    /// Without an invitation: kept unpublished until the reviewer follows the mailed link.
    func submit(shop raw: String, _ input: ReviewInput) async throws -> ReviewReceipt {
        let rules = try rules()
        guard !rules.invitedOnly else { throw AppError(.forbidden, code: "reviews_invited_only", messageKey: "reviews_invited_only") }
        let shop = try await memberShop(raw, locale: input.locale)
        var errors = FormErrors()
        let name = input.name.trimmingWhitespace()
        if name.isEmpty { errors.add(.invalid("name", "validation_required")) } else if name.count > 120 { errors.add(.invalid("name", "validation_too_long", ["max": "120"])) }
        let email = EmailAddress.normalise(input.email)
        if !EmailAddress.isValid(email) { errors.add(.invalid("email", "validation_email")) }
        let scores: ReviewScores
        do {
            scores = try check(input, rules: rules)
        } catch let more as FormErrors {
            errors.problems += more.problems
            throw errors
        }
        try errors.throwIfAny()
        let token = SecretToken.generate()
        let now = desk.clock.now()
        let review = make(input, scores: scores, shop: try shop.requireID(), origin: .confirmedEmail, name: name, email: email)
        review.state = Review.State.unconfirmed.rawValue
        review.confirmTokenHash = SecretToken.digest(token)
        review.confirmExpiresAt = rules.confirmWithin.added(to: now, timeZone: desk.timeZone)
        let values = ["name": name, "shop": shop.name, "scheme": desk.scheme.name, "link": desk.baseURL + "/reviews/confirm/\(token)",
                      "expires": DateText.dateTime(review.confirmExpiresAt ?? now, locale: input.locale, timeZone: desk.timeZone)]
        try await desk.storage.db.transaction { db in
            try await review.create(on: db)
            try await desk.mail(to: email, input.locale, subject: "mail_review_confirm_subject", body: "mail_review_confirm_body", values,
                                kind: "review.confirm", on: db)
        }
        return ReviewReceipt(id: try review.requireID(), state: review.state)
    }

    func confirm(token: String) async throws -> Review {
        let rules = try rules()
        let digest = SecretToken.digest(token)
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            guard let review = try await Review.query(on: db).filter(\.$confirmTokenHash == digest).with(\.$shop).first() else {
                throw AppError(.notFound, code: "review_link_unknown", messageKey: "review_link_unknown")
            }
            guard review.state == Review.State.unconfirmed.rawValue else { throw AppError.conflict("review_link_used", "review_link_used") }
            guard let expires = review.confirmExpiresAt, now < expires else { throw AppError(.gone, code: "review_link_expired", messageKey: "review_link_expired") }
            try await publishUnlessSuspicious(review, rules: rules, on: db)
            return review
        }
    }

    func make(_ input: ReviewInput, scores: ReviewScores, shop: UUID, origin: ReviewOrigin, name: String, email: String) -> Review {
        let review = Review()
        review.id = UUID.timeOrdered()
        review.$shop.id = shop
        review.origin = origin.rawValue
        review.kind = input.kind
        review.authorName = name
        review.authorEmail = email
        review.locale = input.locale.rawValue
        review.overall = scores.overall
        review.scores = Self.encode(scores.criteria)
        let text = input.text.trimmingWhitespace()
        review.text = text.isEmpty ? nil : text
        review.state = Review.State.published.rawValue
        review.createdAt = desk.clock.now()
        review.clientAddress = input.clientAddress
        return review
    }

    /// A shop's figures and a page of its published reviews, newest first.
    func reviews(of slug: String, paging: Paging, locale: AppLocale) async throws -> ShopReviewsDTO {
        try await shopReviews(of: slug, paging: paging, locale: locale).list
    }

    /// The same, with the shop's id (the reviews page also shows the shop's flags).
    func shopReviews(of slug: String, paging: Paging, locale: AppLocale) async throws -> (shop: UUID, list: ShopReviewsDTO) {
        let rules = try rules()
        // The shop comes from the public register's memory; its kept figures and the page of reviews
        // are read in plain SQL (only the columns shown, no model per row), so a review just published
        // is counted on the page that lists it.
        guard let record = try await register.record(slug: slug), let shopID = record.seal.shopID else { throw AppError.notFound }
        guard let sql = desk.storage.db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let stats = try await keptRatings(shopID, on: sql)
        struct Row: Decodable {
            let id: UUID
            let origin: String
            let kind: String
            let author_name: String
            let overall: Int
            let scores: String
            let text: String?
            let published_at: Date?
            let created_at: Date
            let reply: String?
            let reply_at: Date?
        }
        struct Total: Decodable { let total: Int }
        let published = Review.State.published.rawValue
        let total = try await sql.raw("SELECT COUNT(*) AS total FROM reviews WHERE shop_id = \(bind: shopID) AND state = \(bind: published)")
            .first(decoding: Total.self)?.total ?? 0
        let rows = try await sql.raw("""
            SELECT id, origin, kind, author_name, overall, scores, text, published_at, created_at, reply, reply_at FROM reviews
            WHERE shop_id = \(bind: shopID) AND state = \(bind: published) ORDER BY published_at DESC
            LIMIT \(unsafeRaw: String(paging.size)) OFFSET \(unsafeRaw: String(paging.offset))
            """).all(decoding: Row.self)
        let names = Dictionary(rules.criteria.map { ($0.id, desk.active.text($0.name, locale)) }, uniquingKeysWith: { first, _ in first })
        let items = rows.map { row in
            let scores = Self.table(row.scores)
            let published = row.published_at ?? row.created_at
            return ReviewDTO(id: row.id, origin: row.origin, originText: desk.localizer.text("review_origin_\(row.origin)", locale), kind: row.kind,
                             author: row.author_name, overall: row.overall, outOf: rules.scaleMaximum,
                             scores: rules.criteria.compactMap { criterion in scores[criterion.id].map { .init(criterion: criterion.id, name: names[criterion.id] ?? criterion.id, score: $0) } },
                             text: row.text, publishedAt: published, dateText: DateText.day(published, locale: locale, timeZone: desk.timeZone),
                             reply: row.reply, replyAt: row.reply_at)
        }
        let figures = Self.figures(stats, rules: rules)
        let tier = desk.tier(stats?.tier)
        let list = PagedList(items: items, request: paging, total: total)
        let dto = ShopReviewsDTO(shop: record.name, slug: slug, count: figures.count, average: figures.average.map(RatingFigures.text),
                              windowText: desk.localizer.text("verify_window", locale, ["period": SchemeFacts(localizer: desk.localizer).period(rules.window, locale)]),
                              criteria: rules.criteria.map { .init(id: $0.id, name: names[$0.id] ?? $0.id, average: figures.average(of: $0.id).map(RatingFigures.text)) },
                              distribution: figures.distribution, tier: tier?.id, tierName: tier.map { desk.active.text($0.name, locale) }, items: list.items,
                              page: list.page, size: list.size, total: list.total, pageCount: list.pageCount)
        return (shopID, dto)
    }

    /// The rating columns of a shop's `shop_stats` row.
    struct KeptRatings: Decodable {
        let ratings_12m: Int
        let rating_sum_12m: Int
        let rating_criteria: String?
        let rating_distribution: String?
        let tier: String?
    }

    /// A shop's kept rating figures, read in plain SQL.
    func keptRatings(_ shop: UUID, on sql: any SQLDatabase) async throws -> KeptRatings? {
        try await sql.raw("""
            SELECT ratings_12m, rating_sum_12m, rating_criteria, rating_distribution, tier FROM shop_stats WHERE shop_id = \(bind: shop)
            """).first(decoding: KeptRatings.self)
    }

    /// The window's figures as `shop_stats` keeps them.
    static func figures(_ stats: KeptRatings?, rules: ReviewRules) -> RatingFigures {
        var figures = RatingFigures(scale: rules.scaleMinimum...rules.scaleMaximum)
        add(count: stats?.ratings_12m ?? 0, sum: stats?.rating_sum_12m ?? 0, criteria: stats?.rating_criteria, distribution: stats?.rating_distribution, to: &figures)
        return figures
    }

    /// The shop's one public reply to a review; it can never edit or hide the review itself.
    func reply(_ rawID: String?, member: Identity, text raw: String) async throws -> Review {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { throw AppError.invalid("reply", "validation_required") }
        guard text.count <= Self.maxText else { throw AppError.invalid("reply", "review_text_too_long", ["max": "\(Self.maxText)"]) }
        guard let id = rawID.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        return try await desk.storage.db.transaction { db in
            guard let review = try await Review.query(on: db).filter(\.$id == id).with(\.$shop).first(), review.shop.$organisation.id == member.organisationID,
                  review.state == Review.State.published.rawValue
            else { throw AppError.notFound }
            guard review.reply == nil else { throw AppError.conflict("review_replied", "review_replied") }
            review.reply = text
            review.replyAt = desk.clock.now()
            try await review.save(on: db)
            try await Record.append(on: db, at: desk.clock.now(), actor: Record.Actor(member), action: "review.replied", subjectType: "review",
                                    subjectID: id.uuidString, after: ["length": "\(text.count)"])
            return review
        }
    }
}
