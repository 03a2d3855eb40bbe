import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct ComplaintListPage: Encodable, Sendable {
    struct Filter: Encodable, Sendable {
        let label: String
        let href: String
        let current: Bool
    }

    let chrome: PageChrome
    let isStaff: Bool
    let base: String
    let queues: [Filter]
    let states: [Filter]
    let rows: [ComplaintSummaryDTO]
    let hasRows: Bool
    let pager: Pager
}

struct ComplaintRegisterPage: Encodable, Sendable {
    let chrome: PageChrome
    let fields: [FormField]
    let error: String?
}

struct ComplaintTemplatesPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let id: String
        let title: String
        let language: String
        let body: String
    }

    let chrome: PageChrome
    let rows: [Row]
    let hasRows: Bool
    let fields: [FormField]
    let error: String?
}

struct SanctionProposalsPage: Encodable, Sendable {
    let chrome: PageChrome
    let rows: [SanctionProposalDTO]
    let hasRows: Bool
}

/// The shop's complaints in its portal (`/portal/complaints`) and the mediators' desk
/// (`/staff/complaints`: queues by state and deadline, assignment, standard answers, the full
/// record, the dossier), plus complaints registered from mail and the sanction proposals.
struct ComplaintDeskPages: Sendable {
    let complaints: ComplaintsService
    let renderer: Renderer

    var desk: MembershipDesk { complaints.desk }
    var uploadLimit: Int { complaints.files.formLimit }
    static let staff: Set<Role> = [.admin, .mediator]

    func register(on routes: RouteTable) {
        routes.get("/portal/complaints", .roles([.member])) { request, context in try await list(request, context, base: "/portal/complaints") }
        routes.get("/portal/complaints/{id}", .roles([.member])) { _, context in try await detail(context) }
        routes.post("/portal/complaints/{id}/answer", .roles([.member])) { request, context in
            let input = try await MultipartInput.parse(request, context: context, limit: uploadLimit)
            return try await act(context) {
                _ = try await complaints.answer(context.parameters.get("id"), member: try context.requireIdentity(), body: input.form.fields["body"] ?? "",
                                                proposal: input.form.fields["proposal"] != nil, files: input.files["attachments"] ?? [])
            }
        }
        routes.get("/portal/complaints/{id}/files/{file}", .roles([.member])) { _, context in try await file(context) }

        routes.get("/staff/complaints", .roles(Self.staff)) { request, context in try await list(request, context, base: "/staff/complaints") }
        routes.get("/staff/complaints/register", .roles(Self.staff)) { _, context in registerPage(context, state: FormState()) }
        routes.post("/staff/complaints/register", .roles(Self.staff)) { request, context in
            let input = try await MultipartInput.parse(request, context: context, limit: uploadLimit)
            do {
                guard let mail = input.files["file"]?.first else { throw AppError.invalid("file", "complaint_eml_invalid") }
                let complaint = try await complaints.register(mail: mail.data, shop: input.form.fields["shop"] ?? "", staff: try context.requireIdentity())
                return .seeOther("/staff/complaints/\(try complaint.requireID().uuidString.lowercased())")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                var state = FormState(values: input.form.echo)
                state.errors[(error as? AppError)?.field ?? "file"] = refusal.text
                return registerPage(context, state: state, status: refusal.status)
            }
        }
        routes.get("/staff/complaints/{id}", .roles(Self.staff)) { _, context in try await detail(context) }
        routes.post("/staff/complaints/{id}/messages", .roles(Self.staff)) { request, context in
            let input = try await MultipartInput.parse(request, context: context, limit: uploadLimit)
            return try await act(context) {
                // An empty message with a standard answer picked sends the standard answer.
                var body = input.form.fields["body"] ?? ""
                if body.trimmingWhitespace().isEmpty, let id = input.form.fields["template"].flatMap(UUID.init(uuidString:)),
                   let template = try await ComplaintTemplate.find(id, on: desk.storage.db) {
                    body = template.body
                }
                try await complaints.post(context.parameters.get("id"), as: .staff(try context.requireIdentity()), body: body,
                                          staffOnly: input.form.fields["internal"] != nil, files: input.files["attachments"] ?? [])
            }
        }
        routes.post("/staff/complaints/{id}/question", .roles(Self.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                try await complaints.askConsumer(context.parameters.get("id"), staff: try context.requireIdentity(), body: input.fields["body"] ?? "")
            }
        }
        routes.post("/staff/complaints/{id}/steps", .roles(Self.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let f = { (name: String) -> String? in input.fields[name].flatMap { $0.isEmpty ? nil : $0 } }
            return try await act(context) {
                let request = ComplaintTransitionRequest(to: f("to") ?? "", reason: f("reason"), rulingOutcome: f("rulingOutcome"), rulingSummary: f("rulingSummary"),
                                                         complied: f("complied").map { $0 == "yes" }, disputeReference: f("disputeReference"))
                _ = try await complaints.mediatorStep(context.parameters.get("id"), staff: try context.requireIdentity(), request: request)
            }
        }
        routes.post("/staff/complaints/{id}/assignment", .roles(Self.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            return try await act(context) {
                try await complaints.assign(context.parameters.get("id"), staff: try context.requireIdentity(),
                                            to: input.fields["mediatorId"].flatMap(UUID.init(uuidString:)))
            }
        }
        routes.get("/staff/complaints/{id}/dossier.pdf", .roles(Self.staff)) { _, context in
            let (name, pdf) = try await complaints.dossier(context.parameters.get("id"), staff: try context.requireIdentity())
            return Response.download(Array(pdf), type: "application/pdf", name: name)
        }
        routes.get("/staff/complaints/{id}/attachments.zip", .roles(Self.staff)) { _, context in
            let (name, zip) = try await complaints.attachmentsArchive(context.parameters.get("id"), staff: try context.requireIdentity())
            return Response.download(zip, type: "application/zip", name: name)
        }
        routes.get("/staff/complaints/{id}/files/{file}", .roles(Self.staff)) { _, context in try await file(context) }

        routes.get("/staff/complaint-templates", .roles(Self.staff)) { _, context in try await templatesPage(context, state: FormState()) }
        routes.post("/staff/complaint-templates", .roles(Self.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                try await complaints.addTemplate(title: input.fields["title"] ?? "", locale: input.fields["locale"] ?? "", body: input.fields["body"] ?? "",
                                                 staff: try context.requireIdentity())
                return .seeOther("/staff/complaint-templates")
            } catch {
                var state = FormState(values: input.echo)
                let problems = (error as? FormErrors)?.problems ?? [(error as? AppError)].compactMap { $0 }
                guard !problems.isEmpty else { throw error }
                for problem in problems { state.errors[problem.field ?? "body"] = renderer.localizer.text(problem.messageKey, context.locale, problem.arguments) }
                return try await templatesPage(context, state: state, status: .unprocessableContent)
            }
        }
        routes.post("/staff/complaint-templates/{id}/delete", .roles(Self.staff)) { request, context in
            _ = try await FormInput.parse(request, context: context)
            try await complaints.removeTemplate(context.parameters.get("id"), staff: try context.requireIdentity())
            return .seeOther("/staff/complaint-templates")
        }
        routes.get("/staff/sanction-proposals", .roles([.admin])) { _, context in
            let rows = try await complaints.proposals().map { row in
                SanctionProposalDTO(id: row.id ?? UUID(), shop: row.shop?.name, organisationId: row.organisationID, source: row.source,
                                    reason: renderer.localizer.text(row.reason, context.locale), evidence: row.evidence.split(separator: "\n").map(String.init),
                                    raisedAt: row.raisedAt)
            }
            let page = SanctionProposalsPage(chrome: renderer.chrome(context, titleKey: "proposals_title", path: "/staff/sanction-proposals"), rows: rows,
                                             hasRows: !rows.isEmpty)
            return renderer.render("complaints/proposals", page, context: context)
        }
    }

    static func viewer(_ context: AppRequestContext) throws -> ComplaintsService.Viewer {
        try ComplaintsAPI.viewer(context)
    }

    private func base(_ viewer: ComplaintsService.Viewer) -> String {
        viewer.party == .shop ? "/portal/complaints" : "/staff/complaints"
    }

    /// Runs a step and goes back to the complaint; a refusal shows on the complaint page.
    private func act(_ context: AppRequestContext, _ work: () async throws -> Void) async throws -> Response {
        let viewer = try Self.viewer(context)
        let id = (context.parameters.get("id") ?? "").lowercased()
        do {
            try await work()
            return .seeOther("\(base(viewer))/\(id)")
        } catch {
            guard let refusal = renderer.refusal(error, context) else { throw error }
            return try await detail(context, error: refusal.text, status: refusal.status)
        }
    }

    private func detail(_ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let viewer = try Self.viewer(context)
        let complaint = try await complaints.load(context.parameters.get("id"), for: viewer, on: desk.storage.db)
        let page = try await Self.page(complaints, renderer: renderer, complaint, viewer: viewer,
                                       base: "\(base(viewer))/\(try complaint.requireID().uuidString.lowercased())", query: "", context: context, error: error)
        return renderer.render("complaints/detail", page, context: context, status: status)
    }

    private func file(_ context: AppRequestContext) async throws -> Response {
        let (row, bytes) = try await complaints.attachment(context.parameters.get("id"), file: context.parameters.get("file"), for: try Self.viewer(context))
        return Response.download(bytes, type: row.mediaType, name: row.filename)
    }

    /// The complaint page for any party: what they may see and the forms for what they may do.
    static func page(_ complaints: ComplaintsService, renderer: Renderer, _ complaint: Complaint, viewer: ComplaintsService.Viewer, base: String, query: String,
                     context: AppRequestContext, notice: String? = nil, error: String? = nil) async throws -> ComplaintPage {
        let dto = try await complaints.view(complaint, for: viewer, locale: context.locale, attachmentBase: base, attachmentQuery: query)
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let isStaff = viewer.party == .mediator
        var mediators: [FormField.Option] = []
        var templates: [ComplaintPage.Step] = []
        if isStaff {
            let role: Role = complaint.subject == .trustmark ? .admin : .mediator
            let people = try await User.query(on: complaints.desk.storage.db).filter(\.$roleRaw ~~ [role.rawValue, Role.admin.rawValue]).filter(\.$disabledAt == nil)
                .sort(\.$displayName).all()
            mediators = [.init(value: "", label: t("complaint_nobody"), selected: complaint.assignedTo == nil)]
                + people.map { .init(value: $0.id?.uuidString ?? "", label: $0.displayName, selected: $0.id == complaint.assignedTo) }
            templates = try await complaints.templates(locale: AppLocale(rawValue: complaint.consumerLocale)).map { .init(value: $0.id?.uuidString ?? "", label: $0.title) }
        }
        let state = complaint.state
        let canRefer = complaint.subject == .shop && complaints.desk.scheme.complaints?.disputeBody != nil
        let steps = dto.allowedSteps.filter { $0 != ComplaintState.referred.rawValue || canRefer }.map { value in
            ComplaintPage.Step(value: value, label: t("complaint_step_\(viewer.party.rawValue)_\(value)"))
        }
        let final = state?.isFinal ?? true
        return ComplaintPage(
            chrome: renderer.chrome(context, titleKey: "complaint_title", path: base), complaint: dto, base: base, query: query, isStaff: isStaff,
            isShop: viewer.party == .shop, isConsumer: viewer.party == .consumer, open: !final, steps: steps, hasSteps: !steps.isEmpty,
            canAnswer: viewer.party == .shop && !final, inMediation: state == .mediation, needsRuling: isStaff && state == .referred,
            needsCompliance: isStaff && state == .ruled && complaint.rulingOutcome != RulingOutcome.forShop.rawValue,
            canRefer: steps.contains { $0.value == ComplaintState.referred.rawValue }, sourceText: t("complaint_source_\(complaint.source)"),
            mediators: mediators, templates: templates, hasTemplates: !templates.isEmpty, hasDeadlines: !dto.deadlines.isEmpty,
            hasMessages: !dto.messages.isEmpty, hasAttachments: !dto.attachments.isEmpty, dossier: isStaff && dto.subject == "shop",
            notice: notice, error: error)
    }

    private func list(_ request: Request, _ context: AppRequestContext, base: String) async throws -> Response {
        let viewer = try Self.viewer(context)
        let query = request.uri.queryParameters
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let state = query["state"].map(String.init) ?? "open"
        let isStaff = viewer.party == .mediator
        var queue = query["queue"].map(String.init) ?? (isStaff ? "all" : "")
        if queue == "trustmark", context.role != .admin { queue = "all" }
        let paging = Paging(page: query["page"].flatMap { Int($0) }, size: 50)
        let list = try await complaints.list(for: viewer, state: state == "all" ? nil : state, queue: queue, paging: paging, locale: context.locale)
        var queues: [ComplaintListPage.Filter] = []
        if isStaff {
            var names = ["all", "mine", "unassigned", "overdue"]
            if context.role == .admin { names.append("trustmark") }
            queues = names.map { .init(label: t("complaint_queue_\($0)"), href: "\(base)?queue=\($0)&state=\(state)", current: $0 == queue) }
        }
        let stateNames = ["open"] + ComplaintState.allCases.map(\.rawValue) + ["all"]
        let states = stateNames.map { name in
            ComplaintListPage.Filter(label: name == "open" || name == "all" ? t("complaint_filter_\(name)") : t("complaint_state_\(name)"),
                                     href: "\(base)?queue=\(queue)&state=\(name)", current: name == state)
        }
        let page = ComplaintListPage(chrome: renderer.chrome(context, titleKey: "complaints_title", path: base), isStaff: isStaff, base: base, queues: queues,
                                     states: states, rows: list.items, hasRows: !list.items.isEmpty,
                                     pager: Pager(list, base: "\(base)?queue=\(queue)&state=\(state)&page="))
        return renderer.render("complaints/list", page, context: context)
    }

    private func registerPage(_ context: AppRequestContext, state: FormState, status: HTTPResponse.Status = .ok) -> Response {
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        var file = FormField("file", t("complaint_register_file"), kind: .file, form: state, hint: t("complaint_register_file_hint"))
        file.accept = ".eml,message/rfc822"
        file.required = true
        let fields = [file, FormField("shop", t("complaint_shop"), kind: .text, form: state, hint: t("complaint_register_shop_hint"), maxLength: 253)]
        let page = ComplaintRegisterPage(chrome: renderer.chrome(context, titleKey: "complaint_register_title", path: "/staff/complaints/register"),
                                         fields: fields, error: nil)
        return renderer.render("complaints/register", page, context: context, status: status)
    }

    private func templatesPage(_ context: AppRequestContext, state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let rows = try await complaints.templates().map {
            ComplaintTemplatesPage.Row(id: $0.id?.uuidString ?? "", title: $0.title, language: t("language_name_\($0.locale)"), body: $0.body)
        }
        let fields = [
            FormField("title", t("template_title"), kind: .text, form: state, required: true, maxLength: 120),
            FormField.select("locale", t("template_language"), form: state, options: AppLocale.allCases.map { ($0.rawValue, t("language_name_\($0.rawValue)")) },
                             preset: context.locale.rawValue),
            FormField("body", t("template_body"), kind: .textarea, form: state, required: true, maxLength: 10_000),
        ]
        let page = ComplaintTemplatesPage(chrome: renderer.chrome(context, titleKey: "templates_title", path: "/staff/complaint-templates"), rows: rows,
                                          hasRows: !rows.isEmpty, fields: fields, error: nil)
        return renderer.render("complaints/templates", page, context: context, status: status)
    }
}
