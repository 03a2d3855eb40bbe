import FluentKit
import Foundation
import TrustmarkCore

/// `complaint.received`: a confirmed (or staff-registered) complaint, sent on to the shop.
struct ComplaintEventData: Encodable, Sendable {
    let complaintId: UUID
    let reference: String?
    let shopId: UUID?
    let subject: String
    let orderNumber: String?
    let state: String

    init(_ complaint: Complaint) {
        complaintId = complaint.id ?? UUID()
        reference = complaint.reference
        shopId = complaint.$shop.id
        subject = complaint.subjectRaw
        orderNumber = complaint.orderNumber
        state = complaint.stateRaw
    }
}

/// `complaint.message`: a message in a complaint's thread (never a staff-only note).
struct ComplaintMessageEventData: Encodable, Sendable {
    let complaintId: UUID
    let reference: String?
    let messageId: UUID
    let party: String
    let kind: String
    let body: String
    let files: Int

    init(_ complaint: Complaint, message: ComplaintMessage, files: Int) {
        complaintId = complaint.id ?? UUID()
        reference = complaint.reference
        messageId = message.id ?? UUID()
        party = message.party
        kind = message.kind
        body = message.body
        self.files = files
    }
}

/// `review.flagged`: someone reported a review; `state` says whether it stays visible meanwhile.
struct ReviewFlagEventData: Encodable, Sendable {
    let reviewId: UUID
    let shopId: UUID
    let shop: String?
    let reason: String
    let by: String
    let state: String
}

/// `invoice.issued`: an invoice or credit note, with its amounts in cents.
struct InvoiceEventData: Encodable, Sendable {
    let invoiceId: UUID
    let number: String
    let kind: String
    let issuedOn: String
    let dueOn: String
    let netCents: Int
    let vatCents: Int
    let grossCents: Int
    let currency: String

    init(_ invoice: Invoice) {
        invoiceId = invoice.id ?? UUID()
        number = invoice.number
        kind = invoice.kindRaw
        issuedOn = invoice.issuedOn
        dueOn = invoice.dueOn
        netCents = invoice.netCents
        vatCents = invoice.vatCents
        grossCents = invoice.grossCents
        currency = invoice.currency
    }
}

extension WebhookEvents {
    /// One event per review; the reviews' shops are read only when some endpoint wants the event
    /// (publishing a batch must stay cheap when nobody listens).
    static func reviewsPublished(_ reviews: [Review], now: Date, on db: any Database) async throws {
        let endpoints = try await listening(for: .reviewPublished, on: db)
        guard !endpoints.isEmpty else { return }
        let shopIDs = Array(Set(reviews.map { $0.$shop.id }))
        let shops = Dictionary(try await Shop.query(on: db).filter(\.$id ~~ shopIDs).all().compactMap { shop in shop.id.map { ($0, shop) } },
                               uniquingKeysWith: { first, _ in first })
        for review in reviews {
            let shop = shops[review.$shop.id]
            try await emit(.reviewPublished, organisation: shop?.$organisation.id, data: MemberReviewDTO(review, shop: shop?.slug ?? "", openFlags: 0), now: now,
                           endpoints: endpoints, on: db)
        }
    }
}
