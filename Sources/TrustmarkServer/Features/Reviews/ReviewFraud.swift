import FluentKit
import Foundation
import TrustmarkCore

/// Fraud checks on every review before it goes online: the signals are gathered from the database,
/// scored by `FraudScoring`, kept with the review, and a review at or above the scheme's
/// `fraud_hold_score` waits for moderation instead of being published.
extension ReviewsService {
    /// The shop sends invitations as a rule when it sent at least this many in the last 30 days.
    static let invitesAsARule = 10

    func assess(_ review: Review, on db: any Database) async throws -> (score: Int, signals: [FraudScoring.Signal]) {
        let shopID = review.$shop.id
        let now = desk.clock.now()
        let month = now.addingTimeInterval(-30 * 86_400)
        var facts = ReviewFraudFacts()
        if let address = review.clientAddress, !address.isEmpty {
            facts.sameAddress = try await Review.query(on: db).filter(\.$shop.$id == shopID).filter(\.$clientAddress == address)
                .filter(\.$createdAt >= month).filter(\.$id != review.requireID()).count()
        }
        let emailDomain = String(review.authorEmail.split(separator: "@").last ?? "")
        let domains = try await ShopDomain.query(on: db).filter(\.$shop.$id == shopID).all().map(\.domain)
        facts.emailOnShopDomain = ShopSealFacts.host(emailDomain, isIn: domains)
        if let shop = try await Shop.find(shopID, on: db) {
            let organisation = shop.$organisation.id
            let staff = try await User.query(on: db).filter(\.$organisation.$id == organisation).all().map(\.email)
            let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first()
            let known = Set((staff + [registration?.contactEmail, registration?.email].compactMap { $0 }).map(EmailAddress.normalise))
            facts.emailOfShopStaff = known.contains(review.authorEmail)
        }
        facts.lastDay = try await Review.query(on: db).filter(\.$shop.$id == shopID).filter(\.$createdAt >= now.addingTimeInterval(-86_400))
            .filter(\.$state ~~ [Review.State.published.rawValue, Review.State.held.rawValue]).filter(\.$id != review.requireID()).count() + 1
        if let rules = desk.scheme.reviews, let stats = try await ShopStats.find(shopID, on: db) {
            facts.usualPerDay = Double(stats.ratings12m) / max(1, rules.window.approximateDays)
        }
        if let text = review.text, !text.isEmpty {
            let recent = try await Review.query(on: db).filter(\.$shop.$id == shopID).filter(\.$text != nil).filter(\.$id != review.requireID())
                .sort(\.$createdAt, .descending).limit(50).all()
            facts.likeness = recent.compactMap(\.text).map { FraudScoring.likeness(text, $0) }.max() ?? 0
        }
        if review.origin == ReviewOrigin.confirmedEmail.rawValue {
            let invitations = try await ReviewInvitation.query(on: db).filter(\.$shop.$id == shopID).filter(\.$createdAt >= month).count()
            facts.uninvitedWhileShopInvites = invitations >= Self.invitesAsARule
        }
        facts.incentiveReports = try await ReviewFlag.query(on: db).filter(\.$shopID == shopID).filter(\.$reason == FlagReason.incentive.rawValue)
            .filter(\.$createdAt >= month).count()
        let signals = FraudScoring.signals(facts)
        return (FraudScoring.score(signals), signals)
    }

    /// Scores the review and publishes it, or holds it for moderation when the score reaches the scheme's
    /// threshold (recorded, with the signals).
    func publishUnlessSuspicious(_ review: Review, rules: ReviewRules, on db: any Database) async throws {
        let (score, signals) = try await assess(review, on: db)
        review.fraudScore = score
        review.fraudSignals = Self.encode(signals.map { ["id": $0.id, "points": "\($0.points)"].merging($0.arguments) { first, _ in first } })
        guard score >= rules.fraudHoldScore else {
            try await publish(review, rules: rules, on: db)
            return
        }
        review.state = Review.State.held.rawValue
        try await review.save(on: db)
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
