import Foundation
import Hummingbird
import TrustmarkCore

struct ComplaintFormPage: Encodable, Sendable {
    struct Refusal: Encodable, Sendable {
        let text: String
        let referral: String?
        let url: String?
    }

    let chrome: PageChrome
    let runs: Bool
    let intro: String
    let refusal: Refusal?
    let hasErrors: Bool
    let about: [FormField]
    let fields: [FormField]
}

struct ComplaintSentPage: Encodable, Sendable {
    let chrome: PageChrome
    let email: String
    let until: String
}

struct ComplaintConfirmPage: Encodable, Sendable {
    let chrome: PageChrome
    let token: String
    let error: String?
}

/// A complaint as one of its parties sees it in the browser.
struct ComplaintPage: Encodable, Sendable {
    struct Step: Encodable, Sendable {
        let value: String
        let label: String
    }

    let chrome: PageChrome
    let complaint: ComplaintDTO
    /// Where this viewer's forms post to (`/complaints/{id}`, `/portal/complaints/{id}`, `/staff/complaints/{id}`).
    let base: String
    /// `?key=...` for the consumer, empty for signed-in parties.
    let query: String
    let isStaff: Bool
    let isShop: Bool
    let isConsumer: Bool
    let open: Bool
    let steps: [Step]
    let hasSteps: Bool
    let canAnswer: Bool
    let inMediation: Bool
    let needsRuling: Bool
    let needsCompliance: Bool
    let canRefer: Bool
    let sourceText: String
    let mediators: [FormField.Option]
    let templates: [Step]
    let hasTemplates: Bool
    let hasDeadlines: Bool
    let hasMessages: Bool
    let hasAttachments: Bool
    let dossier: Bool
    let notice: String?
    let error: String?
}

/// The consumer's pages: the complaint form (`/complaints/new`, also reached from a verification
/// page), the confirmation link, and their complaint through the signed link in their mails.
struct ComplaintPages: Sendable {
    let complaints: ComplaintsService
    let renderer: Renderer

    var desk: MembershipDesk { complaints.desk }
    var uploadLimit: Int { complaints.files.formLimit }

    func register(on routes: RouteTable) {
        routes.get("/complaints/new", .everyone) { request, context in
            let query = request.uri.queryParameters
            var values = ["consumerCountry": desk.scheme.country, "about": query["about"].map(String.init) ?? "shop"]
            if let slug = query["shop"].map(String.init), let record = try await complaints.register.record(slug: slug) {
                values["shop"] = record.domains.first ?? slug
            }
            return form(context, state: FormState(values: values))
        }
        routes.post("/complaints/new", .everyone) { request, context in
            let input = try await MultipartInput.parse(request, context: context, limit: uploadLimit)
            let f = { (name: String) in input.form.fields[name] ?? "" }
            var filing = ComplaintFiling()
            filing.subject = ComplaintSubject(rawValue: f("about")) ?? .shop
            filing.shop = f("shop")
            filing.consumerName = f("consumerName")
            filing.consumerEmail = f("consumerEmail")
            filing.consumerCountry = f("consumerCountry")
            filing.locale = context.locale
            filing.readerLocale = context.locale
            filing.sector = f("sector").isEmpty ? nil : f("sector")
            filing.orderNumber = f("orderNumber")
            filing.orderDate = f("orderDate")
            filing.contactedShopOn = f("contactedShopOn")
            filing.contactChannel = f("contactChannel")
            filing.shopAnswered = !f("shopAnswered").isEmpty
            filing.description = f("description")
            filing.wish = f("wish")
            filing.files = input.files["attachments"] ?? []
            do {
                let receipt = try await complaints.file(filing, source: "form")
                let page = ComplaintSentPage(chrome: renderer.chrome(context, titleKey: "complaint_sent_title", path: "/complaints/new"), email: receipt.email,
                                             until: DateText.dateTime(receipt.confirmBefore, locale: context.locale, timeZone: desk.timeZone))
                return renderer.render("complaints/sent", page, context: context, status: .accepted)
            } catch {
                var state = FormState(values: input.form.echo)
                var refusal: ComplaintFormPage.Refusal?
                let problems: [AppError]
                if let errors = error as? FormErrors { problems = errors.problems } else if let error = error as? AppError, error.field != nil || error.status == .contentTooLarge {
                    problems = [error]
                } else { throw error }
                for problem in problems {
                    let text = renderer.localizer.text(problem.messageKey, context.locale, problem.arguments)
                    if problem.code.hasPrefix("complaint_"), problem.status == .unprocessableContent, !problem.details.isEmpty || problem.code == "complaint_not_member" {
                        refusal = .init(text: text, referral: problem.details["referral"].flatMap { $0.isEmpty ? nil : $0 },
                                        url: problem.details["url"].flatMap { $0.isEmpty ? nil : $0 })
                    }
                    let field = problem.field ?? "attachments"
                    if state.errors[field] == nil { state.errors[field] = text }
                }
                let status = problems.first?.status ?? .unprocessableContent
                return form(context, state: state, refusal: refusal, status: status)
            }
        }
        routes.get("/complaints/confirm/{token}", .everyone) { _, context in
            let page = ComplaintConfirmPage(chrome: renderer.chrome(context, titleKey: "complaint_confirm_title", path: "/complaints/confirm"),
                                            token: context.parameters.get("token") ?? "", error: nil)
            return renderer.render("complaints/confirm", page, context: context)
        }
        routes.post("/complaints/confirm/{token}", .everyone) { request, context in
            _ = try await FormInput.parse(request, context: context)
            let token = context.parameters.get("token") ?? ""
            do {
                let complaint = try await complaints.confirm(token: token)
                return .seeOther("/complaints/\(try complaint.requireID().uuidString.lowercased())?key=\(try complaints.consumerKey(complaint))&confirmed=1")
            } catch let error as AppError {
                let page = ComplaintConfirmPage(chrome: renderer.chrome(context, titleKey: "complaint_confirm_title", path: "/complaints/confirm"), token: token,
                                                error: renderer.localizer.text(error.messageKey, context.locale, error.arguments))
                return renderer.render("complaints/confirm", page, context: context, status: error.status)
            }
        }
        routes.get("/complaints/{id}", .everyone) { request, context in
            let (id, key) = try consumerAccess(request, context)
            let notice = request.uri.queryParameters["confirmed"] != nil ? renderer.localizer.text("complaint_confirmed_notice", context.locale) : nil
            return try await detail(id, key: key, context: context, notice: notice)
        }
        routes.post("/complaints/{id}/messages", .everyone) { request, context in
            let (id, key) = try consumerAccess(request, context)
            let input = try await MultipartInput.parse(request, context: context, limit: uploadLimit)
            do {
                try await complaints.post(id, as: .consumer, body: input.form.fields["body"] ?? "", files: input.files["attachments"] ?? [])
                return .seeOther("/complaints/\(id)?key=\(key)")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await detail(id, key: key, context: context, error: refusal.text, status: refusal.status)
            }
        }
        routes.post("/complaints/{id}/steps", .everyone) { request, context in
            let (id, key) = try consumerAccess(request, context)
            let input = try await FormInput.parse(request, context: context)
            do {
                guard let next = ComplaintState(rawValue: input.fields["to"] ?? "") else { throw AppError.invalid("to", "validation_choice") }
                _ = try await complaints.consumerStep(id, to: next, reason: input.fields["reason"])
                return .seeOther("/complaints/\(id)?key=\(key)")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await detail(id, key: key, context: context, error: refusal.text, status: refusal.status)
            }
        }
        routes.get("/complaints/{id}/files/{file}", .everyone) { request, context in
            let (id, _) = try consumerAccess(request, context)
            let (row, bytes) = try await complaints.attachment(id, file: context.parameters.get("file"), for: .consumer)
            return Response.download(bytes, type: row.mediaType, name: row.filename)
        }
    }

    private func consumerAccess(_ request: Request, _ context: AppRequestContext) throws -> (String, String) {
        let id = context.parameters.get("id") ?? ""
        let key = request.uri.queryParameters["key"].map(String.init) ?? ""
        try complaints.checkConsumerKey(key, id: id)
        return (id.lowercased(), key)
    }

    private func detail(_ id: String, key: String, context: AppRequestContext, notice: String? = nil, error: String? = nil,
                        status: HTTPResponse.Status = .ok) async throws -> Response {
        let complaint = try await complaints.load(id, for: .consumer, on: desk.storage.db)
        let page = try await ComplaintDeskPages.page(complaints, renderer: renderer, complaint, viewer: .consumer, base: "/complaints/\(id)", query: "?key=\(key)",
                                                     context: context, notice: notice, error: error)
        return renderer.render("complaints/detail", page, context: context, status: status)
    }

    private func form(_ context: AppRequestContext, state: FormState, refusal: ComplaintFormPage.Refusal? = nil,
                      status: HTTPResponse.Status = .ok) -> Response {
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let rules = desk.scheme.complaints
        let wait = rules?.shopFirstWait.map { SchemeFacts(localizer: desk.localizer).period($0, context.locale) } ?? ""
        let intro = rules?.contactShopFirst == true ? renderer.localizer.text("complaint_form_intro_wait", context.locale, ["wait": wait])
            : t("complaint_form_intro")
        var about = [FormField.select("about", t("complaint_about"), form: state, options: [("shop", t("complaint_about_shop")),
                                                                                          ("trustmark", renderer.localizer.text("complaint_about_trustmark", context.locale, ["scheme": desk.scheme.name]))])]
        about[0].required = true
        var sectors = [("general", t("complaint_sector_general"))]
        for route in rules?.sectorRoutes ?? [] { sectors.append((route.sector, t("complaint_sector_\(route.sector)"))) }
        let countries = ComplaintsService.countries.map { ($0, t("country_\($0.lowercased())")) }
        let channels = [("", "–")] + ShopContactChannel.allCases.map { ($0.rawValue, t("complaint_channel_\($0.rawValue)")) }
        var files = FormField("attachments", t("complaint_attachments"), kind: .file, form: state,
                              hint: renderer.localizer.text("complaint_attachments_hint", context.locale,
                                                            ["max": "\(EvidenceFiles.maxFiles)", "size": EvidenceFiles.sizeText(complaints.files.maxBytes)]))
        files.accept = ".png,.jpg,.jpeg,.gif,.webp,.pdf,image/png,image/jpeg,image/gif,image/webp,application/pdf"
        files.multiple = true
        var fields = [
            FormField("shop", t("complaint_shop"), kind: .text, form: state, hint: t("complaint_shop_hint"), maxLength: 253),
        ]
        if sectors.count > 1 { fields.append(.select("sector", t("complaint_sector"), form: state, options: sectors)) }
        fields += [
            FormField("orderNumber", t("complaint_order_number"), kind: .text, form: state, maxLength: 80),
            FormField("orderDate", t("complaint_order_date"), kind: .date, form: state),
            FormField("contactedShopOn", t("complaint_contacted_on"), kind: .date, form: state, hint: t("complaint_contacted_hint"), required: rules?.contactShopFirst == true),
            .select("contactChannel", t("complaint_contact_channel"), form: state, options: channels),
            FormField("shopAnswered", t("complaint_shop_answered"), kind: .checkbox, form: state),
            FormField("description", t("complaint_description"), kind: .textarea, form: state, required: true, maxLength: 10_000),
            FormField("wish", t("complaint_wish"), kind: .textarea, form: state, maxLength: 2_000),
            files,
            FormField("consumerName", t("complaint_your_name"), kind: .text, form: state, required: true, maxLength: 120, autocomplete: "name"),
            FormField("consumerEmail", t("complaint_your_email"), kind: .email, form: state, hint: t("complaint_email_hint"), required: true, maxLength: 254,
                      autocomplete: "email"),
            .select("consumerCountry", t("complaint_your_country"), form: state, options: countries, preset: desk.scheme.country),
        ]
        let page = ComplaintFormPage(chrome: renderer.chrome(context, titleKey: "complaint_form_title", path: "/complaints/new"), runs: rules != nil,
                                     intro: intro, refusal: refusal, hasErrors: !state.errors.isEmpty, about: about, fields: fields)
        return renderer.render("complaints/new", page, context: context, status: status)
    }
}
