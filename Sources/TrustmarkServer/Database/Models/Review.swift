import FluentKit
import Foundation
import TrustmarkCore

/// A shop's invitation to one buyer to rate it: mailed after the delay with a single-use link.
final class ReviewInvitation: Model, @unchecked Sendable {
    static let schema = "review_invitations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "order_reference") var orderReference: String
    @OptionalField(key: "order_date") var orderDate: String?
    @Field(key: "locale") var locale: String
    @Field(key: "send_at") var sendAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// Set when the mail goes out; the link carries the token, the database only its digest.
    @OptionalField(key: "token_hash") var tokenHash: String?
    @OptionalField(key: "used_at") var usedAt: Date?
    /// `api` or `csv`.
    @Field(key: "source") var source: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A buyer's review of a shop. Published reviews count in the shop's figures; removed ones are kept,
/// not shown, for the scheme's retention period.
final class Review: Model, @unchecked Sendable {
    static let schema = "reviews"

    enum State: String, Sendable { case unconfirmed, published, held, removed }

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @OptionalField(key: "invitation_id") var invitationID: UUID?
    @Field(key: "origin") var origin: String
    @Field(key: "kind") var kind: String
    @Field(key: "author_name") var authorName: String
    @Field(key: "author_email") var authorEmail: String
    @Field(key: "locale") var locale: String
    @Field(key: "overall") var overall: Int
    /// The scores per criterion as JSON (`{"service":5,"reachability":4}`).
    @Field(key: "scores") var scores: String
    @OptionalField(key: "text") var text: String?
    @Field(key: "state") var state: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "confirm_token_hash") var confirmTokenHash: String?
    @OptionalField(key: "confirm_expires_at") var confirmExpiresAt: Date?
    @OptionalField(key: "reply") var reply: String?
    @OptionalField(key: "reply_at") var replyAt: Date?
    @OptionalField(key: "client_address") var clientAddress: String?
    @OptionalField(key: "removed_reason") var removedReason: String?
    @OptionalField(key: "removed_at") var removedAt: Date?
    @OptionalField(key: "fraud_score") var fraudScore: Int?
    /// The signals behind the score, as JSON (id, points, arguments).
    @OptionalField(key: "fraud_signals") var fraudSignals: String?

    init() {}

    var scoreTable: [String: Int] {
        ReviewsService.table(scores)
    }
}

/// A shop's published ratings of one day, kept so that the window's figures are summed from at most a
/// year of rows instead of every review.
final class ReviewDay: Model, @unchecked Sendable {
    static let schema = "review_days"

    @ID(key: .id) var id: UUID?
    @Field(key: "shop_id") var shopID: UUID
    @Field(key: "day") var day: String
    @Field(key: "count") var count: Int
    /// Overall scores summed, in hundredths.
    @Field(key: "overall_sum") var overallSum: Int
    /// Per criterion, in hundredths, as JSON.
    @Field(key: "criteria_sums") var criteriaSums: String
    /// Overall scores per point of the scale, lowest first, as JSON.
    @Field(key: "distribution") var distribution: String

    init() {}
}

/// Someone's report that a review should not be there. The review stays visible while it is checked,
/// unless the report says it is unlawful.
final class ReviewFlag: Model, @unchecked Sendable {
    static let schema = "review_flags"

    enum Outcome: String, Sendable { case upheld, rejected }

    @ID(key: .id) var id: UUID?
    @Parent(key: "review_id") var review: Review
    @Field(key: "shop_id") var shopID: UUID
    /// `shop` when the shop's own user flagged (counted against the scheme's monthly cap), else `public`.
    @Field(key: "by") var by: String
    @OptionalField(key: "by_user") var byUser: UUID?
    @Field(key: "reason") var reason: String
    @OptionalField(key: "note") var note: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?

    init() {}
}

/// Confirmed review fraud by a shop, and the ladder step it took. The offences of a shop, counted,
/// decide the next step; the row keeps what was decided, by whom, and why when staff left the ladder.
final class ReviewOffence: Model, @unchecked Sendable {
    static let schema = "review_offences"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "organisation_id") var organisationID: UUID
    /// The shop's how-manieth offence (1 = first).
    @Field(key: "number") var number: Int
    /// The ladder step taken (1-based), nil when the scheme has no ladder.
    @OptionalField(key: "step") var step: Int?
    @OptionalField(key: "proposed_step") var proposedStep: Int?
    /// `warning`, `offline`, `meeting`, or `recorded` without a ladder.
    @Field(key: "action") var action: String
    @OptionalField(key: "deviation_reason") var deviationReason: String?
    /// What staff found, in their words; it goes into the letter.
    @Field(key: "explanation") var explanation: String
    /// The offending reviews' ids as JSON.
    @Field(key: "reviews") var reviews: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "offline") var offline: Bool
    /// The first day back online by itself; nil for an offline step that waits for staff.
    @OptionalField(key: "back_online_on") var backOnlineOn: String?
    @OptionalField(key: "duration_ends_on") var durationEndsOn: String?
    /// The first day without the consumer warning; nil while the shop is offline until staff return it.
    @OptionalField(key: "notice_until") var noticeUntil: String?
    @OptionalField(key: "returned_at") var returnedAt: Date?
    @OptionalField(key: "returned_by") var returnedBy: UUID?
    @OptionalField(key: "return_reason") var returnReason: String?
    @OptionalField(key: "letter_id") var letterID: UUID?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Whether consumers are warned about this offence on `day`.
    func warns(on day: Day) -> Bool {
        guard let start = Day(startsOn), start <= day else { return false }
        if offline, returnedAt == nil, backOnlineOn == nil { return true }
        return noticeUntil.flatMap(Day.init).map { day < $0 } ?? false
    }
}
