import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct ReviewFormPage: Encodable, Sendable {
    struct Criterion: Encodable, Sendable {
        let id: String
        let name: String
        let field: String
        let options: [FormField.Option]
        let error: String?
    }

    let chrome: PageChrome
    let shop: String
    let action: String
    let invited: Bool
    let criteria: [Criterion]
    let overall: Criterion?
    let scaleHint: String
    let fields: [FormField]
    let hasErrors: Bool
    let error: String?
}

struct ReviewMessagePage: Encodable, Sendable {
    let chrome: PageChrome
    let heading: String
    let text: String
    let link: String?
    let linkText: String?
    let form: String?
}

struct ShopReviewsPage: Encodable, Sendable {
    let chrome: PageChrome
    let reviews: ShopReviewsDTO
    /// The count in words ("1 rating", "12 ratings").
    let countText: String
    /// "2 of 3": the shop's own flags that staff upheld.
    let flagShare: String?
    let rateLink: String?
    let hasReviews: Bool
    let pager: Pager
}

struct ReviewDisclosurePage: Encodable, Sendable {
    let chrome: PageChrome
    let statements: [String]
}

struct ReviewPortalPage: Encodable, Sendable {
    struct ShopReviews: Encodable, Sendable {
        let name: String
        let slug: String
        let reviews: [ReviewDTO]
        let hasReviews: Bool
        /// The widget's embed code: a link around the image, no script.
        let embed: String
        /// Measures taken for confirmed review fraud, newest first.
        let offences: [OffenceDTO]
        let hasOffences: Bool
    }

    let chrome: PageChrome
    let fields: [FormField]
    let shops: [ShopReviews]
    let notice: String?
    let error: String?
    let problems: [ReviewInvitationImportDTO.Problem]
    let hasProblems: Bool
}

/// The buyer's rating form (from an invitation link, or for a shop after confirming an e-mail
/// address), a shop's reviews page, and the member's reviews in the portal (invitations, CSV, replies).
struct ReviewPages: Sendable {
    let reviews: ReviewsService
    let renderer: Renderer

    var desk: MembershipDesk { reviews.desk }

    func register(on routes: RouteTable) {
        routes.get("/reviews/rate/{token}", .everyone) { _, context in
            let invitation = try await reviews.invitation(token: context.parameters.get("token") ?? "")
            return try form(context, shop: invitation.shop.name, action: "/reviews/rate/\(context.parameters.get("token") ?? "")", invited: true, state: FormState())
        }
        routes.post("/reviews/rate/{token}", .everyone) { request, context in
            let token = context.parameters.get("token") ?? ""
            let input = try await FormInput.parse(request, context: context)
            let invitation = try await reviews.invitation(token: token)
            do {
                _ = try await reviews.rate(token: token, reviewInput(input, context: context))
                return message(context, heading: "review_thanks_title", text: "review_thanks_text", link: "/shops/\(invitation.shop.slug ?? "")/reviews",
                               linkText: "review_see_all", status: .created)
            } catch {
                return try failed(error, input: input, context: context, shop: invitation.shop.name, action: "/reviews/rate/\(token)", invited: true)
            }
        }
        routes.get("/shops/{slug}/review", .everyone) { _, context in
            let shop = try await reviews.memberShop(context.parameters.get("slug") ?? "", locale: context.locale)
            guard try !reviews.rules().invitedOnly else { throw AppError(.forbidden, code: "reviews_invited_only", messageKey: "reviews_invited_only") }
            return try form(context, shop: shop.name, action: "/shops/\(shop.slug ?? "")/review", invited: false, state: FormState())
        }
        routes.post("/shops/{slug}/review", .everyone) { request, context in
            let slug = context.parameters.get("slug") ?? ""
            let input = try await FormInput.parse(request, context: context)
            let shop = try await reviews.memberShop(slug, locale: context.locale)
            do {
                _ = try await reviews.submit(shop: slug, reviewInput(input, context: context))
                return message(context, heading: "review_sent_title", text: "review_sent_text", status: .accepted)
            } catch {
                return try failed(error, input: input, context: context, shop: shop.name, action: "/shops/\(slug)/review", invited: false)
            }
        }
        routes.get("/reviews/confirm/{token}", .everyone) { _, context in
            message(context, heading: "review_confirm_title", text: "review_confirm_text", form: "/reviews/confirm/\(context.parameters.get("token") ?? "")")
        }
        routes.post("/reviews/confirm/{token}", .everyone) { request, context in
            _ = try await FormInput.parse(request, context: context)
            let review = try await reviews.confirm(token: context.parameters.get("token") ?? "")
            return message(context, heading: "review_thanks_title", text: "review_thanks_text", link: "/shops/\(review.shop.slug ?? "")/reviews",
                           linkText: "review_see_all")
        }
        routes.get("/shops/{slug}/reviews", .everyone) { request, context in
            let slug = (context.parameters.get("slug") ?? "").lowercased()
            let paging = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: 20)
            let (shopID, list) = try await reviews.shopReviews(of: slug, paging: paging, locale: context.locale)
            let rateLink = (try? reviews.rules().invitedOnly) == false ? "/shops/\(slug)/review" : nil
            let share = try await reviews.shopFlagShare(shopID)
            let page = ShopReviewsPage(chrome: renderer.chrome(context, titleKey: "reviews_title", path: "/shops"), reviews: list,
                                       countText: renderer.localizer.text(list.count == 1 ? "widget_count_one" : "widget_count", context.locale, ["count": "\(list.count)"]),
                                       flagShare: share.decided > 0 ? renderer.localizer.text("flag_share", context.locale, ["upheld": "\(share.upheld)", "decided": "\(share.decided)"]) : nil,
                                       rateLink: rateLink,
                                       hasReviews: !list.items.isEmpty,
                                       pager: Pager(PagedList(items: list.items, request: paging, total: list.total), base: "/shops/\(slug)/reviews?page="))
            return renderer.render("reviews/list", page, context: context)
        }
        routes.get("/reviews/how-we-verify", .everyone) { _, context in
            let page = ReviewDisclosurePage(chrome: renderer.chrome(context, titleKey: "disclosure_title", path: "/reviews/how-we-verify"),
                                            statements: try disclosure(context.locale))
            return renderer.render("reviews/disclosure", page, context: context)
        }
        routes.get("/portal/reviews", .roles([.member])) { _, context in try await portal(context, state: FormState()) }
        routes.post("/portal/reviews/invitations", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let f = { (name: String) in input.fields[name] ?? "" }
            do {
                let body = ReviewInvitationRequest(shop: f("shop"), email: f("email"), name: f("name"), orderReference: f("orderReference"),
                                                   orderDate: f("orderDate"), language: f("language"), delayDays: Int(f("delayDays")) ?? (f("delayDays").isEmpty ? 0 : -1))
                let made = try await reviews.invite(body, member: try context.requireIdentity(), source: "form")
                return try await portal(context, state: FormState(), notice: renderer.localizer.text("invitation_made", context.locale, ["email": made.email]))
            } catch {
                var state = FormState(values: input.echo)
                let problems = (error as? FormErrors)?.problems ?? [(error as? AppError)].compactMap { $0 }
                guard !problems.isEmpty else { throw error }
                for problem in problems { state.errors[problem.field ?? "email"] = renderer.localizer.text(problem.messageKey, context.locale, problem.arguments) }
                return try await portal(context, state: state, status: problems.first?.status ?? .unprocessableContent)
            }
        }
        routes.post("/portal/reviews/import", .roles([.member])) { request, context in
            let input = try await MultipartInput.parse(request, context: context, limit: 2 << 20)
            guard let file = input.files["file"]?.first else { return try await portal(context, state: FormState(), error: renderer.localizer.text("invitation_csv_missing", context.locale)) }
            let result = try await reviews.importCSV(String(decoding: file.data, as: UTF8.self), shop: input.form.fields["shop"], member: try context.requireIdentity(),
                                                     locale: context.locale)
            return try await portal(context, state: FormState(), notice: renderer.localizer.text("invitation_imported", context.locale, ["count": "\(result.imported)"]),
                                    problems: result.problems)
        }
        routes.post("/portal/reviews/{id}/reply", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                _ = try await reviews.reply(context.parameters.get("id"), member: try context.requireIdentity(), text: input.fields["reply"] ?? "")
                return .seeOther("/portal/reviews")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await portal(context, state: FormState(), error: refusal.text, status: refusal.status)
            }
        }
    }

    /// How reviews are collected and checked, stated from the scheme's rules (EU Omnibus: a trader
    /// who shows reviews says whether and how it makes sure they come from buyers).
    func disclosure(_ locale: AppLocale) throws -> [String] {
        let rules = try reviews.rules()
        let t = { (key: String, values: [String: String]) in renderer.localizer.text(key, locale, values) }
        let period = SchemeFacts(localizer: desk.localizer)
        let criteria = rules.criteria.map { desk.active.text($0.name, locale) }.joined(separator: ", ")
        var statements = [t("disclosure_invited", [:])]
        statements.append(rules.invitedOnly ? t("disclosure_invited_only", [:])
                            : t("disclosure_uninvited", ["confirm": period.period(rules.confirmWithin, locale)]))
        statements.append(t("disclosure_labels", [:]))
        statements.append(t("disclosure_scores", ["criteria": criteria, "min": "\(rules.scaleMinimum)", "max": "\(rules.scaleMaximum)",
                                                  "window": period.period(rules.window, locale)]))
        if !desk.scheme.seal.tiers.isEmpty {
            let tiers = desk.scheme.seal.tiers.map {
                t("disclosure_tier", ["tier": desk.active.text($0.name, locale), "count": "\($0.minimumRatings)", "average": RatingFigures.text($0.minimumAverage)])
            }.joined(separator: "; ")
            statements.append(t("disclosure_tiers", ["tiers": tiers]))
        }
        statements.append(t("disclosure_fraud", [:]))
        let ladder = FraudLadder(rules)
        if ladder.steps.isEmpty {
            statements.append(t("disclosure_no_ladder", [:]))
        } else {
            let steps = ladder.steps.indices.map { "\($0 + 1). " + reviews.stepText($0 + 1, ladder: ladder, locale: locale) }.joined(separator: "; ")
            statements.append(t("disclosure_ladder", ["steps": steps]))
        }
        statements.append(t("disclosure_flags", ["cap": "\(rules.flagCapPerMonth)", "retention": period.period(rules.removedRetention, locale)]))
        statements.append(t("disclosure_reply", [:]))
        statements.append(t("disclosure_unpaid", [:]))
        return statements
    }

    private func reviewInput(_ input: FormInput, context: AppRequestContext) -> ReviewInput {
        var scores: [String: Int] = [:]
        for (key, value) in input.fields where key.hasPrefix("score_") { scores[String(key.dropFirst(6))] = Int(value) }
        return ReviewInput(scores: scores, overall: input.fields["overall"].flatMap { Int($0) }, text: input.fields["text"] ?? "",
                           kind: input.fields["kind"].flatMap { $0.isEmpty ? nil : $0 } ?? ReviewKind.review.rawValue, name: input.fields["name"] ?? "",
                           email: input.fields["email"] ?? "", locale: context.locale, clientAddress: context.remoteAddress)
    }

    private func failed(_ error: any Error, input: FormInput, context: AppRequestContext, shop: String, action: String, invited: Bool) throws -> Response {
        let problems = (error as? FormErrors)?.problems ?? [(error as? AppError)].compactMap { $0 }
        guard !problems.isEmpty, problems.allSatisfy({ $0.status != .notFound }) else { throw error }
        var state = FormState(values: input.echo)
        for problem in problems {
            let field = (problem.field ?? "text").replacingOccurrences(of: "scores.", with: "score_")
            state.errors[field] = renderer.localizer.text(problem.messageKey, context.locale, problem.arguments)
        }
        return try form(context, shop: shop, action: action, invited: invited, state: state, status: problems.first?.status ?? .unprocessableContent,
                        error: problems.contains { $0.field == nil } ? renderer.localizer.text(problems[0].messageKey, context.locale, problems[0].arguments) : nil)
    }

    private func form(_ context: AppRequestContext, shop: String, action: String, invited: Bool, state: FormState, status: HTTPResponse.Status = .ok,
                      error: String? = nil) throws -> Response {
        let rules = try reviews.rules()
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let points = Array(rules.scaleMinimum...rules.scaleMaximum)
        func criterion(_ id: String, _ name: String, field: String) -> ReviewFormPage.Criterion {
            .init(id: id, name: name, field: field, options: [.init(value: "", label: "–", selected: (state.values[field] ?? "").isEmpty)]
                    + points.reversed().map { .init(value: "\($0)", label: "\($0)", selected: state.values[field] == "\($0)") }, error: state.errors[field])
        }
        let criteria = rules.criteria.map { criterion($0.id, desk.active.text($0.name, context.locale), field: "score_\($0.id)") }
        var fields = [FormField("text", t("review_text"), kind: .textarea, form: state, hint: renderer.localizer.text("review_text_hint", context.locale,
                                                                                                                 ["max": "\(ReviewsService.maxText)"]),
                                maxLength: ReviewsService.maxText)]
        if rules.praiseAndFaultForm {
            fields.insert(.select("kind", t("review_kind"), form: state, options: ReviewKind.allCases.map { ($0.rawValue, t("review_kind_\($0.rawValue)")) }), at: 0)
        }
        if !invited {
            fields += [FormField("name", t("review_name"), kind: .text, form: state, hint: t("review_name_hint"), required: true, maxLength: 120, autocomplete: "name"),
                       FormField("email", t("review_email"), kind: .email, form: state, hint: t("review_email_hint"), required: true, maxLength: 254, autocomplete: "email")]
        }
        let page = ReviewFormPage(chrome: renderer.chrome(context, titleKey: "review_form_title", path: action), shop: shop, action: action, invited: invited,
                                  criteria: criteria, overall: rules.criteria.count > 1 ? criterion("overall", t("review_overall"), field: "overall") : nil,
                                  scaleHint: renderer.localizer.text("review_scale_hint", context.locale, ["min": "\(rules.scaleMinimum)", "max": "\(rules.scaleMaximum)"]),
                                  fields: fields, hasErrors: !state.errors.isEmpty, error: error)
        return renderer.render("reviews/form", page, context: context, status: status)
    }

    private func message(_ context: AppRequestContext, heading: String, text: String, link: String? = nil, linkText: String? = nil, form: String? = nil,
                         status: HTTPResponse.Status = .ok) -> Response {
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let page = ReviewMessagePage(chrome: renderer.chrome(context, titleKey: heading, path: "/reviews"), heading: t(heading), text: t(text), link: link,
                                     linkText: linkText.map(t), form: form)
        return renderer.render("reviews/message", page, context: context, status: status)
    }

    private func portal(_ context: AppRequestContext, state: FormState, notice: String? = nil, error: String? = nil,
                        problems: [ReviewInvitationImportDTO.Problem] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let organisation = identity.organisationID else { throw AppError.forbidden }
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let shops = try await Shop.query(on: desk.storage.db).filter(\.$organisation.$id == organisation).filter(\.$stateRaw == Shop.State.approved.rawValue)
            .sort(\.$name).all()
        var rows: [ReviewPortalPage.ShopReviews] = []
        for shop in shops {
            guard let slug = shop.slug else { continue }
            let list = try await reviews.reviews(of: slug, paging: Paging(page: 1, size: 20), locale: context.locale)
            let embed = "<a href=\"\(desk.baseURL)/shops/\(slug)/reviews\"><img src=\"\(desk.baseURL)/reviews/widget/\(slug).svg\" width=\"240\" height=\"72\" alt=\"\(shop.name): \(t("reviews_title"))\"></a>"
            let offences = desk.scheme.reviews == nil ? [] : try await reviews.offences(shop: slug, locale: context.locale, member: identity).offences
            rows.append(.init(name: shop.name, slug: slug, reviews: list.items, hasReviews: !list.items.isEmpty, embed: embed, offences: offences, hasOffences: !offences.isEmpty))
        }
        var fields = [
            FormField("email", t("invitation_email"), kind: .email, form: state, required: true, maxLength: 254),
            FormField("name", t("invitation_name"), kind: .text, form: state, required: true, maxLength: 120),
            FormField("orderReference", t("invitation_order"), kind: .text, form: state, required: true, maxLength: 80),
            FormField("orderDate", t("complaint_order_date"), kind: .date, form: state),
            .select("language", t("template_language"), form: state, options: AppLocale.allCases.map { ($0.rawValue, t("language_name_\($0.rawValue)")) },
                    preset: desk.scheme.defaultLanguage),
            FormField("delayDays", t("invitation_delay_days"), kind: .text, form: state, hint: t("invitation_delay_hint"), maxLength: 3),
        ]
        if shops.count > 1 { fields.insert(.select("shop", t("complaint_shop"), form: state, options: shops.map { ($0.slug ?? "", $0.name) }), at: 0) }
        let page = ReviewPortalPage(chrome: renderer.chrome(context, titleKey: "reviews_portal_title", path: "/portal/reviews"), fields: fields, shops: rows,
                                    notice: notice, error: error, problems: problems, hasProblems: !problems.isEmpty)
        return renderer.render("reviews/portal", page, context: context, status: status)
    }
}
