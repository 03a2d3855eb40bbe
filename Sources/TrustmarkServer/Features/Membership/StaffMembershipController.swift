import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct ApplicationQueuePage: Encodable, Sendable {
    struct Filter: Encodable, Sendable {
        let label: String
        let href: String
        let count: Int
        let current: Bool
    }

    struct Row: Encodable, Sendable {
        let id: String
        let organisation: String
        let kind: String
        let state: String
        let age: Int
        let inspector: String
    }

    let chrome: PageChrome
    let filters: [Filter]
    let rows: [Row]
}

struct ApplicationDetailPage: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
    }

    struct CriterionRow: Encodable, Sendable {
        let key: String
        let shopID: String
        let criterion: String
        let article: String
        let question: String
        let automated: String?
        /// The page the website checker's evidence is on.
        let automatedURL: String?
        let pass: Bool
        let fail: Bool
        let notApplicable: Bool
        let note: String
        let evidence: String
    }

    struct ShopBlock: Encodable, Sendable {
        let name: String
        let domains: String
        let criteria: [CriterionRow]
    }

    struct Report: Encodable, Sendable {
        let round: Int
        let failed: Int
        let summary: String
        let at: String
    }

    struct Event: Encodable, Sendable {
        let at: String
        let event: String
        let actor: String
        let detail: String
    }

    let chrome: PageChrome
    let error: String?
    let id: String
    let organisation: String
    let registration: [String]
    let kind: String
    let state: String
    let round: Int
    let inspector: String?
    let seesAudit: Bool
    let canAssign: Bool
    let inspectors: [Option]
    let mustDeclare: Bool
    let canRecord: Bool
    let shops: [ShopBlock]
    let reports: [Report]
    let canDecide: Bool
    let canApprove: Bool
    let inspectionBody: String?
    let membershipID: String?
    let contract: Bool
    let canCountersign: Bool
    let canEnd: Bool
    let history: [Event]
}

struct InvoicesPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let id: String
        let number: String
        let buyer: String
        let kind: String
        let issued: String
        let due: String
        let total: String
        let paid: String
        let open: String?
        /// What is still to pay, as the amount field takes it, filled in for the usual full payment.
        let openAmount: String
        let status: String
        let isOpen: Bool
        let overdue: Bool
    }

    let chrome: PageChrome
    let error: String?
    let rows: [Row]
    let today: String
    let showOpenOnly: Bool
}

/// Staff: the application queue, one application's whole story and the audit, and finance's invoices.
struct StaffMembershipController: Sendable {
    let applications: ApplicationsService
    let memberships: MembershipsService
    let renderer: Renderer

    var desk: MembershipDesk { memberships.desk }
    var db: any Database { desk.storage.db }
    static let auditRoles: Set<Role> = [.admin, .inspector, .finance]

    func register(on routes: RouteTable) {
        routes.get("/staff/applications", .roles(Self.auditRoles)) { request, context in try await queue(request, context) }
        routes.get("/staff/applications/{id}", .roles(Self.auditRoles)) { _, context in try await detail(context) }
        routes.post("/staff/applications/{id}/assign", .roles([.admin])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                guard let inspector = input.fields["inspector"].flatMap(UUID.init(uuidString:)) else { throw AppError.invalid("inspectorId", "application_not_an_inspector") }
                try await applications.assign(try context.requireID(), inspector: inspector, by: try context.requireIdentity())
            }
        }
        routes.post("/staff/applications/{id}/declare", .roles([.inspector])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                try await applications.declare(try context.requireID(), conflict: input.fields["conflict"] == "yes", note: input.fields["note"] ?? "", by: try context.requireIdentity())
            }
        }
        routes.post("/staff/applications/{id}/findings", .roles([.inspector])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                var findings: [ApplicationsService.FindingInput] = []
                for (name, value) in input.fields where name.hasPrefix("result.") && !value.isEmpty {
                    let key = String(name.dropFirst("result.".count))
                    let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let shop = UUID(uuidString: parts[0]) else { continue }
                    findings.append(.init(shopId: shop, criterion: parts[1], result: value, note: input.fields["note.\(key)"], evidenceUrl: input.fields["evidence.\(key)"]))
                }
                try await applications.record(try context.requireID(), findings: findings, by: try context.requireIdentity())
                if input.fields["finish"] == "yes" { _ = try await applications.completeReport(try context.requireID(), summary: input.fields["summary"] ?? "", by: try context.requireIdentity()) }
            }
        }
        routes.post("/staff/applications/{id}/decision", .roles([.admin, .inspector])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                guard let decision = ApplicationsService.Decision(rawValue: input.fields["decision"] ?? "") else { throw AppError.invalid("decision", "validation_choice") }
                _ = try await applications.decide(try context.requireID(), decision, note: input.fields["note"] ?? "", by: try context.requireIdentity())
            }
        }
        routes.post("/staff/memberships/{id}/countersign", .roles([.admin])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            let membership = try await memberships.countersign(try context.requireID(), by: try context.requireIdentity())
            return .seeOther("/staff/applications/\(membership.$application.id)")
        }
        routes.post("/staff/memberships/{id}/bankruptcy", .roles([.admin])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            let membership = try await memberships.find(try context.requireID(), on: db)
            try await memberships.bankruptcy(organisation: membership.$organisation.id, by: try context.requireIdentity())
            return .seeOther("/staff/applications/\(membership.$application.id)")
        }
        routes.get("/staff/memberships/{id}/contract", .roles([.admin])) { _, context in
            guard let pdf = try await memberships.find(try context.requireID(), on: db).contractPDF else { throw AppError.notFound }
            return MembershipPages.pdf(pdf, name: "contract")
        }
        routes.get("/staff/invoices", .roles([.admin, .finance])) { request, context in try await invoices(request, context) }
        routes.get("/staff/invoices/{id}/pdf", .roles([.admin, .finance])) { _, context in
            guard let invoice = try await Invoice.find(try context.requireID(), on: db) else { throw AppError.notFound }
            return MembershipPages.pdf(try await memberships.invoices.pdf(invoice, on: db), name: "invoice-\(invoice.number)")
        }
        routes.post("/staff/invoices/{id}/payments", .roles([.admin, .finance])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await financeAct(request, context) {
                _ = try await memberships.invoices.recordPayment(try context.requireID(), .init(amount: input.fields["amount"] ?? "", paidOn: input.fields["paid_on"] ?? "",
                                                                                       reference: input.fields["reference"] ?? ""), source: "manual", by: .init(try context.requireIdentity()))
            }
        }
        routes.post("/staff/invoices/{id}/credit", .roles([.admin, .finance])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await financeAct(request, context) {
                let reason = (input.fields["reason"] ?? "").trimmingWhitespace()
                if reason.isEmpty { throw AppError.invalid("reason", "validation_required") }
                let actor = try context.requireIdentity()
                _ = try await db.transaction { db in try await memberships.invoices.credit(try context.requireID(), reason: String(reason.prefix(300)), by: .init(actor), on: db) }
            }
        }
    }



    func act(_ context: AppRequestContext, _ work: () async throws -> Void) async throws -> Response {
        do {
            try await work()
            return .seeOther("/staff/applications/\(try context.requireID())")
        } catch {
            guard let refusal = renderer.refusal(error, context) else { throw error }
            return try await detail(context, error: refusal.text, status: refusal.status)
        }
    }

    func financeAct(_ request: Request, _ context: AppRequestContext, _ work: () async throws -> Void) async throws -> Response {
        do {
            try await work()
            return .seeOther("/staff/invoices")
        } catch {
            guard let refusal = renderer.refusal(error, context) else { throw error }
            return try await invoices(request, context, error: refusal.text, status: refusal.status)
        }
    }

    // MARK: pages

    func queue(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let chosen = request.uri.queryParameters["state"].map(String.init)
        let actor = try context.requireIdentity()
        var base = MembershipApplication.query(on: db)
        if actor.role == .inspector { base = base.filter(\.$inspector.$id == actor.userID) }
        var filters: [ApplicationQueuePage.Filter] = []
        for state in ApplicationState.allCases {
            let count = try await base.copy().filter(\.$stateRaw == state.rawValue).count()
            filters.append(.init(label: t("state_\(state.rawValue)"), href: "/staff/applications?state=\(state.rawValue)", count: count, current: chosen == state.rawValue))
        }
        var query = base.copy().sort(\.$stateChangedAt)
        query = chosen.map { query.filter(\.$stateRaw == $0) } ?? query.filter(\.$stateRaw ~~ ApplicationState.allCases.filter(\.isOpen).map(\.rawValue))
        let today = desk.today
        var rows: [ApplicationQueuePage.Row] = []
        for application in try await query.limit(200).with(\.$organisation).with(\.$inspector).all() {
            rows.append(.init(id: application.id?.uuidString ?? "", organisation: application.organisation.name, kind: t("application_kind_\(application.kindRaw)"),
                              state: t("state_\(application.stateRaw)"), age: today.julian - Day(application.stateChangedAt, in: desk.timeZone).julian,
                              inspector: application.inspector?.displayName ?? "—"))
        }
        return renderer.render("membership/queue", ApplicationQueuePage(chrome: renderer.chrome(context, titleKey: "queue_title", path: "/staff/applications"),
                                                                        filters: filters, rows: rows), context: context)
    }

    func detail(_ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let actor = try context.requireIdentity()
        let locale = context.locale
        let words = { (code: String, prefixes: String...) in
            let key = code.replacingOccurrences(of: ".", with: "_")
            return prefixes.lazy.compactMap { renderer.localizer.text(ifAny: $0 + key, locale) }.first ?? code
        }
        let t = { (key: String) in renderer.localizer.text(key, locale) }
        let application = try await applications.find(try context.requireID(), on: db)
        if actor.role == .inspector, application.$inspector.id != actor.userID { throw AppError.notFound }
        let applicationID = try application.requireID()
        let organisation = try await Organisation.find(application.$organisation.id, on: db)
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == application.$organisation.id).first()
        let rules = try desk.rules()
        let seesAudit = actor.role != .finance
        let shops = try await applications.shops(of: application, on: db)
        let findings = seesAudit ? try await applications.findings(of: application, on: db) : []
        let byKey = Dictionary(findings.map { ("\($0.$shop.id.uuidString)|\($0.criterionID)", $0) }, uniquingKeysWith: { first, _ in first })
        let checked = seesAudit ? try await SiteChecks.latest(of: shops.compactMap(\.id), on: db) : [:]
        let recording = actor.role == .inspector && application.$inspector.id == actor.userID && application.state == .inAudit
        let blocks = shops.map { shop in
            ApplicationDetailPage.ShopBlock(name: shop.name, domains: shop.domains.map(\.domain).joined(separator: ", "), criteria: seesAudit ? desk.scheme.codeOfConduct.criteria.map { criterion in
                let key = "\(shop.id?.uuidString ?? "")|\(criterion.id)"
                let finding = byKey[key]
                // Until the inspector records a finding, the website checker's answer is filled in for
                // them to confirm (found: pass, not found: fail, with its page as evidence).
                let checker = criterion.automatedCheck.flatMap { check in checked[shop.id ?? UUID()]?.checkResults.first { $0.check == check } }
                let suggested = finding == nil && recording ? checker?.outcome : nil
                return .init(key: key, shopID: shop.id?.uuidString ?? "", criterion: criterion.id, article: criterion.article, question: desk.active.text(criterion.question, locale),
                             automated: criterion.automatedCheck.map { check in
                                 SiteChecks.describe(checked[shop.id ?? UUID()], check: check, localizer: renderer.localizer, locale: locale, timeZone: desk.timeZone)
                             },
                             automatedURL: criterion.automatedCheck.flatMap { check in
                                 checked[shop.id ?? UUID()]?.checkResults.first { $0.check == check }?.evidence.first?.url
                             },
                             pass: finding?.result == .pass || suggested == .found, fail: finding?.result == .fail || suggested == .notFound,
                             notApplicable: finding?.result == .notApplicable,
                             note: finding?.note ?? (suggested == .notFound ? SiteChecks.describe(checked[shop.id ?? UUID()], check: checker?.check ?? "",
                                                                                                  localizer: renderer.localizer, locale: locale, timeZone: desk.timeZone) : ""),
                             evidence: finding?.evidenceURL ?? (suggested == nil ? "" : checker?.evidence.first?.url ?? ""))
            } : [])
        }
        let declared = actor.role == .inspector ? try await applications.hasDeclared(application, inspector: actor.userID, on: db) : false
        let assigned = application.$inspector.id == actor.userID
        var inspectors: [ApplicationDetailPage.Option] = []
        if actor.role == .admin {
            for user in try await User.query(on: db).filter(\.$roleRaw == Role.inspector.rawValue).filter(\.$disabledAt == nil).sort(\.$displayName).all() {
                if try await applications.isTied(try user.requireID(), to: application.$organisation.id, on: db) { continue }
                inspectors.append(.init(value: try user.requireID().uuidString, label: user.displayName))
            }
        }
        let mayDecide = rules.inspectedBy == .independentBody ? (actor.role == .inspector && assigned) : actor.role == .admin
        let membership = application.kind == .membership ? try await memberships.membership(of: application.$organisation.id, on: db) : nil
        let reports = seesAudit ? try await AuditReport.query(on: db).filter(\.$application.$id == applicationID).sort(\.$round).all() : []
        let events = try await MembershipEvent.query(on: db).filter(\.$organisation.$id == application.$organisation.id).sort(\.$at).all()
        let inspectorName = try await application.$inspector.get(on: db)?.displayName
        let page = ApplicationDetailPage(
            chrome: renderer.chrome(context, titleKey: "application_title", path: "/staff/applications"), error: error, id: applicationID.uuidString,
            organisation: organisation?.name ?? "", registration: registration.map { [$0.legalName] + $0.details + [$0.phone, $0.email, "\($0.contactName) <\($0.contactEmail)>"] } ?? [],
            kind: t("application_kind_\(application.kindRaw)"), state: t("state_\(application.stateRaw)"), round: application.round, inspector: inspectorName,
            seesAudit: seesAudit, canAssign: actor.role == .admin && [.submitted, .inAudit, .changesRequested].contains(application.state), inspectors: inspectors,
            mustDeclare: actor.role == .inspector && assigned && !declared, canRecord: actor.role == .inspector && assigned && declared && application.state == .inAudit,
            shops: blocks, reports: reports.map { .init(round: $0.round, failed: $0.failed, summary: $0.summary, at: DateText.moment($0.completedAt, timeZone: desk.timeZone)) },
            canDecide: mayDecide && application.state.isOpen, canApprove: application.state == .audited,
            inspectionBody: rules.inspectedBy == .independentBody ? rules.inspectionBody : nil, membershipID: membership?.id?.uuidString,
            contract: membership?.contractPDF != nil && actor.role == .admin,
            canCountersign: actor.role == .admin && membership?.contractPDF != nil && membership?.staffSignedAt == nil && membership?.endedOn == nil,
            canEnd: actor.role == .admin && membership != nil && membership?.endedOn == nil,
            // An event's or a role's name in words (`application.submitted` -> "Application submitted");
            // the name itself where there are none yet, so a new event is never lost from the history.
            history: events.filter { seesAudit || !$0.event.hasPrefix("audit.") }.map {
                .init(at: DateText.moment($0.at, timeZone: desk.timeZone), event: words($0.event, "event_"), actor: words($0.actorRole, "role_", "actor_"),
                      detail: seesAudit || !$0.event.hasPrefix("application.") ? $0.detail : "")
            })
        return renderer.render("membership/application", page, context: context, status: status)
    }

    func invoices(_ request: Request, _ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let t = { (key: String) in renderer.localizer.text(key, locale) }
        let openOnly = request.uri.queryParameters["open"] == "1"
        var query = Invoice.query(on: db).sort(\.$year, .descending).sort(\.$sequence, .descending)
        if openOnly { query = query.filter(\.$statusRaw == Invoice.Status.open.rawValue) }
        let today = desk.today.description
        var rows: [InvoicesPage.Row] = []
        let invoices = try await query.limit(300).all()
        let balances = try await memberships.invoices.balances(of: invoices, on: db)
        for invoice in invoices {
            let balance = balances[invoice.id ?? UUID()] ?? .init(paid: 0, credited: 0, open: invoice.grossCents)
            rows.append(.init(id: invoice.id?.uuidString ?? "", number: invoice.number, buyer: invoice.buyer, kind: t("invoice_kind_\(invoice.kindRaw)"),
                              issued: desk.dayText(invoice.issuedOn, locale) ?? "", due: desk.dayText(invoice.dueOn, locale) ?? "",
                              total: desk.money(invoice.grossCents, locale), paid: desk.money(balance.paid, locale),
                              open: invoice.kind != .creditNote && (invoice.status == .open || balance.open < 0) ? desk.money(balance.open, locale) : nil,
                              openAmount: balance.open > 0 ? SchemeFacts.amount(Money(cents: balance.open, currency: desk.scheme.currency), locale) : "", status: t("invoice_status_\(invoice.statusRaw)"),
                              isOpen: invoice.status == .open, overdue: invoice.status == .open && invoice.dueOn < today))
        }
        return renderer.render("membership/invoices", InvoicesPage(chrome: renderer.chrome(context, titleKey: "invoices_title", path: "/staff/invoices"), error: error,
                                                                   rows: rows, today: today, showOpenOnly: openOnly), context: context, status: status)
    }
}
