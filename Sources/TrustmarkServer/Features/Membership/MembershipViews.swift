import FluentKit
import Foundation
import TrustmarkCore

struct ShopDTO: Codable, Sendable {
    let id: UUID
    let name: String
    let variant: String
    let state: String
    let domains: [String]
    let mayShowSeal: Bool?
}

struct FindingDTO: Codable, Sendable {
    let shopId: UUID
    let criterion: String
    let round: Int
    let result: String
    let note: String
    let evidenceUrl: String
}

struct ReportDTO: Codable, Sendable {
    let round: Int
    let failed: Int
    let summary: String
    let completedAt: Date
}

struct EventDTO: Codable, Sendable {
    let at: Date
    let event: String
    let actorRole: String
    let detail: String
}

struct ApplicationDTO: Codable, Sendable {
    let id: UUID
    let organisationId: UUID
    let organisation: String
    let kind: String
    let state: String
    let round: Int
    let codeOfConductVersion: String
    let submittedAt: Date
    let stateChangedAt: Date
    let inspectorId: UUID?
    let approvedOn: String?
    let decisionNote: String?
    let membershipId: UUID?
    let shops: [ShopDTO]
    /// Absent for finance staff: audit findings are not theirs to see.
    let findings: [FindingDTO]?
    let reports: [ReportDTO]?
    let history: [EventDTO]?
}

struct SubmittedDTO: Codable, Sendable {
    let application: ApplicationDTO
    let next: [String]
}

struct StandingDTO: Codable, Sendable {
    let code: String
    let missing: [String]
    let from: String?
    let until: String?
    let since: String?
}

struct ContractDTO: Codable, Sendable {
    let sha256: String
    let codeOfConductVersion: String
    let memberSignedName: String?
    let memberSignedAt: Date?
    let countersignedAt: Date?
    let completedOn: String?
}

struct MembershipDTO: Codable, Sendable {
    let id: UUID
    let organisationId: UUID
    let organisation: String
    let standing: StandingDTO
    let approvedOn: String
    let termStart: String?
    let paidThrough: String?
    let contract: ContractDTO?
    let endsOn: String?
    let endedOn: String?
    let endReason: String?
    let shops: [ShopDTO]
}

struct InvoiceLineDTO: Codable, Sendable {
    let description: String
    let quantity: Int
    let unitPrice: Int
}

struct PaymentDTO: Codable, Sendable {
    let amount: Int
    let paidOn: String
    let reference: String
    let source: String
}

struct InvoiceDTO: Codable, Sendable {
    let id: UUID
    let number: String
    let organisationId: UUID
    let buyer: String
    let kind: String
    let status: String
    let issuedOn: String
    let dueOn: String
    let periodStart: String?
    let periodEnd: String?
    let currency: String
    /// Amounts in cents.
    let net: Int
    let vat: Int
    let gross: Int
    let paid: Int
    let credited: Int
    /// Still to pay; negative when more was paid than owed.
    let open: Int
    let creditsInvoice: String?
    let lines: [InvoiceLineDTO]
    let payments: [PaymentDTO]
}

struct ListingDTO: Codable, Sendable {
    let list: String
    let shop: String
    let domains: [String]
    let reason: String
    let listedOn: String
    /// A suspension's last day.
    var until: String? = nil
}

/// Turns stored rows into what the API returns and the pages show.
struct MembershipViews: Sendable {
    let desk: MembershipDesk
    let applications: ApplicationsService
    let memberships: MembershipsService

    func shops(_ rows: [Shop], membership: Membership?, withSeal: Bool, on db: any Database) async throws -> [ShopDTO] {
        var result: [ShopDTO] = []
        for shop in rows {
            let domains = try await ShopDomain.query(on: db).filter(\.$shop.$id == shop.requireID()).all().map(\.domain)
            result.append(ShopDTO(id: try shop.requireID(), name: shop.name, variant: shop.variant, state: shop.stateRaw, domains: domains,
                                  mayShowSeal: withSeal ? try await memberships.mayShowSeal(shop, membership: membership, on: db) : nil))
        }
        return result
    }

    func application(_ application: MembershipApplication, for actor: Identity, on db: any Database) async throws -> ApplicationDTO {
        let id = try application.requireID()
        let organisation = try await Organisation.find(application.$organisation.id, on: db)
        let seesAudit = actor.role != .finance
        let findings = seesAudit ? try await AuditFinding.query(on: db).filter(\.$application.$id == id).sort(\.$round).all() : []
        let reports = seesAudit ? try await AuditReport.query(on: db).filter(\.$application.$id == id).sort(\.$round).all() : []
        let events = actor.role.isStaff ? try await MembershipEvent.query(on: db).filter(\.$applicationID == id).sort(\.$at).all() : []
        let membership = try await memberships.membership(of: application.$organisation.id, on: db)
        let shopRows = try await applications.shops(of: application, on: db)
        return ApplicationDTO(
            id: id, organisationId: application.$organisation.id, organisation: organisation?.name ?? "", kind: application.kindRaw, state: application.stateRaw,
            round: application.round, codeOfConductVersion: application.codeVersion, submittedAt: application.submittedAt, stateChangedAt: application.stateChangedAt,
            inspectorId: actor.role.isStaff ? application.$inspector.id : nil, approvedOn: application.approvedOn, decisionNote: application.decisionNote,
            membershipId: membership?.id, shops: try await shops(shopRows, membership: membership, withSeal: false, on: db),
            findings: seesAudit ? findings.map { FindingDTO(shopId: $0.$shop.id, criterion: $0.criterionID, round: $0.round, result: $0.resultRaw, note: $0.note, evidenceUrl: $0.evidenceURL) } : nil,
            reports: seesAudit ? reports.map { ReportDTO(round: $0.round, failed: $0.failed, summary: $0.summary, completedAt: $0.completedAt) } : nil,
            history: actor.role.isStaff ? events.map { EventDTO(at: $0.at, event: $0.event, actorRole: $0.actorRole, detail: $0.detail) } : nil)
    }

    func standing(_ standing: SealStanding) -> StandingDTO {
        switch standing {
        case .awaiting(let missing): return StandingDTO(code: standing.code, missing: missing.map(\.rawValue), from: nil, until: nil, since: nil)
        case .scheduled(let from): return StandingDTO(code: standing.code, missing: [], from: from.description, until: nil, since: nil)
        case .active(let until): return StandingDTO(code: standing.code, missing: [], from: nil, until: until.description, since: nil)
        case .lapsed(let since): return StandingDTO(code: standing.code, missing: [], from: nil, until: nil, since: since.description)
        case .ended(let on): return StandingDTO(code: standing.code, missing: [], from: nil, until: nil, since: on.description)
        }
    }

    func membership(_ membership: Membership, on db: any Database) async throws -> MembershipDTO {
        let organisation = try await Organisation.find(membership.$organisation.id, on: db)
        let rows = try await Shop.query(on: db).filter(\.$organisation.$id == membership.$organisation.id).sort(\.$createdAt).all()
            .filter { $0.state != .applying && $0.state != .rejected }
        let contract = membership.contractSHA256.map {
            ContractDTO(sha256: $0, codeOfConductVersion: membership.contractCodeVersion ?? "", memberSignedName: membership.memberSignedName,
                        memberSignedAt: membership.memberSignedAt, countersignedAt: membership.staffSignedAt, completedOn: membership.contractCompletedOn)
        }
        return MembershipDTO(id: try membership.requireID(), organisationId: membership.$organisation.id, organisation: organisation?.name ?? "",
                             standing: standing(try memberships.standing(membership)), approvedOn: membership.approvedOn, termStart: membership.termStart,
                             paidThrough: membership.paidThrough, contract: contract, endsOn: membership.endsOn, endedOn: membership.endedOn,
                             endReason: membership.endReason, shops: try await shops(rows, membership: membership, withSeal: true, on: db))
    }

    func invoice(_ invoice: Invoice, on db: any Database) async throws -> InvoiceDTO {
        try await invoices([invoice], on: db)[0]
    }

    /// A page of invoices with their lines, payments and balances, in a fixed number of queries.
    func invoices(_ rows: [Invoice], on db: any Database) async throws -> [InvoiceDTO] {
        let ids = rows.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let balances = try await memberships.invoices.balances(of: rows, on: db)
        let lines = Dictionary(grouping: try await InvoiceLine.query(on: db).filter(\.$invoice.$id ~~ ids).sort(\.$position).all(), by: \.$invoice.id)
        let payments = Dictionary(grouping: try await Payment.query(on: db).filter(\.$invoice.$id ~~ ids).sort(\.$createdAt).all(), by: \.$invoice.id)
        let originalIDs = rows.compactMap(\.creditsInvoiceID)
        let originals = originalIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Invoice.query(on: db).filter(\.$id ~~ originalIDs).all().compactMap { row in
            row.id.map { ($0, row.number) }
        })
        return try rows.map { invoice in
            let id = try invoice.requireID()
            let balance = balances[id] ?? InvoicesService.Balance(paid: 0, credited: 0, open: invoice.grossCents)
            return InvoiceDTO(id: id, number: invoice.number, organisationId: invoice.$organisation.id, buyer: invoice.buyer, kind: invoice.kindRaw, status: invoice.statusRaw,
                              issuedOn: invoice.issuedOn, dueOn: invoice.dueOn, periodStart: invoice.periodStart, periodEnd: invoice.periodEnd, currency: invoice.currency,
                              net: invoice.netCents, vat: invoice.vatCents, gross: invoice.grossCents, paid: balance.paid, credited: balance.credited,
                              open: invoice.kind == .creditNote ? 0 : balance.open, creditsInvoice: invoice.creditsInvoiceID.flatMap { originals[$0] },
                              lines: (lines[id] ?? []).map { InvoiceLineDTO(description: $0.description, quantity: $0.quantity, unitPrice: $0.unitCents) },
                              payments: (payments[id] ?? []).map { PaymentDTO(amount: $0.amountCents, paidOn: $0.paidOn, reference: $0.reference, source: $0.source) })
        }
    }

    /// The shops on a public list now, newest first.
    func listings(_ list: String?, locale: AppLocale, on db: any Database) async throws -> [ListingDTO] {
        var query = PublicListing.query(on: db).filter(\.$delistedOn == nil).sort(\.$listedOn, .descending)
        if let list { query = query.filter(\.$listID == list) }
        return try await query.all().map {
            ListingDTO(list: $0.listID, shop: $0.shopName, domains: $0.domains.split(separator: ",").map { String($0).trimmingWhitespace() },
                       reason: desk.localizer.text("listing_reason_\($0.event)", locale), listedOn: $0.listedOn, until: $0.until)
        }
    }
}
