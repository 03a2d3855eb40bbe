import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

/// A sanction as the pages show it, in the reader's language.
struct SanctionView: Encodable, Sendable {
    let id: String
    let kind: String
    let state: String
    let stateCode: String
    let subject: String
    let site: String
    let reason: String
    let article: String?
    let tasks: [String]
    let decidedOn: String
    let deadline: String?
    let appeal: String?
    let appealLodged: String?
    let appealDecision: String?
    let legalStep: String?
    let evidence: [Evidence]
    let canConfirm: Bool
    let canResolve: Bool
    let canDecideAppeal: Bool
    let canSendEvidence: Bool
    let canAppeal: Bool
    let appealUntil: String?
    let hasTasks: Bool
    let hasEvidence: Bool

    struct Evidence: Encodable, Sendable {
        let at: String
        let text: String
    }
}

/// Staff decide and follow sanctions at `/staff/sanctions`; a member sees its own at
/// `/portal/sanctions`, sends evidence and objects there. The same operations as `/api/v1/sanctions`.
struct SanctionPages: Sendable {
    let sanctions: SanctionsService
    let renderer: Renderer

    var desk: MembershipDesk { sanctions.desk }

    struct ListPage: Encodable, Sendable {
        struct Filter: Encodable, Sendable {
            let label: String
            let href: String
            let current: Bool
        }

        let chrome: PageChrome
        let filters: [Filter]
        let rows: [SanctionView]
        let hasRows: Bool
        /// Open misuse cases the website checker confirmed (the seal or logo seen on the page).
        let confirmedMisuse: Int
    }

    struct DetailPage: Encodable, Sendable {
        let chrome: PageChrome
        let error: String?
        let sanction: SanctionView
    }

    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct DecisionPage: Encodable, Sendable {
        let chrome: PageChrome
        let error: String?
        let proposal: String
        let shop: String
        let misuse: String
        let subject: String
        let evidence: [String]
        let hasEvidence: Bool
        let kinds: [Option]
        let isMisuse: Bool
        /// Neither a proposal nor a misuse case names the shop: staff type its domain.
        let asksShop: Bool
        let values: [String: String]
    }

    struct PortalPage: Encodable, Sendable {
        let chrome: PageChrome
        let error: String?
        let rows: [SanctionView]
        let hasRows: Bool
    }

    func register(on routes: RouteTable) {
        routes.get("/staff/sanctions", .roles([.admin])) { request, context in
            let chosen = request.uri.queryParameters["state"].map(String.init) ?? "active"
            let all = try await sanctions.list(state: nil, for: try context.requireIdentity())
            let rows = all.filter { row in
                switch chosen {
                case "active": return row.state.isActive
                case "appeals": return row.appealPending
                case "legal": return row.legalStepOn != nil
                default: return true
                }
            }
            let filters = ["active", "appeals", "legal", "all"].map {
                ListPage.Filter(label: renderer.localizer.text("sanctions_filter_\($0)", context.locale), href: "/staff/sanctions?state=\($0)", current: $0 == chosen)
            }
            let views = try await rows.asyncMap { try await view($0, context: context, evidence: []) }
            let confirmed = try await SealSighting.query(on: desk.storage.db).filter(\.$ownDomain == false).filter(\.$stateRaw == SealSighting.State.open.rawValue)
                .filter(\.$scanOutcome == "seen").count()
            let page = ListPage(chrome: renderer.chrome(context, titleKey: "sanctions_title", path: "/staff/sanctions"), filters: filters, rows: views,
                                hasRows: !views.isEmpty, confirmedMisuse: confirmed)
            return renderer.render("sanctions/list", page, context: context)
        }
        routes.get("/staff/sanctions/new", .roles([.admin])) { request, context in
            try await decisionForm(request.uri.queryParameters, context: context, values: [:])
        }
        routes.post("/staff/sanctions", .roles([.admin])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let f = input.fields
            let uuid = { (key: String) in f[key].flatMap { UUID(uuidString: $0) } }
            do {
                let party = uuid("misuse") != nil || f["party_name"] != nil
                    ? SanctionsService.Party(name: f["party_name"] ?? "", domain: f["party_domain"], email: f["party_email"], address: f["party_address"]) : nil
                let sanction = try await sanctions.decide(.init(proposal: uuid("proposal"), shop: try await shop(f["shop"]), kind: f["kind"] ?? "", until: f["until"], reason: f["reason"] ?? "",
                                                                tasks: (f["tasks"] ?? "").components(separatedBy: .newlines), misuseCase: uuid("misuse"), party: party),
                                                          by: try context.requireIdentity())
                return .seeOther("/staff/sanctions/\(try sanction.requireID().uuidString)")
            } catch {
                guard let refusal = refusal(error, context) else { throw error }
                let query = ["proposal": f["proposal"], "shop": f["shop"], "misuse": f["misuse"]].compactMapValues { $0 }
                return try await decisionForm(query, context: context, values: f, error: refusal.text, status: refusal.status)
            }
        }
        routes.get("/staff/sanctions/{id}", .roles([.admin])) { _, context in
            try await detail(context.parameters.get("id"), context: context)
        }
        routes.get("/staff/sanctions/{id}/dossier.pdf", .roles([.admin])) { _, context in
            let (name, pdf) = try await sanctions.dossier(context.parameters.get("id"))
            return Response.download(Array(pdf), type: "application/pdf", name: name)
        }
        routes.post("/staff/sanctions/{id}/{action}", .roles([.admin])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let id = context.parameters.get("id"), staff = try context.requireIdentity(), reason = input.fields["reason"] ?? ""
            do {
                switch context.parameters.get("action") {
                case "confirmation": _ = try await sanctions.confirm(id, by: staff)
                case "dismissal": _ = try await sanctions.dismiss(id, reason: reason, by: staff)
                case "resolution": _ = try await sanctions.resolve(id, reason: reason, by: staff)
                case "appeal-decision": _ = try await sanctions.decideAppeal(id, upheld: input.fields["decision"] == "upheld", reason: reason, by: staff)
                default: throw AppError.notFound
                }
                return .seeOther("/staff/sanctions/\(id ?? "")")
            } catch {
                guard let refusal = refusal(error, context) else { throw error }
                return try await detail(id, context: context, error: refusal.text, status: refusal.status)
            }
        }
        routes.get("/portal/sanctions", .roles([.member])) { _, context in try await portal(context) }
        routes.post("/portal/sanctions/{id}/{action}", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let id = context.parameters.get("id"), member = try context.requireIdentity(), text = input.fields["text"] ?? ""
            do {
                switch context.parameters.get("action") {
                case "evidence": _ = try await sanctions.submitEvidence(id, text: text, by: member)
                case "appeal": _ = try await sanctions.appeal(id, text: text, by: member)
                default: throw AppError.notFound
                }
                return .seeOther("/portal/sanctions")
            } catch {
                guard let refusal = refusal(error, context) else { throw error }
                return try await portal(context, error: refusal.text, status: refusal.status)
            }
        }
    }

    /// The shop staff named on the form: its id, or one of its domains as people know it.
    private func shop(_ given: String?) async throws -> UUID? {
        guard let given = given?.trimmingWhitespace(), !given.isEmpty else { return nil }
        if let id = UUID(uuidString: given) { return id }
        let domain = try await ShopDomain.query(on: desk.storage.db).filter(\.$domain == DomainName.normalise(given)).filter(\.$releasedAt == nil).first()
        guard let domain else { throw AppError.invalid("shop", "sanction_shop_unknown") }
        return domain.$shop.id
    }

    /// The refusals a person can act on, shown on the page; four-eyes too, since the form is the
    /// place to learn that someone else must confirm.
    private func refusal(_ error: any Error, _ context: AppRequestContext) -> (text: String, status: HTTPResponse.Status)? {
        if let error = error as? AppError, error.code == "four_eyes" { return (renderer.localizer.text(error.messageKey, context.locale, error.arguments), error.status) }
        return renderer.refusal(error, context)
    }

    private func decisionForm(_ query: some Sequence<(key: Substring, value: Substring)>, context: AppRequestContext, values: [String: String]) async throws -> Response {
        try await decisionForm(Dictionary(query.map { (String($0.key), String($0.value)) }) { first, _ in first }, context: context, values: values)
    }

    private func decisionForm(_ query: [String: String], context: AppRequestContext, values: [String: String], error: String? = nil,
                              status: HTTPResponse.Status = .ok) async throws -> Response {
        let db = desk.storage.db
        let shop = query["shop"] ?? ""
        var subject = "", evidence: [String] = [], preset = values["kind"]
        if let id = query["proposal"].flatMap(UUID.init(uuidString:)), let proposal = try await SanctionProposal.query(on: db).filter(\.$id == id).with(\.$shop).first() {
            subject = proposal.shop?.name ?? ""
            evidence = [renderer.localizer.text(proposal.reason, context.locale)] + proposal.evidence.split(separator: "\n").map(String.init)
        } else if let id = query["misuse"].flatMap(UUID.init(uuidString:)), let misuse = try await SealSighting.query(on: db).filter(\.$id == id).with(\.$shop).first() {
            subject = misuse.host
            evidence = [renderer.localizer.text("sanction_misuse_evidence", context.locale, ["shop": misuse.shop.name, "count": "\(misuse.count)"]), misuse.firstPage, misuse.lastPage]
            preset = preset ?? SanctionKind.unauthorisedUseSummons.rawValue
        } else if let id = UUID(uuidString: shop), let found = try await Shop.find(id, on: db) {
            subject = found.name
        }
        let kinds = SanctionKind.allCases.map { Option(value: $0.rawValue, label: renderer.localizer.text("sanction_kind_\($0.rawValue)", context.locale), selected: $0.rawValue == preset) }
        let page = DecisionPage(chrome: renderer.chrome(context, titleKey: "sanctions_new_title", path: "/staff/sanctions"), error: error, proposal: query["proposal"] ?? "",
                                shop: shop, misuse: query["misuse"] ?? "", subject: subject, evidence: evidence, hasEvidence: !evidence.isEmpty, kinds: kinds, isMisuse: query["misuse"] != nil,
                                asksShop: (query["misuse"] ?? "").isEmpty && (query["proposal"] ?? "").isEmpty, values: values)
        return renderer.render("sanctions/new", page, context: context, status: status)
    }

    private func detail(_ id: String?, context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let sanction = try await sanctions.find(id, for: try context.requireIdentity())
        let view = try await view(sanction, context: context, evidence: try await sanctions.evidence(of: sanction))
        let page = DetailPage(chrome: renderer.chrome(context, titleKey: "sanctions_title", path: "/staff/sanctions"), error: error, sanction: view)
        return renderer.render("sanctions/detail", page, context: context, status: status)
    }

    private func portal(_ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let rows = try await sanctions.list(state: nil, for: try context.requireIdentity()).filter { $0.state != .dismissed }
        let views = try await rows.asyncMap { try await view($0, context: context, evidence: try await sanctions.evidence(of: $0)) }
        let page = PortalPage(chrome: renderer.chrome(context, titleKey: "sanctions_portal_title", path: "/portal/sanctions"), error: error, rows: views, hasRows: !views.isEmpty)
        return renderer.render("sanctions/portal", page, context: context, status: status)
    }

    func view(_ row: Sanction, context: AppRequestContext, evidence: [SanctionEvidence]) async throws -> SanctionView {
        let locale = context.locale
        let t = { (key: String) in renderer.localizer.text(key, locale) }
        let day = { (text: String?) in text.flatMap { desk.dayText($0, locale) } }
        let shop = row.$shop.value ?? nil
        let ladder = try sanctions.ladder()
        let closes = Day(row.decidedOn).flatMap { ladder.appealCloses(decidedOn: $0) }
        let appealOpen = (try? ladder.checkObjection(row.ladderCase, on: desk.today)) != nil && row.appealedOn == nil
        let mayEvidence = row.state == .inForce && (row.kind == .improvementPeriod || row.kind == .summons)
        return SanctionView(
            id: try row.requireID().uuidString, kind: t("sanction_kind_\(row.kindRaw)"), state: t("sanction_state_\(row.stateRaw)"), stateCode: row.stateRaw,
            subject: shop?.name ?? row.partyName ?? "", site: shop?.domains.map(\.domain).joined(separator: ", ") ?? row.partyDomain ?? "",
            reason: row.reason, article: row.article, tasks: row.tasks.split(separator: "\n").map(String.init), decidedOn: day(row.decidedOn) ?? row.decidedOn,
            deadline: day(row.deadline), appeal: row.appealText, appealLodged: day(row.appealedOn),
            appealDecision: row.appealDecision.map { t("sanction_appeal_\($0)") + ": " + (row.appealReason ?? "") }, legalStep: day(row.legalStepOn),
            evidence: evidence.map { .init(at: DateText.dateTime($0.submittedAt, locale: locale, timeZone: desk.timeZone), text: $0.text) },
            canConfirm: row.state == .awaitingConfirmation, canResolve: row.state == .inForce && row.kind != .warning && row.kind?.revokes == false,
            canDecideAppeal: row.appealPending, canSendEvidence: mayEvidence, canAppeal: appealOpen,
            appealUntil: closes.map { day($0.adding(days: -1).description) ?? "" }, hasTasks: !row.tasks.isEmpty, hasEvidence: !evidence.isEmpty)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
