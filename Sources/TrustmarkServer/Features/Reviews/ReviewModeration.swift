import FluentKit
import SQLKit
import Foundation
import TrustmarkCore

/// Why someone reports a review.
enum FlagReason: String, CaseIterable, Codable, Sendable {
    case notABuyer = "not_a_buyer", fake, offensive, personalData = "personal_data", unlawful, spam
    /// The shop offered something (a discount, a gift) for a review: counts as a fraud signal.
    case incentive, other
}

/// Why staff remove a review: a fixed list, so removals can be counted and explained.
enum RemovalReason: String, CaseIterable, Codable, Sendable {
    case fake, notABuyer = "not_a_buyer", offensive, personalData = "personal_data", unlawful, spam, conflictOfInterest = "conflict_of_interest"
    /// The reviewer asked for their data to be erased.
    case authorRequest = "author_request"
}

struct FlagRequest: Codable, Sendable {
    let reason: String
    var note: String?
}

struct ModerationRequest: Codable, Sendable {
    /// `keep` or `remove`.
    let decision: String
    var reason: String?
    var note: String?
}

struct ModerationItemDTO: Codable, Sendable {
    struct Flag: Codable, Sendable {
        let by: String
        let byText: String
        let reason: String
        let reasonText: String
        let note: String?
        let at: Date
    }

    let id: UUID
    let shop: String
    let slug: String
    let state: String
    let stateText: String
    let author: String
    let overall: Int
    let text: String?
    let fraudScore: Int?
    /// Why the review looks suspicious, in words, with each signal's points.
    let signals: [String]
    let flags: [Flag]
}

/// Flags and moderation: anyone may flag a review with a reason; the shop's own flags are capped per
/// month by the scheme; a flagged review stays visible while staff check it unless the flag says it is
/// unlawful; staff keep it or remove it for a reason from a fixed list; removed reviews are kept, not
/// shown, for the scheme's retention and then deleted.
extension ReviewsService {
    /// A published review of the shop, as its report form shows it; not found for any other.
    func flaggable(_ rawID: String?, slug: String, locale: AppLocale) async throws -> (shop: String, review: ReviewDTO) {
        let rules = try rules()
        guard let id = rawID.flatMap(UUID.init(uuidString:)),
              let review = try await Review.query(on: desk.storage.db).filter(\.$id == id).with(\.$shop).first(),
              review.shop.slug == slug, review.state == Review.State.published.rawValue
        else { throw AppError.notFound }
        let published = review.publishedAt ?? review.createdAt
        return (review.shop.name, ReviewDTO(id: id, origin: review.origin, originText: desk.localizer.text("review_origin_\(review.origin)", locale),
                                            kind: review.kind, author: review.authorName, overall: review.overall, outOf: rules.scaleMaximum, scores: [],
                                            text: review.text, publishedAt: published, dateText: DateText.day(published, locale: locale, timeZone: desk.timeZone),
                                            reply: review.reply, replyAt: review.replyAt))
    }

    func flag(_ rawID: String?, _ request: FlagRequest, by identity: Identity?, locale: AppLocale) async throws -> ReviewReceipt {
        let rules = try rules()
        guard let reason = FlagReason(rawValue: request.reason) else {
            throw AppError.invalid("reason", "validation_choice")
        }
        let note = request.note?.trimmingWhitespace() ?? ""
        guard note.count <= 2_000 else { throw AppError.invalid("note", "validation_too_long", ["max": "2000"]) }
        guard let id = rawID.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            guard let review = try await Review.query(on: db).filter(\.$id == id).with(\.$shop).first(),
                  review.state == Review.State.published.rawValue || review.state == Review.State.held.rawValue
            else { throw AppError.notFound }
            let byShop = identity?.role == .member && identity?.organisationID == review.shop.$organisation.id
            if byShop {
                // The shop's flags this calendar month, so flagging cannot bury bad reviews.
                let today = Day(now, in: desk.timeZone)
                let (year, month, _) = today.components
                let monthStart = Day(year: year, month: month, day: 1) ?? today
                let used = try await ReviewFlag.query(on: db).filter(\.$shopID == review.$shop.id).filter(\.$by == "shop")
                    .filter(\.$createdAt >= monthStart.adding(days: -1).end(in: desk.timeZone)).count()
                if used >= rules.flagCapPerMonth {
                    var error = AppError(.tooManyRequests, code: "flag_cap_reached", messageKey: "flag_cap_reached",
                                         arguments: ["max": "\(rules.flagCapPerMonth)", "date": desk.dayText(today.firstOfNextMonth, locale)])
                    error.details = ["max": "\(rules.flagCapPerMonth)", "again": today.firstOfNextMonth.description]
                    throw error
                }
            }
            let flag = ReviewFlag()
            flag.$review.id = id
            flag.shopID = review.$shop.id
            flag.by = byShop ? "shop" : "public"
            flag.byUser = identity?.userID
            flag.reason = reason.rawValue
            flag.note = note.isEmpty ? nil : note
            flag.createdAt = now
            try await flag.create(on: db)
            if reason == .unlawful, review.state == Review.State.published.rawValue {
                review.state = Review.State.held.rawValue
                try await review.save(on: db)
            }
            try await Record.append(on: db, at: now, actor: identity.map(Record.Actor.init) ?? Record.Actor(userID: nil, role: "public"),
                                    action: "review.flagged", subjectType: "review", subjectID: id.uuidString,
                                    after: ["reason": reason.rawValue, "by": flag.by, "held": review.state == Review.State.held.rawValue ? "yes" : "no"])
            try await WebhookEvents.emit(.reviewFlagged, organisation: review.shop.$organisation.id,
                                         data: ReviewFlagEventData(reviewId: id, shopId: review.$shop.id, shop: review.shop.slug, reason: reason.rawValue, by: flag.by,
                                                                   state: review.state), now: now, on: db)
            return ReviewReceipt(id: id, state: review.state)
        }
    }

    /// Reviews with open flags, and held ones, oldest flag first.
    func moderationQueue(locale: AppLocale) async throws -> [ModerationItemDTO] {
        let db = desk.storage.db
        let open = try await ReviewFlag.query(on: db).filter(\.$outcome == nil).sort(\.$createdAt).all()
        let held = try await Review.query(on: db).filter(\.$state == Review.State.held.rawValue).all().compactMap(\.id)
        var ids: [UUID] = []
        for id in open.map({ $0.$review.id }) + held where !ids.contains(id) { ids.append(id) }
        guard !ids.isEmpty else { return [] }
        let reviews = Dictionary(try await Review.query(on: db).filter(\.$id ~~ ids).with(\.$shop).all().compactMap { row in row.id.map { ($0, row) } },
                                 uniquingKeysWith: { first, _ in first })
        return ids.compactMap { id in
            guard let review = reviews[id] else { return nil }
            let flags = open.filter { $0.$review.id == id }.map {
                ModerationItemDTO.Flag(by: $0.by, byText: desk.localizer.text("flag_by_\($0.by)", locale), reason: $0.reason, reasonText: desk.localizer.text("flag_reason_\($0.reason)", locale), note: $0.note, at: $0.createdAt)
            }
            return ModerationItemDTO(id: id, shop: review.shop.name, slug: review.shop.slug ?? "", state: review.state,
                                     stateText: desk.localizer.text("review_state_\(review.state)", locale), author: review.authorName,
                                     overall: review.overall, text: review.text, fraudScore: review.fraudScore,
                                     signals: signalTexts(review, locale: locale), flags: flags)
        }
    }

    /// Staff keep a review (its flags are rejected) or remove it for a reason from the fixed list.
    func moderate(_ rawID: String?, _ request: ModerationRequest, staff: Identity) async throws -> ReviewReceipt {
        let rules = try rules()
        guard let id = rawID.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        let remove: Bool
        switch request.decision {
        case "keep": remove = false
        case "remove": remove = true
        default: throw AppError.invalid("decision", "validation_choice")
        }
        let reason = request.reason.flatMap(RemovalReason.init)
        if remove, reason == nil {
            throw AppError.invalid("reason", "removal_reason_required", ["reasons": RemovalReason.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            guard let review = try await Review.find(id, on: db), review.state != Review.State.removed.rawValue,
                  review.state != Review.State.unconfirmed.rawValue else { throw AppError.notFound }
            for flag in try await ReviewFlag.query(on: db).filter(\.$review.$id == id).filter(\.$outcome == nil).all() {
                flag.outcome = (remove ? ReviewFlag.Outcome.upheld : .rejected).rawValue
                flag.decidedAt = now
                flag.decidedBy = staff.userID
                try await flag.save(on: db)
            }
            if remove, let reason {
                try await takeOffline(review, reason: reason, rules: rules, at: now, on: db)
            } else if review.publishedAt == nil {
                // Held before it ever counted (fraud signals): kept means it goes online now.
                try await publish(review, rules: rules, on: db)
            } else {
                review.state = Review.State.published.rawValue
                try await review.save(on: db)
            }
            var detail = ["decision": request.decision]
            if let reason { detail["reason"] = reason.rawValue }
            if let note = request.note?.trimmingWhitespace(), !note.isEmpty { detail["note"] = note }
            try await Record.append(on: db, at: now, actor: Record.Actor(staff), action: "review.moderated", subjectType: "review", subjectID: id.uuidString,
                                    after: detail)
            return ReviewReceipt(id: id, state: review.state)
        }
    }

    /// A removed review leaves the shop's figures and is kept, unseen, for the retention, with its reason.
    func takeOffline(_ review: Review, reason: RemovalReason, rules: ReviewRules, at now: Date, on db: any Database) async throws {
        let counted = review.publishedAt != nil && review.state != Review.State.removed.rawValue
        review.state = Review.State.removed.rawValue
        review.removedReason = reason.rawValue
        review.removedAt = now
        try await review.save(on: db)
        if counted { try await unpublish(review, rules: rules, on: db) }
    }

    /// Takes a removed review out of its day's sums and recounts the shop.
    private func unpublish(_ review: Review, rules: ReviewRules, on db: any Database) async throws {
        guard let published = review.publishedAt else { return }
        let day = Day(published, in: desk.timeZone).description
        if let row = try await ReviewDay.query(on: db).filter(\.$shopID == review.$shop.id).filter(\.$day == day).first() {
            var sums = Self.table(row.criteriaSums)
            for (criterion, score) in review.scoreTable { sums[criterion, default: 0] -= score * 100 }
            var distribution = Self.list(row.distribution)
            let slot = review.overall - rules.scaleMinimum
            if distribution.indices.contains(slot) { distribution[slot] = max(0, distribution[slot] - 1) }
            row.count = max(0, row.count - 1)
            row.overallSum -= review.overall * 100
            row.criteriaSums = Self.encode(sums)
            row.distribution = Self.encode(distribution)
            try await row.save(on: db)
        }
        try await refreshRatings(shop: review.$shop.id, rules: rules, on: db)
    }

    /// Removed reviews are kept, unseen, for the scheme's `removed_retention` (ISO 20488), then deleted.
    func purgeRemoved() async throws {
        guard let rules = desk.scheme.reviews else { return }
        let cutoff = desk.windowStart(rules.removedRetention, now: desk.clock.now())
        try await Review.query(on: desk.storage.db).filter(\.$state == Review.State.removed.rawValue).filter(\.$removedAt < cutoff).delete()
    }

    /// How many of the shop's own flags staff decided, and how many they upheld (public on its page).
    func shopFlagShare(_ shop: UUID) async throws -> (decided: Int, upheld: Int) {
        struct Row: Decodable {
            let decided: Int
            let upheld: Int?
        }
        guard let sql = desk.storage.db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let row = try await sql.raw("""
            SELECT COUNT(*) AS decided, SUM(CASE WHEN outcome = \(bind: ReviewFlag.Outcome.upheld.rawValue) THEN 1 ELSE 0 END) AS upheld
            FROM review_flags WHERE shop_id = \(bind: shop) AND "by" = 'shop' AND outcome IS NOT NULL
            """).first(decoding: Row.self)
        return (row?.decided ?? 0, row?.upheld ?? 0)
    }
}
