import FluentKit
import Foundation
import TrustmarkCore

/// A consumer's complaint about a member shop or about the trustmark itself. Until the consumer
/// confirms the e-mail link it is an intake (`state == "unconfirmed"`) that nobody else sees and
/// that is deleted when the link expires.
final class Complaint: Model, @unchecked Sendable {
    static let schema = "complaints"
    static let unconfirmed = "unconfirmed"

    @ID(key: .id) var id: UUID?
    /// Given at confirmation: `C-2026-00042`.
    @OptionalField(key: "reference") var reference: String?
    @Field(key: "subject") var subjectRaw: String
    @OptionalParent(key: "shop_id") var shop: Shop?
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "state") var stateRaw: String
    @OptionalField(key: "outcome") var outcomeRaw: String?
    @Field(key: "consumer_name") var consumerName: String
    @Field(key: "consumer_email") var consumerEmail: String
    @Field(key: "consumer_locale") var consumerLocale: String
    @Field(key: "consumer_country") var consumerCountry: String
    @OptionalField(key: "sector") var sector: String?
    @OptionalField(key: "order_number") var orderNumber: String?
    @OptionalField(key: "order_date") var orderDate: String?
    @OptionalField(key: "contacted_shop_on") var contactedShopOn: String?
    @OptionalField(key: "contact_channel") var contactChannel: String?
    @Field(key: "shop_answered_before") var shopAnsweredBefore: Bool
    @Field(key: "description") var text: String
    @OptionalField(key: "wish") var wish: String?
    /// The code of conduct in force when the complaint was filed (the dossier names it).
    @Field(key: "code_version") var codeVersion: String
    /// `form`, `api` or `mail` (registered by a mediator from a forwarded message).
    @Field(key: "source") var source: String
    @OptionalField(key: "confirm_token_hash") var confirmTokenHash: String?
    @OptionalField(key: "confirm_expires_at") var confirmExpiresAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "confirmed_at") var confirmedAt: Date?
    @OptionalField(key: "forwarded_at") var forwardedAt: Date?
    @OptionalField(key: "first_answer_at") var firstAnswerAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "updated_at") var updatedAt: Date
    /// The shop let its answer deadline pass; stays true after a late answer.
    @Field(key: "no_answer") var noAnswer: Bool
    @OptionalField(key: "assigned_to") var assignedTo: UUID?
    /// The mediator asked the consumer something; the trustmark's deadline is paused.
    @Field(key: "waiting_for_consumer") var waitingForConsumer: Bool
    @OptionalField(key: "referred_at") var referredAt: Date?
    @OptionalField(key: "dispute_fee_cents") var disputeFeeCents: Int?
    @OptionalField(key: "dispute_reference") var disputeReference: String?
    @OptionalField(key: "ruled_at") var ruledAt: Date?
    @OptionalField(key: "ruling_outcome") var rulingOutcome: String?
    @OptionalField(key: "ruling_summary") var rulingSummary: String?
    @OptionalField(key: "complied") var complied: Bool?

    init() {}

    var state: ComplaintState? { ComplaintState(rawValue: stateRaw) }
    var subject: ComplaintSubject { ComplaintSubject(rawValue: subjectRaw) ?? .shop }
    var outcome: ComplaintOutcome? { outcomeRaw.flatMap(ComplaintOutcome.init) }
}

/// One message in a complaint's thread. Internal notes are for staff only.
final class ComplaintMessage: Model, @unchecked Sendable {
    static let schema = "complaint_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "complaint_id") var complaint: Complaint
    @Field(key: "at") var at: Date
    @Field(key: "party") var party: String
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "author_name") var authorName: String
    /// `message`, `answer` (the shop's answer), `proposal` (a proposed solution), `note` (internal).
    @Field(key: "kind") var kind: String
    @Field(key: "internal") var isInternal: Bool
    @Field(key: "body") var body: String

    init() {}
}

/// A file attached to a complaint, kept under the data directory (outside the web root) and served
/// only to the complaint's parties.
final class ComplaintAttachment: Model, @unchecked Sendable {
    static let schema = "complaint_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "complaint_id") var complaint: Complaint
    @OptionalField(key: "message_id") var messageID: UUID?
    @Field(key: "filename") var filename: String
    @Field(key: "media_type") var mediaType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "party") var party: String
    @Field(key: "internal") var isInternal: Bool
    @Field(key: "at") var at: Date

    init() {}
}

/// A complaint's step from one state to another, with who took it and why: its timeline.
final class ComplaintStep: Model, @unchecked Sendable {
    static let schema = "complaint_steps"

    @ID(key: .id) var id: UUID?
    @Parent(key: "complaint_id") var complaint: Complaint
    @Field(key: "at") var at: Date
    @Field(key: "from_state") var from: String
    @Field(key: "to_state") var to: String
    @Field(key: "party") var party: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "reason") var reason: String?

    init() {}
}

/// A mediator's standard answer, in one language.
final class ComplaintTemplate: Model, @unchecked Sendable {
    static let schema = "complaint_templates"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "locale") var locale: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A claim on the scheme's guarantee fund after a shop did not comply with a binding ruling.
final class GuaranteeClaim: Model, @unchecked Sendable {
    static let schema = "guarantee_claims"

    @ID(key: .id) var id: UUID?
    @Parent(key: "complaint_id") var complaint: Complaint
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "opened_at") var openedAt: Date
    /// `open`, `paid`, `rejected`.
    @Field(key: "state") var state: String
    @OptionalField(key: "note") var note: String?

    init() {}
}

/// A proposal to staff to consider a sanction, with the evidence; the sanctions feature decides it.
final class SanctionProposal: Model, @unchecked Sendable {
    static let schema = "sanction_proposals"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @OptionalParent(key: "shop_id") var shop: Shop?
    /// What raised it: `complaints`, later reviews, re-checks, invoices, misuse.
    @Field(key: "source") var source: String
    /// A locale key naming the reason.
    @Field(key: "reason") var reason: String
    /// The evidence, one item per line (complaint references and their outcomes).
    @Field(key: "evidence") var evidence: String
    /// `open` until staff decide.
    @Field(key: "state") var state: String
    @Field(key: "raised_at") var raisedAt: Date

    init() {}
}
