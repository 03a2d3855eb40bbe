import FluentKit
import SQLKit
import Foundation
import TrustmarkCore

/// Fraud checks on every review before it goes online: the signals are gathered from the database,
/// scored by `FraudScoring`, kept with the review, and a review at or above the scheme's
/// `fraud_hold_score` waits for moderation instead of being published.
extension ReviewsService {
    /// The shop sends invitations as a rule when it sent at least this many in the last 30 days.
    static let invitesAsARule = 10

    /// Gathered in plain SQL, counts in one statement: this runs for every review that arrives.
    func assess(_ review: Review, on db: any Database) async throws -> (score: Int, signals: [FraudScoring.Signal]) {
        guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let shopID = review.$shop.id
        let id = try review.requireID()
        let now = desk.clock.now()
        let month = now.addingTimeInterval(-30 * 86_400)
        var facts = ReviewFraudFacts()
        let address = review.clientAddress ?? ""
        struct Counts: Decodable {
            let same_address: Int
            let last_day: Int
            let ratings: Int?
            let invitations: Int
            let incentives: Int
        }
        let counts = try await sql.raw("""
            SELECT
              (SELECT COUNT(*) FROM reviews WHERE shop_id = \(bind: shopID) AND client_address = \(bind: address) AND created_at >= \(bind: month)
                 AND id <> \(bind: id)) AS same_address,
              (SELECT COUNT(*) FROM reviews WHERE shop_id = \(bind: shopID) AND created_at >= \(bind: now.addingTimeInterval(-86_400))
                 AND state IN ('published', 'held') AND id <> \(bind: id)) AS last_day,
              (SELECT ratings_12m FROM shop_stats WHERE shop_id = \(bind: shopID)) AS ratings,
              (SELECT COUNT(*) FROM review_invitations WHERE shop_id = \(bind: shopID) AND created_at >= \(bind: month)) AS invitations,
              (SELECT COUNT(*) FROM review_flags WHERE shop_id = \(bind: shopID) AND reason = \(bind: FlagReason.incentive.rawValue)
                 AND created_at >= \(bind: month)) AS incentives
            """).first(decoding: Counts.self)
        if !address.isEmpty { facts.sameAddress = counts?.same_address ?? 0 }
        let emailDomain = String(review.authorEmail.split(separator: "@").last ?? "")
        let shop = try await shopPeople.facts(shopID, now: now) {
            // The shop's domains and its organisation's people (users, the registration's addresses), in one read.
            struct Row: Decodable { let kind: String; let value: String? }
            let rows = try await sql.raw("""
                SELECT 'domain' AS kind, domain AS value FROM shop_domains WHERE shop_id = \(bind: shopID) AND released_at IS NULL
                UNION ALL SELECT 'person', u.email FROM users u JOIN shops s ON s.organisation_id = u.organisation_id WHERE s.id = \(bind: shopID)
                UNION ALL SELECT 'person', r.contact_email FROM registrations r JOIN shops s ON s.organisation_id = r.organisation_id WHERE s.id = \(bind: shopID)
                UNION ALL SELECT 'person', r.email FROM registrations r JOIN shops s ON s.organisation_id = r.organisation_id WHERE s.id = \(bind: shopID)
                """).all(decoding: Row.self)
            let domains = rows.filter { $0.kind == "domain" }.compactMap(\.value)
            return (domains, Set(rows.filter { $0.kind == "person" }.compactMap(\.value).map(EmailAddress.normalise)))
        }
        facts.emailOnShopDomain = ShopSealFacts.host(emailDomain, isIn: shop.domains)
        facts.emailOfShopStaff = shop.people.contains(review.authorEmail)
        facts.lastDay = (counts?.last_day ?? 0) + 1
        if let rules = desk.scheme.reviews, let ratings = counts?.ratings {
            facts.usualPerDay = Double(ratings) / max(1, rules.window.approximateDays)
        }
        if let text = review.text, !text.isEmpty {
            // Only the texts of the shop's latest reviews are read.
            struct Recent: Decodable { let text: String }
            let recent = try await sql.raw("SELECT text FROM reviews WHERE shop_id = \(bind: shopID) AND text IS NOT NULL AND id <> \(bind: id) ORDER BY created_at DESC LIMIT 50")
                .all(decoding: Recent.self)
            facts.likeness = FraudScoring.highestLikeness(text, among: recent.map(\.text))
        }
        if review.origin == ReviewOrigin.confirmedEmail.rawValue {
            facts.uninvitedWhileShopInvites = (counts?.invitations ?? 0) >= Self.invitesAsARule
        }
        facts.incentiveReports = counts?.incentives ?? 0
        let signals = FraudScoring.signals(facts)
        return (FraudScoring.score(signals), signals)
    }

    /// Scores the review and publishes it, or holds it for moderation when the score reaches the scheme's
    /// threshold (recorded, with the signals).
    func publishUnlessSuspicious(_ review: Review, rules: ReviewRules, on db: any Database) async throws {
        try await settle(review, assessed: try await assess(review, on: db), rules: rules, on: db)
    }

    /// Publishes or holds a review whose signals were gathered already.
    func settle(_ review: Review, assessed: (score: Int, signals: [FraudScoring.Signal]), rules: ReviewRules, on db: any Database) async throws {
        let (score, signals) = assessed
        review.fraudScore = score
        review.fraudSignals = Self.encode(signals.map { ["id": $0.id, "points": "\($0.points)"].merging($0.arguments) { first, _ in first } })
        guard score >= rules.fraudHoldScore else {
            try await publish(review, rules: rules, on: db)
            return
        }
        review.state = Review.State.held.rawValue
        try await store(review, on: db)
        try await Record.append(on: db, at: desk.clock.now(), actor: .system, action: "review.held", subjectType: "review",
                                subjectID: try review.requireID().uuidString,
                                after: ["score": "\(score)", "signals": signals.map(\.id).joined(separator: ",")])
    }

    /// The signals of a held or scored review, in words.
    func signalTexts(_ review: Review, locale: AppLocale) -> [String] {
        (Self.decode([[String: String]].self, review.fraudSignals) ?? []).map { signal in
            desk.localizer.text("fraud_\(signal["id"] ?? "")", locale, signal) + " (+\(signal["points"] ?? "0"))"
        }
    }
}

/// A shop's domains and its own people's addresses, as the fraud signals compare them, kept a minute
/// per shop: a burst of reviews for one shop reads them once.
final class ShopPeopleCache: @unchecked Sendable {
    typealias Facts = (domains: [String], people: Set<String>)
    static let keptFor: TimeInterval = 60
    private let lock = NSLock()
    private var kept: [UUID: (until: Date, facts: Facts)] = [:]

    func facts(_ shop: UUID, now: Date, read: () async throws -> Facts) async throws -> Facts {
        if let held = lock.withLock({ kept[shop] }), held.until > now { return held.facts }
        let fresh = try await read()
        lock.withLock {
            if kept.count > 50_000 { kept.removeAll() }
            kept[shop] = (now.addingTimeInterval(Self.keptFor), fresh)
        }
        return fresh
    }
}
