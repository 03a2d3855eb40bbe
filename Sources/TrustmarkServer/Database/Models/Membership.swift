import FluentKit
import Foundation
import TrustmarkCore

/// The registration data a member gives when applying, kept up to date by the member.
final class Registration: Model, @unchecked Sendable {
    static let schema = "registrations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "legal_name") var legalName: String
    @Field(key: "kvk") var kvk: String
    @Field(key: "vat_number") var vatNumber: String
    @Field(key: "street") var street: String
    @Field(key: "postcode") var postcode: String
    @Field(key: "city") var city: String
    @Field(key: "country") var country: String
    @Field(key: "phone") var phone: String
    @Field(key: "email") var email: String
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_email") var contactEmail: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// The lines under the name on contracts and invoices.
    var details: [String] {
        ["\(street), \(postcode) \(city), \(country)", "KvK \(kvk)", "VAT \(vatNumber)"]
    }
}

final class MembershipApplication: Model, @unchecked Sendable {
    static let schema = "applications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "kind") var kindRaw: String
    @Field(key: "state") var stateRaw: String
    @Field(key: "code_version") var codeVersion: String
    @Field(key: "round") var round: Int
    @OptionalParent(key: "inspector_id") var inspector: User?
    @Field(key: "submitted_at") var submittedAt: Date
    @Field(key: "state_changed_at") var stateChangedAt: Date
    @OptionalField(key: "fix_reminded_at") var fixRemindedAt: Date?
    @OptionalField(key: "approved_on") var approvedOn: String?
    @OptionalField(key: "decision_note") var decisionNote: String?
    @OptionalField(key: "end_event") var endEvent: String?

    init() {}

    var state: ApplicationState { ApplicationState(rawValue: stateRaw) ?? .submitted }
    var kind: ApplicationKind { ApplicationKind(rawValue: kindRaw) ?? .membership }
}

final class Shop: Model, @unchecked Sendable {
    static let schema = "shops"

    enum State: String, Sendable {
        /// Part of an application that is not decided yet.
        case applying
        /// Approved; shows the seal when the membership's standing allows it.
        case approved
        case rejected, cancelled, ended
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "application_id") var application: MembershipApplication
    @Field(key: "name") var name: String
    /// Stable, for `/seal/{slug}.svg` and `/shops/{slug}`.
    @OptionalField(key: "slug") var slug: String?
    @Field(key: "variant") var variant: String
    @Field(key: "state") var stateRaw: String
    @OptionalField(key: "approved_on") var approvedOn: String?
    /// The extra-shop invoice that must be paid before this shop shows the seal (schemes that charge it).
    @OptionalField(key: "extra_invoice_id") var extraInvoiceID: UUID?
    @OptionalField(key: "ended_on") var endedOn: String?
    @OptionalField(key: "end_reason") var endReason: String?
    /// The first day the shop's listing and seal show as suspended (a step of the fraud ladder).
    @OptionalField(key: "suspended_from") var suspendedFrom: String?
    /// The first day it is back; nil with `suspendedFrom` set: until staff put it back.
    @OptionalField(key: "suspended_until") var suspendedUntil: String?
    /// What suspended it (`review_fraud`).
    @OptionalField(key: "suspension_source") var suspensionSource: String?
    @Field(key: "created_at") var createdAt: Date
    @Children(for: \.$shop) var domains: [ShopDomain]

    init() {}

    var state: State { State(rawValue: stateRaw) ?? .applying }

    /// The suspension in force on `day`, as the seal shows it.
    func suspension(on day: Day) -> SealOverride? {
        guard let from = suspendedFrom.flatMap(Day.init), from <= day else { return nil }
        guard let until = suspendedUntil.flatMap(Day.init) else { return .suspended(until: nil) }
        return day < until ? .suspended(until: until.adding(days: -1)) : nil
    }
}

final class ShopDomain: Model, @unchecked Sendable {
    static let schema = "shop_domains"

    @ID(key: .id) var id: UUID?
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "domain") var domain: String
    @OptionalField(key: "released_at") var releasedAt: Date?

    init() {}

    init(shopID: UUID, domain: String) {
        self.$shop.id = shopID
        self.domain = domain
    }
}

final class AuditFinding: Model, @unchecked Sendable {
    static let schema = "audit_findings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: MembershipApplication
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "round") var round: Int
    @Field(key: "criterion_id") var criterionID: String
    @Field(key: "result") var resultRaw: String
    @Field(key: "note") var note: String
    @Field(key: "evidence_url") var evidenceURL: String
    @Field(key: "inspector_id") var inspectorID: UUID
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}

    var result: FindingResult { FindingResult(rawValue: resultRaw) ?? .fail }
}

final class AuditReport: Model, @unchecked Sendable {
    static let schema = "audit_reports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: MembershipApplication
    @Field(key: "round") var round: Int
    @Field(key: "inspector_id") var inspectorID: UUID
    @Field(key: "summary") var summary: String
    @Field(key: "failed") var failed: Int
    @Field(key: "completed_at") var completedAt: Date

    init() {}
}

/// An inspector's statement, per application, that they have no tie with the organisation, or
/// that they do (then they are never assigned to that organisation again).
final class InspectorDeclaration: Model, @unchecked Sendable {
    static let schema = "inspector_declarations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: MembershipApplication
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "inspector_id") var inspector: User
    @Field(key: "conflict") var conflict: Bool
    @Field(key: "note") var note: String
    @Field(key: "declared_at") var declaredAt: Date

    init() {}
}

final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "application_id") var application: MembershipApplication
    @Field(key: "approved_on") var approvedOn: String
    @OptionalField(key: "term_start") var termStart: String?
    @OptionalField(key: "paid_through") var paidThrough: String?
    @OptionalField(key: "first_paid_on") var firstPaidOn: String?
    @OptionalField(key: "contract_pdf") var contractPDF: Data?
    @OptionalField(key: "contract_sha256") var contractSHA256: String?
    @OptionalField(key: "contract_code_version") var contractCodeVersion: String?
    @OptionalField(key: "member_signed_name") var memberSignedName: String?
    @OptionalField(key: "member_signed_at") var memberSignedAt: Date?
    @OptionalField(key: "member_signed_ip") var memberSignedIP: String?
    @OptionalField(key: "staff_signed_by") var staffSignedBy: UUID?
    @OptionalField(key: "staff_signed_at") var staffSignedAt: Date?
    @OptionalField(key: "contract_completed_on") var contractCompletedOn: String?
    /// A termination that takes effect at the end of the term (schemes that only allow that).
    @OptionalField(key: "ends_on") var endsOn: String?
    @OptionalField(key: "ended_on") var endedOn: String?
    @OptionalField(key: "end_reason") var endReason: String?
    /// The standing the member was last told about, so each change is announced once.
    @Field(key: "notified_standing") var notifiedStanding: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var facts: SealFacts {
        SealFacts(approvedOn: Day(approvedOn), contractCompletedOn: contractCompletedOn.flatMap(Day.init), firstPaymentOn: firstPaidOn.flatMap(Day.init),
                  paidThrough: paidThrough.flatMap(Day.init), endedOn: endedOn.flatMap(Day.init))
    }
}

final class Invoice: Model, @unchecked Sendable {
    static let schema = "invoices"

    enum Kind: String, Sendable, CaseIterable {
        case membership, renewal
        case extraShop = "extra_shop"
        case oneTime = "one_time"
        case creditNote = "credit_note"
    }

    enum Status: String, Sendable, CaseIterable {
        case open, paid
        /// Closed by a credit note for what was left to pay.
        case credited
        /// A credit note is issued closed.
        case issued
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "year") var year: Int
    @Field(key: "sequence") var sequence: Int
    @Parent(key: "organisation_id") var organisation: Organisation
    @OptionalField(key: "membership_id") var membershipID: UUID?
    @OptionalField(key: "application_id") var applicationID: UUID?
    @Field(key: "kind") var kindRaw: String
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "period_start") var periodStart: String?
    @OptionalField(key: "period_end") var periodEnd: String?
    @Field(key: "net_cents") var netCents: Int
    @Field(key: "vat_cents") var vatCents: Int
    @Field(key: "gross_cents") var grossCents: Int
    @Field(key: "currency") var currency: String
    @Field(key: "vat_basis_points") var vatBasisPoints: Int
    @Field(key: "status") var statusRaw: String
    @OptionalField(key: "settled_on") var settledOn: String?
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    @OptionalField(key: "credits_invoice_id") var creditsInvoiceID: UUID?
    /// For one-time fees, the fee's id (`investigation`); for credit notes, the reason.
    @OptionalField(key: "note") var note: String?
    @Field(key: "buyer") var buyer: String
    @Field(key: "buyer_details") var buyerDetails: String
    @Field(key: "locale") var locale: String
    @Field(key: "created_at") var createdAt: Date
    @Children(for: \.$invoice) var lines: [InvoiceLine]
    @Children(for: \.$invoice) var payments: [Payment]

    init() {}

    var kind: Kind { Kind(rawValue: kindRaw) ?? .membership }
    var status: Status { Status(rawValue: statusRaw) ?? .open }
}

final class InvoiceLine: Model, @unchecked Sendable {
    static let schema = "invoice_lines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "invoice_id") var invoice: Invoice
    @Field(key: "position") var position: Int
    @Field(key: "description") var description: String
    @Field(key: "quantity") var quantity: Int
    @Field(key: "unit_cents") var unitCents: Int

    init() {}
}

final class Payment: Model, @unchecked Sendable {
    static let schema = "payments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "invoice_id") var invoice: Invoice
    @Field(key: "amount_cents") var amountCents: Int
    @Field(key: "paid_on") var paidOn: String
    @Field(key: "reference") var reference: String
    /// `manual` (finance staff) or `webhook` (the payment provider).
    @Field(key: "source") var source: String
    @OptionalField(key: "recorded_by") var recordedBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A shop on one of the scheme's public lists ('not a member', 'no longer a member').
final class PublicListing: Model, @unchecked Sendable {
    static let schema = "public_listings"

    @ID(key: .id) var id: UUID?
    @Field(key: "list_id") var listID: String
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "shop_name") var shopName: String
    @Field(key: "domains") var domains: String
    @Field(key: "event") var event: String
    @Field(key: "listed_on") var listedOn: String
    @OptionalField(key: "delisted_on") var delistedOn: String?
    /// The last day of a suspension that put the shop on the list.
    @OptionalField(key: "until") var until: String?
    /// The invoice whose payment takes the listing down (the scheme's `delisting`).
    @OptionalField(key: "delist_invoice_id") var delistInvoiceID: UUID?

    init() {}
}

/// One line of an organisation's membership history, as staff and the member read it.
final class MembershipEvent: Model, @unchecked Sendable {
    static let schema = "membership_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @OptionalField(key: "application_id") var applicationID: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "event") var event: String
    @Field(key: "detail") var detail: String
    /// The value of `seal.version` this event's transaction set (see `SealVersion`).
    @OptionalField(key: "seal_version") var sealVersion: Int?

    init() {}
}

/// The first answer to a POST that carried an `Idempotency-Key`, replayed for repeats.
final class IdempotencyRecord: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "key") var key: String
    @Field(key: "request_digest") var requestDigest: String
    @Field(key: "status") var status: Int
    @Field(key: "body") var body: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
