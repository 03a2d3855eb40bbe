import FluentKit
import Foundation

/// Where a shop's seal was seen: one row per shop and site, counted. A row for a site the shop does
/// not hold (`ownDomain == false`) is a misuse case, open until staff dismiss or pursue it.
final class SealSighting: Model, @unchecked Sendable {
    static let schema = "seal_sightings"

    enum State: String, Sendable { case open, dismissed, pursued }

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "host") var host: String
    @Field(key: "own_domain") var ownDomain: Bool
    @Field(key: "first_page") var firstPage: String
    @Field(key: "last_page") var lastPage: String
    @Field(key: "first_seen") var firstSeen: Date
    @Field(key: "last_seen") var lastSeen: Date
    @Field(key: "count") var count: Int
    @Field(key: "state") var stateRaw: String
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decision_note") var decisionNote: String?
    /// What the website checker found on the foreign page: `seen`, `not_seen` or `could_not_check`.
    @OptionalField(key: "scan_outcome") var scanOutcome: String?
    /// The image or words it found, or why it could not read the page.
    @OptionalField(key: "scan_evidence") var scanEvidence: String?
    @OptionalField(key: "scanned_at") var scannedAt: Date?

    var state: State { State(rawValue: stateRaw) ?? .open }

    init() {}
}

/// The figures about a shop that the public sees, maintained by the features that change them
/// (complaints, reviews) so that a page never counts rows per request.
final class ShopStats: Model, @unchecked Sendable {
    static let schema = "shop_stats"

    @ID(custom: "shop_id", generatedBy: .user) var id: UUID?
    @Field(key: "complaints_12m") var complaints12m: Int
    @Field(key: "resolved_12m") var resolved12m: Int
    @Field(key: "unresolved_12m") var unresolved12m: Int
    @Field(key: "no_answer_12m") var noAnswer12m: Int
    @OptionalField(key: "median_first_answer_hours") var medianFirstAnswerHours: Int?
    @Field(key: "ratings_12m") var ratings12m: Int
    /// Sum of the overall scores in hundredths (4.5 = 450), so the average needs no floating point.
    @Field(key: "rating_sum_12m") var ratingSum12m: Int
    @OptionalField(key: "tier") var tier: String?
    /// Per criterion, the window's sum in hundredths, as JSON.
    @OptionalField(key: "rating_criteria") var ratingCriteria: String?
    /// The window's overall scores per point of the scale, lowest first, as JSON.
    @OptionalField(key: "rating_distribution") var ratingDistribution: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// A shop's row before any complaint or rating counted.
    static func blank(_ shop: UUID) -> ShopStats {
        let stats = ShopStats()
        stats.id = shop
        stats.complaints12m = 0
        stats.resolved12m = 0
        stats.unresolved12m = 0
        stats.noAnswer12m = 0
        stats.ratings12m = 0
        stats.ratingSum12m = 0
        return stats
    }
}
