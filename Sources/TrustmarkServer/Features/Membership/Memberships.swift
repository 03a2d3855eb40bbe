import Crypto
import FluentKit
import Foundation
import TrustmarkCore

/// From approval on: the contract, the first and renewal invoices, the seal right, cancellation
/// with its public listing, termination, and the daily check that moves all of it along.
struct MembershipsService: Sendable {
    let desk: MembershipDesk

    /// The daily job that runs `sweep()`.
    static let dailyKind = "membership.daily"

    var invoices: InvoicesService {
        InvoicesService(desk: desk, onSettled: { invoice, db in try await self.settled(invoice, on: db) })
    }

    func find(_ id: UUID, on db: any Database) async throws -> Membership {
        guard let membership = try await Membership.find(id, on: db) else { throw AppError.notFound }
        return membership
    }

    func membership(of organisation: UUID, on db: any Database) async throws -> Membership? {
        try await Membership.query(on: db).filter(\.$organisation.$id == organisation).first()
    }

    func standing(_ membership: Membership) throws -> SealStanding {
        try desk.rules().standing(membership.facts, today: desk.today)
    }

    /// Whether a shop may show the seal today: its membership's standing, and for an extra shop
    /// its own invoice when the scheme asks for payment.
    func mayShowSeal(_ shop: Shop, membership: Membership?, on db: any Database) async throws -> Bool {
        var extraInvoicePaid: Bool?
        if let invoiceID = shop.extraInvoiceID { extraInvoicePaid = try await Invoice.find(invoiceID, on: db).map { $0.status == .paid } }
        return try mayShowSeal(shop, membership: membership, extraInvoicePaid: extraInvoicePaid)
    }

    /// The same, with the extra shop's invoice already read (nil: the shop has none).
    func mayShowSeal(_ shop: Shop, membership: Membership?, extraInvoicePaid: Bool?) throws -> Bool {
        guard shop.state == .approved, let membership, try standing(membership).mayShowSeal else { return false }
        guard extraInvoicePaid == false else { return true }
        return try !desk.rules().sealRequires.contains(.payment)
    }

    // MARK: approval

    func approved(_ application: MembershipApplication, shops: [Shop], on db: any Database) async throws {
        let rules = try desk.rules()
        let organisation = application.$organisation.id
        let today = desk.today
        switch application.kind {
        case .membership:
            let membership = Membership()
            membership.$organisation.id = organisation
            membership.$application.id = try application.requireID()
            membership.approvedOn = today.description
            membership.notifiedStanding = "awaiting"
            membership.createdAt = desk.clock.now()
            if let start = rules.termStart(approvedOn: today, conditionsMetOn: nil) {
                membership.termStart = start.description
                membership.paidThrough = start.adding(rules.term).description
            }
            if rules.sealRequires.contains(.signedContract) {
                let pdf = try await contractPDF(organisation: organisation, shops: shops, on: db)
                membership.contractPDF = pdf
                membership.contractSHA256 = Hex.string(SHA256.hash(data: pdf))
                membership.contractCodeVersion = desk.scheme.codeOfConduct.version
            }
            try await membership.create(on: db)
            let fees = FeeCalculation(rules: rules, vatRate: desk.scheme.vatRate, shops: shops.count, renewal: false)
            if fees.gross.cents > 0 {
                let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
                let period = membership.termStart.flatMap(Day.init).map { ($0, $0.adding(rules.term)) }
                _ = try await invoices.issue(kind: .membership, organisation: organisation, membership: membership.id, application: application.id,
                                             lines: invoices.lines(fees, shops: shops.map(\.name), locale: locale, period: period),
                                             net: fees.net.cents, vat: fees.vat.cents, gross: fees.gross.cents, period: period, on: db)
            } else {
                membership.firstPaidOn = today.description
            }
            let needsContract = membership.contractPDF != nil, payable = fees.gross.cents > 0
            try await desk.mail(organisation, subject: "mail_approved_subject", body: "mail_approved_body", { locale in
                var steps: [String] = []
                if needsContract { steps.append(desk.localizer.text("approved_step_sign", locale)) }
                if payable { steps.append(desk.localizer.text("approved_step_pay", locale)) }
                return ["steps": steps.map { "- " + $0 }.joined(separator: "\n")]
            }, kind: "decision", on: db)
            _ = try await refresh(membership, on: db)
        case .extraShop:
            if let fee = rules.extraShopFee, fee.cents > 0 {
                let fees = FeeCalculation(lines: [.init(kind: .extraShop, quantity: shops.count, unitPrice: fee)], vatRate: desk.scheme.vatRate,
                                          pricesIncludeVAT: rules.feesIncludeVAT, currency: fee.currency)
                let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
                let invoice = try await invoices.issue(kind: .extraShop, organisation: organisation, membership: try await membership(of: organisation, on: db)?.id,
                                                       application: application.id, lines: invoices.lines(fees, shops: [""] + shops.map(\.name), locale: locale, period: nil),
                                                       net: fees.net.cents, vat: fees.vat.cents, gross: fees.gross.cents, on: db)
                for shop in shops {
                    shop.extraInvoiceID = invoice.id
                    try await shop.save(on: db)
                }
            }
            try await desk.mail(organisation, subject: "mail_shop_approved_subject", body: "mail_shop_approved_body", { _ in
                ["shops": shops.map(\.name).joined(separator: ", ")]
            }, kind: "decision", on: db)
        case .recheck:
            try await desk.mail(organisation, subject: "mail_recheck_passed_subject", body: "mail_recheck_passed_body", { _ in [:] }, kind: "decision", on: db)
        }
    }

    func contractPDF(organisation: UUID, shops: [Shop], on db: any Database) async throws -> Data {
        let rules = try desk.rules()
        guard let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first() else { throw AppError.notFound }
        let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
        let facts = SchemeFacts(localizer: desk.localizer)
        let t = { (key: String, args: [String: String]) in desk.localizer.text(key, locale, args) }
        var terms = [
            t("contract_term_code", ["version": desk.scheme.codeOfConduct.version, "scheme": desk.scheme.name]),
            t("contract_term_fee", ["fee": SchemeFacts.money(rules.annualFee, locale), "term": facts.period(rules.term, locale)]),
            t("contract_term_seal", [:]),
            t(rules.termination == .anyTime ? "contract_term_end_any_time" : "contract_term_end_after_first", ["term": facts.period(rules.term, locale)]),
        ]
        if let fee = rules.extraShopFee { terms.insert(t("contract_term_extra_shop", ["fee": SchemeFacts.money(fee, locale)]), at: 2) }
        let domains = shops.map { shop in shop.name + " (" + shop.domains.map(\.domain).joined(separator: ", ") + ")" }
        return desk.writer.contract(.init(member: registration.legalName, memberDetails: registration.details, shops: domains,
                                          codeVersion: desk.scheme.codeOfConduct.version, terms: terms, date: desk.clock.now(), copies: rules.contractCopies),
                                    locale: locale)
    }

    // MARK: the contract

    func sign(_ id: UUID, name: String, address: String, by actor: Identity) async throws -> Membership {
        let name = name.trimmingWhitespace()
        if name.isEmpty { throw AppError.invalid("name", "validation_required") }
        if name.count > 120 { throw AppError.invalid("name", "validation_too_long", ["max": "120"]) }
        return try await desk.storage.db.transaction { db in
            let membership = try await find(id, on: db)
            try desk.checkOwn(membership.$organisation.id, actor)
            guard membership.contractPDF != nil, membership.endedOn == nil else { throw AppError.conflict("no_contract", "contract_none") }
            guard membership.memberSignedAt == nil else { throw AppError.conflict("already_signed", "contract_already_signed") }
            membership.memberSignedName = name
            membership.memberSignedAt = desk.clock.now()
            membership.memberSignedIP = address
            if membership.staffSignedAt != nil { membership.contractCompletedOn = desk.today.description }
            try await desk.note("contract.signed", organisation: membership.$organisation.id, application: membership.$application.id, actor: .init(actor),
                                detail: ["name": name, "ip": address, "sha256": membership.contractSHA256 ?? ""], on: db)
            _ = try await refresh(membership, on: db)
            return membership
        }
    }

    func countersign(_ id: UUID, by actor: Identity) async throws -> Membership {
        try await desk.storage.db.transaction { db in
            let membership = try await find(id, on: db)
            guard membership.contractPDF != nil, membership.endedOn == nil else { throw AppError.conflict("no_contract", "contract_none") }
            guard membership.staffSignedAt == nil else { throw AppError.conflict("already_signed", "contract_already_signed") }
            membership.staffSignedBy = actor.userID
            membership.staffSignedAt = desk.clock.now()
            if membership.memberSignedAt != nil { membership.contractCompletedOn = desk.today.description }
            try await desk.note("contract.countersigned", organisation: membership.$organisation.id, application: membership.$application.id,
                                actor: .init(actor), detail: ["by": actor.displayName], on: db)
            _ = try await refresh(membership, on: db)
            return membership
        }
    }

    // MARK: standing

    /// Works out the standing, fixes the term once the scheme's start is known, and tells the
    /// member when the seal right starts, is lost or comes back.
    func refresh(_ membership: Membership, on db: any Database) async throws -> SealStanding {
        let rules = try desk.rules()
        if membership.termStart == nil, case .success(let met) = rules.conditionsMet(membership.facts), let approved = Day(membership.approvedOn),
           let start = rules.termStart(approvedOn: approved, conditionsMetOn: met) {
            membership.termStart = start.description
            membership.paidThrough = start.adding(rules.term).description
        }
        let standing = rules.standing(membership.facts, today: desk.today)
        let previous = membership.notifiedStanding
        if standing.code != previous {
            membership.notifiedStanding = standing.code
            let organisation = membership.$organisation.id
            switch standing {
            case .scheduled(let from):
                try await desk.mail(organisation, subject: "mail_seal_scheduled_subject", body: "mail_seal_scheduled_body", { locale in
                    ["from": desk.dayText(from, locale)]
                }, kind: "seal", on: db)
            case .active(let until):
                let key = previous == "lapsed" ? "mail_seal_restored" : "mail_seal_active"
                try await desk.mail(organisation, subject: key + "_subject", body: key + "_body", { locale in
                    ["until": desk.dayText(until.adding(days: -1), locale), "seal": desk.baseURL + "/portal/seal"]
                }, kind: "seal", on: db)
            case .lapsed(let since):
                try await desk.mail(organisation, subject: "mail_seal_lapsed_subject", body: "mail_seal_lapsed_body", { locale in
                    ["since": desk.dayText(since, locale)]
                }, kind: "seal", on: db)
            case .awaiting, .ended:
                break
            }
            try await desk.note("membership.standing", organisation: organisation, application: membership.$application.id, actor: .system,
                                detail: ["from": previous, "to": standing.code], on: db)
            try await WebhookEvents.statusChanged(organisation: organisation, from: previous, to: standing.code, now: desk.clock.now(), on: db)
        }
        try await membership.save(on: db)
        return standing
    }

    /// A settled invoice moves its membership on.
    func settled(_ invoice: Invoice, on db: any Database) async throws {
        switch invoice.kind {
        case .membership:
            guard let id = invoice.membershipID, let membership = try await Membership.find(id, on: db) else { return }
            membership.firstPaidOn = invoice.settledOn
            _ = try await refresh(membership, on: db)
        case .renewal:
            guard let id = invoice.membershipID, let membership = try await Membership.find(id, on: db), let end = invoice.periodEnd.flatMap(Day.init) else { return }
            if (membership.paidThrough.flatMap(Day.init) ?? end) <= end { membership.paidThrough = end.description }
            try await desk.note("membership.renewed", organisation: membership.$organisation.id, actor: .system, detail: ["until": end.description], on: db)
            _ = try await refresh(membership, on: db)
        case .oneTime:
            let listings = try await PublicListing.query(on: db).filter(\.$delistInvoiceID == invoice.id).filter(\.$delistedOn == nil).all()
            for listing in listings {
                listing.delistedOn = desk.today.description
                try await listing.save(on: db)
                try await desk.note("listing.removed", organisation: listing.$organisation.id, actor: .system,
                                    detail: ["list": listing.listID, "shop": listing.shopName, "invoice": invoice.number], on: db)
            }
        case .extraShop, .creditNote:
            break
        }
    }
}

extension MembershipsService {
    /// A membership ended by revocation or bankruptcy shows as revoked, not merely as no member.
    /// (Sanctions in force add their own overrides.)
    func sealOverride(_ membership: Membership) -> SealOverride? {
        guard let reason = membership.endReason.flatMap(MembershipEnd.init(rawValue:)),
              let ended = membership.endedOn.flatMap({ Day($0) }) else { return nil }
        switch reason {
        case .revocation, .bankruptcy: return .revoked(on: ended)
        case .voluntaryTermination, .ruleChangeRefused: return nil
        }
    }
}
