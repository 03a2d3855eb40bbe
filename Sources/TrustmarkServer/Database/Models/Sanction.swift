import FluentKit
import Foundation
import TrustmarkCore

/// A sanction staff decided, and where it stands on the scheme's ladder (`SanctionLadder`).
final class Sanction: Model, @unchecked Sendable {
    static let schema = "sanctions"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    /// The shop it concerns; nil when it concerns every shop of the organisation (a bankruptcy).
    @OptionalParent(key: "shop_id") var shop: Shop?
    @OptionalParent(key: "proposal_id") var proposal: SanctionProposal?
    @Field(key: "kind") var kindRaw: String
    @Field(key: "state") var stateRaw: String
    /// The deciding staff member's written reason.
    @Field(key: "reason") var reason: String
    /// The scheme's article it rests on, where the scheme names one.
    @OptionalField(key: "article") var article: String?
    /// What the shop must do (an improvement period), one task per line.
    @Field(key: "tasks") var tasks: String
    @Field(key: "decided_by") var decidedBy: UUID
    @Field(key: "decided_on") var decidedOn: String
    /// The last day to improve or comply, or a suspension's last day.
    @OptionalField(key: "deadline") var deadline: String?
    @OptionalField(key: "confirmed_by") var confirmedBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var kind: SanctionKind? { SanctionKind(rawValue: kindRaw) }
    var state: SanctionState { SanctionState(rawValue: stateRaw) ?? .dismissed }

    /// The facts the ladder's rules need.
    var ladderCase: SanctionCase {
        SanctionCase(kind: kind, state: state, decidedBy: decidedBy, decidedOn: Day(decidedOn), deadline: deadline.flatMap(Day.init))
    }
}
