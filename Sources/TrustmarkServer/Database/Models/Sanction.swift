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
    /// The member's objection, and the day it came in.
    @OptionalField(key: "appeal_text") var appealText: String?
    @OptionalField(key: "appealed_on") var appealedOn: String?
    /// `upheld` or `rejected`, by another staff member than the one who decided, with a reason.
    @OptionalField(key: "appeal_decision") var appealDecision: String?
    @OptionalField(key: "appeal_reason") var appealReason: String?
    @OptionalField(key: "appeal_decided_by") var appealDecidedBy: UUID?
    @OptionalField(key: "appeal_decided_on") var appealDecidedOn: String?
    /// The misuse case (seal sightings on a foreign site) an unauthorised-use summons pursues.
    @OptionalField(key: "misuse_case_id") var misuseCaseID: UUID?
    /// The party an unauthorised use concerns when it is no member: its name, site, address and mail.
    @OptionalField(key: "party_name") var partyName: String?
    @OptionalField(key: "party_domain") var partyDomain: String?
    @OptionalField(key: "party_email") var partyEmail: String?
    @OptionalField(key: "party_address") var partyAddress: String?
    /// The day the ladder found the seal still shown after the summons and flagged the legal step.
    @OptionalField(key: "legal_step_on") var legalStepOn: String?
    /// The sanction whose deadline passed when the ladder took this step by itself.
    @OptionalField(key: "follows_id") var followsID: UUID?

    init() {}

    /// An objection came in and waits for its decision.
    var appealPending: Bool { appealedOn != nil && appealDecision == nil }

    var kind: SanctionKind? { SanctionKind(rawValue: kindRaw) }
    var state: SanctionState { SanctionState(rawValue: stateRaw) ?? .dismissed }

    /// The facts the ladder's rules need.
    var ladderCase: SanctionCase {
        SanctionCase(kind: kind, state: state, decidedBy: decidedBy, decidedOn: Day(decidedOn), deadline: deadline.flatMap(Day.init))
    }
}

/// What the member sent during an improvement period to show it improved.
final class SanctionEvidence: Model, @unchecked Sendable {
    static let schema = "sanction_evidence"

    @ID(key: .id) var id: UUID?
    @Parent(key: "sanction_id") var sanction: Sanction
    @Field(key: "text") var text: String
    @Field(key: "submitted_by") var submittedBy: UUID
    @Field(key: "submitted_at") var submittedAt: Date

    init() {}
}
