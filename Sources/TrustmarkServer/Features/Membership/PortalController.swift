import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct PortalMembershipPage: Encodable, Sendable {
    struct ShopRow: Encodable, Sendable {
        let name: String
        let domains: String
        let status: String
        let showsSeal: Bool
    }

    struct FixItem: Encodable, Sendable {
        let shop: String
        let question: String
        let note: String
    }

    struct ApplicationRow: Encodable, Sendable {
        let id: String
        let kind: String
        let state: String
        let submitted: String
        let round: Int
        let fixes: [FixItem]
        let reports: [String]
        let note: String?
        let canRecheck: Bool
        let canCancel: Bool
    }

    struct InvoiceRow: Encodable, Sendable {
        let id: String
        let number: String
        let kind: String
        let issued: String
        let due: String
        let total: String
        let open: String?
        let status: String
    }

    let chrome: PageChrome
    let error: String?
    let organisation: String
    let registration: [String: String]
    let hasMembership: Bool
    let membershipID: String
    let standing: String
    let standingActive: Bool
    let contract: Bool
    let contractHash: String
    let signedBy: String?
    let mustSign: Bool
    let countersigned: Bool
    let endsOn: String?
    let canAddShop: Bool
    let canTerminate: Bool
    let terminationNote: String
    let shops: [ShopRow]
    let applications: [ApplicationRow]
    let invoices: [InvoiceRow]
    let hasInvoices: Bool
    let variants: [ApplyPage.Option]
}

/// The member's own view of its membership, and what it can do there.
struct PortalController: Sendable {
    let applications: ApplicationsService
    let memberships: MembershipsService
    let renderer: Renderer

    var desk: MembershipDesk { memberships.desk }
    var db: any Database { desk.storage.db }

    func register(on routes: RouteTable) {
        routes.get("/portal/membership", .roles([.member])) { _, context in try await page(context) }
        routes.get("/portal/membership/contract", .roles([.member])) { _, context in
            guard let membership = try await current(context), let pdf = membership.contractPDF else { throw AppError.notFound }
            return MembershipPages.pdf(pdf, name: "contract")
        }
        routes.get("/portal/invoices/{id}/pdf", .roles([.member])) { _, context in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let invoice = try await Invoice.find(id, on: db),
                  invoice.$organisation.id == context.identity?.organisationID else { throw AppError.notFound }
            return MembershipPages.pdf(try await memberships.invoices.pdf(invoice, on: db), name: "invoice-\(invoice.number)")
        }
        routes.post("/portal/membership/sign", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                guard let membership = try await current(context) else { throw AppError.notFound }
                _ = try await memberships.sign(try membership.requireID(), name: input.fields["name"] ?? "", address: ClientAddress.claimed(request, context), by: try context.requireIdentity())
            }
        }
        routes.post("/portal/applications/{id}/recheck", .roles([.member])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            return try await act(context) { try await applications.requestRecheck(try context.requireID(), by: try context.requireIdentity()) }
        }
        routes.post("/portal/applications/{id}/cancel", .roles([.member])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            return try await act(context) {
                let actor = try context.requireIdentity()
                try await db.transaction { db in
                    let application = try await applications.find(try context.requireID(), on: db)
                    try desk.checkOwn(application.$organisation.id, actor)
                    try await memberships.cancel(application, event: .applicationCancelled, by: .init(actor), on: db)
                }
            }
        }
        routes.post("/portal/shops", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                let domains = (input.fields["domains"] ?? "").split(whereSeparator: { ",; \n\r\t".contains($0) }).map(String.init)
                _ = try await memberships.addShop(organisation: try organisation(context), .init(name: input.fields["name"] ?? "", domains: domains, variant: input.fields["variant"]),
                                                  applications: applications, by: try context.requireIdentity())
            }
        }
        routes.post("/portal/registration", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let f = { (name: String) in input.fields[name] ?? "" }
            return try await act(context) {
                _ = try await memberships.updateRegistration(organisation: try organisation(context), .init(
                    legalName: f("legal_name"), kvk: f("kvk"), vatNumber: f("vat"), street: f("street"), postcode: f("postcode"), city: f("city"),
                    country: f("country"), phone: f("phone"), email: f("org_email")), applications: applications, by: try context.requireIdentity())
            }
        }
        routes.post("/portal/membership/terminate", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                guard input.fields["confirm"] == "yes" else { throw AppError.invalid("confirm", "terminate_confirm") }
                _ = try await memberships.terminate(organisation: try organisation(context), by: try context.requireIdentity())
            }
        }
    }


    func organisation(_ context: AppRequestContext) throws -> UUID {
        guard let id = context.identity?.organisationID else { throw AppError.notFound }
        return id
    }


    func current(_ context: AppRequestContext) async throws -> Membership? {
        try await memberships.membership(of: try organisation(context), on: db)
    }

    /// Runs a member's action; a refusal comes back on the page in the member's language.
    func act(_ context: AppRequestContext, _ work: () async throws -> Void) async throws -> Response {
        do {
            try await work()
            return .seeOther("/portal/membership")
        } catch {
            guard let refusal = renderer.refusal(error, context) else { throw error }
            return try await page(context, error: refusal.text, status: refusal.status)
        }
    }

    func page(_ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let t = { (key: String, args: [String: String]) in renderer.localizer.text(key, locale, args) }
        let organisationID = try organisation(context)
        let organisationName = try await Organisation.find(organisationID, on: db)?.name ?? ""
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisationID).first()
        let membership = try await memberships.membership(of: organisationID, on: db)
        let standing = try membership.map { try memberships.standing($0) }
        var standingText = t("standing_none", [:])
        if let standing {
            switch standing {
            case .awaiting(let missing): standingText = t("standing_awaiting", ["missing": missing.map { t("requirement_\($0.rawValue)", [:]) }.joined(separator: ", ")])
            case .scheduled(let from): standingText = t("standing_scheduled", ["from": desk.dayText(from, locale)])
            case .active(let until): standingText = t("standing_active", ["until": desk.dayText(until.adding(days: -1), locale)])
            case .lapsed(let since): standingText = t("standing_lapsed", ["since": desk.dayText(since, locale)])
            case .ended(let on): standingText = t("standing_ended", ["on": desk.dayText(on, locale)])
            }
        }
        var shopRows: [PortalMembershipPage.ShopRow] = []
        for shop in try await Shop.query(on: db).filter(\.$organisation.$id == organisationID).with(\.$domains).sort(\.$createdAt).all() {
            let shows = try await memberships.mayShowSeal(shop, membership: membership, on: db)
            shopRows.append(.init(name: shop.name, domains: shop.domains.map(\.domain).joined(separator: ", "),
                                  status: shows ? t("shop_shows_seal", [:]) : t("shop_state_\(shop.stateRaw)", [:]), showsSeal: shows))
        }
        let criteria = desk.scheme.codeOfConduct.criteria
        var applicationRows: [PortalMembershipPage.ApplicationRow] = []
        for application in try await MembershipApplication.query(on: db).filter(\.$organisation.$id == organisationID).sort(\.$submittedAt, .descending).all() {
            let shops = try await applications.shops(of: application, on: db)
            let names = Dictionary(uniqueKeysWithValues: shops.compactMap { shop in shop.id.map { ($0, shop.name) } })
            let fixes = application.state == .changesRequested
                ? try await applications.findings(of: application, on: db).filter { $0.result == .fail }.map { finding in
                    PortalMembershipPage.FixItem(shop: names[finding.$shop.id] ?? "", question: criteria.first { $0.id == finding.criterionID }.map { desk.active.text($0.question, locale) } ?? finding.criterionID,
                                                 note: finding.note)
                } : []
            let awaiting: Bool = { if case .awaiting = standing { return true } else { return false } }()
            let reports = try await AuditReport.query(on: db).filter(\.$application.$id == application.requireID()).sort(\.$round).all().map { report in
                t("portal_report_line", ["round": "\(report.round)", "date": DateText.day(report.completedAt, locale: locale, timeZone: desk.timeZone),
                                         "failed": "\(report.failed)"])
            }
            applicationRows.append(.init(
                id: application.id?.uuidString ?? "", kind: t("application_kind_\(application.kindRaw)", [:]), state: t("state_\(application.stateRaw)", [:]),
                submitted: DateText.day(application.submittedAt, locale: locale, timeZone: desk.timeZone), round: application.round, fixes: fixes, reports: reports,
                note: application.state == .changesRequested || application.state == .rejected ? application.decisionNote?.nilIfEmpty : nil,
                canRecheck: application.state == .changesRequested,
                canCancel: application.state == .approved && (application.kind != .membership || awaiting)))
        }
        var invoiceRows: [PortalMembershipPage.InvoiceRow] = []
        for invoice in try await Invoice.query(on: db).filter(\.$organisation.$id == organisationID).sort(\.$year, .descending).sort(\.$sequence, .descending).all() {
            let open = invoice.status == .open ? try await memberships.invoices.balance(of: invoice, on: db).open : 0
            invoiceRows.append(.init(id: invoice.id?.uuidString ?? "", number: invoice.number, kind: t("invoice_kind_\(invoice.kindRaw)", [:]),
                                     issued: desk.dayText(invoice.issuedOn, locale) ?? "", due: desk.dayText(invoice.dueOn, locale) ?? "",
                                     total: desk.money(invoice.grossCents, locale), open: open != 0 ? desk.money(open, locale) : nil,
                                     status: t("invoice_status_\(invoice.statusRaw)", [:])))
        }
        var values: [String: String] = [:]
        if let r = registration {
            values = ["legal_name": r.legalName, "kvk": r.kvk, "vat": r.vatNumber, "street": r.street, "postcode": r.postcode, "city": r.city,
                      "country": r.country, "phone": r.phone, "org_email": r.email]
        }
        let running = membership != nil && membership?.endedOn == nil
        let rules = desk.scheme.membership
        let page = PortalMembershipPage(
            chrome: renderer.chrome(context, titleKey: "portal_membership_title", path: "/portal/membership"), error: error, organisation: organisationName,
            registration: values, hasMembership: membership != nil, membershipID: membership?.id?.uuidString ?? "", standing: standingText,
            standingActive: standing?.mayShowSeal ?? false, contract: membership?.contractPDF != nil, contractHash: membership?.contractSHA256 ?? "",
            signedBy: membership?.memberSignedName.map { name in t("contract_signed_by", ["name": name, "at": membership?.memberSignedAt.map { DateText.moment($0, timeZone: desk.timeZone) } ?? ""]) },
            mustSign: running && membership?.contractPDF != nil && membership?.memberSignedAt == nil, countersigned: membership?.staffSignedAt != nil,
            endsOn: desk.dayText(membership?.endsOn, locale), canAddShop: running && membership?.endsOn == nil,
            canTerminate: running && membership?.endsOn == nil && !(standing.map { if case .awaiting = $0 { return true } else { return false } } ?? true),
            terminationNote: t(rules?.termination == .endOfTermAfterFirst ? "terminate_note_end_of_term" : "terminate_note_any_time", [:]),
            shops: shopRows, applications: applicationRows, invoices: invoiceRows, hasInvoices: !invoiceRows.isEmpty,
            variants: desk.scheme.seal.variants.map { ApplyPage.Option(value: $0.id, label: desk.active.text($0.name, locale), selected: $0.isDefault) })
        return renderer.render("membership/portal", page, context: context, status: status)
    }
}
