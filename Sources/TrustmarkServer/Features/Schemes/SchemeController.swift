import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

/// The code of conduct and the news page for everyone; the scheme and rule changes for staff; the
/// rule changes a member must answer in its portal.
struct SchemeController: Sendable {
    let active: ActiveScheme
    let ruleChanges: RuleChangesService
    let renderer: Renderer

    func register(on routes: RouteTable) {
        routes.get("/code-of-conduct", .everyone) { _, context in
            let code = active.scheme.codeOfConduct
            let items = code.articles.map {
                CodePage.Item(number: $0.number, anchor: "article-\($0.number)", title: active.text($0.title, context.locale), text: active.text($0.text, context.locale))
            }
            let page = CodePage(chrome: renderer.chrome(context, titleKey: "code_title", path: "/code-of-conduct"), schemeName: active.scheme.name,
                                version: code.version, date: code.date, articles: items)
            return renderer.render("scheme/code", page, context: context)
        }
        routes.get("/news", .everyone) { _, context in
            let items = try await ruleChanges.news().map { newsItem($0, context) }
            return renderer.render("scheme/news", NewsPage(chrome: renderer.chrome(context, titleKey: "news_title", path: "/news"), schemeName: active.scheme.name, items: items), context: context)
        }
        routes.get("/staff/scheme", .roles(Role.staff)) { _, context in
            try await staffPage(context, form: FormState())
        }
        routes.post("/staff/rule-changes", .roles([.admin])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            guard let identity = context.identity else { throw AppError.unauthenticated }
            var title: [String: String] = [:], summary: [String: String] = [:]
            for language in active.scheme.languages {
                title[language] = input.fields["title_\(language)"]
                summary[language] = input.fields["summary_\(language)"]
            }
            do {
                let change = try await ruleChanges.publish(.init(title: title, summary: summary, farReaching: input.fields["far_reaching"] == "on"), by: identity)
                return .seeOther("/staff/rule-changes/\(try change.requireID().uuidString)")
            } catch let errors as FormErrors {
                return try await staffPage(context, form: renderer.formState(input, errors, context), status: .unprocessableContent)
            } catch let error as AppError where error.status == .conflict {
                var errors = FormErrors()
                errors.add(error)
                return try await staffPage(context, form: renderer.formState(input, errors, context), status: .conflict)
            }
        }
        routes.get("/staff/rule-changes/{id}", .roles(Role.staff)) { _, context in
            try await ruleChangePage(context, notice: nil)
        }
        routes.post("/staff/rule-changes/{id}/end-membership", .roles([.admin])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            guard let identity = context.identity, let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let organisation = input.fields["organisation"].flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
            try await ruleChanges.endMembership(organisation, after: id, by: identity)
            return try await ruleChangePage(context, notice: renderer.localizer.text("rule_change_membership_was_ended", context.locale))
        }
        routes.get("/portal/rule-changes", .roles([.member])) { _, context in
            try await portalPage(context)
        }
        routes.post("/portal/rule-changes/{id}/response", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            guard let identity = context.identity, let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
            guard let answer = input.fields["response"].flatMap(RuleChangesService.Answer.init(rawValue:)) else {
                throw AppError.invalid("response", "validation_choice")
            }
            try await ruleChanges.respond(to: id, answer: answer, by: identity)
            return .seeOther("/portal/rule-changes")
        }
    }

    private func day(_ date: Date, _ context: AppRequestContext) -> String {
        DateText.day(date, locale: context.locale, timeZone: active.timeZone)
    }

    func newsItem(_ change: RuleChange, _ context: AppRequestContext) -> NewsPage.Item {
        let articles = change.changedArticles.split(separator: ",").map(String.init)
        return NewsPage.Item(
            id: change.id?.uuidString ?? "", title: active.text(RuleChangesService.texts(change.title), context.locale),
            summary: active.text(RuleChangesService.texts(change.summary), context.locale), published: day(change.publishedAt, context),
            farReaching: change.farReaching, transitionEnds: change.transitionEndsAt.map { day($0, context) },
            codeVersion: change.$schemeVersion.value?.codeVersion ?? "", changedArticles: articles, hasChangedArticles: !articles.isEmpty)
    }

    private func staffPage(_ context: AppRequestContext, form: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let versions = try await SchemeVersion.query(on: ruleChanges.storage.db).filter(\.$schemeID == active.scheme.id).sort(\.$sequence, .descending).all()
        let published = try await RuleChange.query(on: ruleChanges.storage.db).filter(\.$schemeVersion.$id == active.versionID).first()
        let languages = active.scheme.languages.map { code in
            SchemeStaffPage.LanguageFields(
                code: code, label: renderer.localizer.text("language_name", AppLocale(rawValue: code) ?? .fallback), required: code == active.scheme.defaultLanguage,
                title: form.values["title_\(code)"] ?? "", summary: form.values["summary_\(code)"] ?? "",
                titleError: form.errors["title_\(code)"], summaryError: form.errors["summary_\(code)"])
        }
        let page = SchemeStaffPage(
            chrome: renderer.chrome(context, titleKey: "scheme_title", path: "/staff/scheme"),
            facts: SchemeFacts(localizer: renderer.localizer).facts(active.scheme, context.locale),
            versions: versions.map { .init(sequence: $0.sequence, codeVersion: $0.codeVersion, hash: String($0.contentHash.prefix(12)),
                                          loadedAt: day($0.loadedAt, context), active: $0.id == active.versionID) },
            canPublish: context.role == .admin && published == nil, publishedLink: published.map { "/staff/rule-changes/\($0.id?.uuidString ?? "")" },
            languages: languages, farReachingPossible: active.scheme.ruleChanges != nil,
            transition: active.scheme.ruleChanges.map { "\($0.farReachingTransition)" } ?? "",
            formError: form.errors["far_reaching"] ?? form.errors["form"])
        return renderer.render("scheme/staff", page, context: context, status: status)
    }

    private func ruleChangePage(_ context: AppRequestContext, notice: String?) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        let change = try await ruleChanges.find(id)
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let rows = try await ruleChanges.standings(of: change).map { standing in
            RuleChangePage.Row(
                organisationID: standing.organisation.id?.uuidString ?? "", organisation: standing.organisation.name,
                answer: t("rule_change_answer_\(standing.response?.response ?? "none")"),
                answeredAt: standing.response.map { day($0.respondedAt, context) } ?? "",
                ended: standing.organisation.membershipEndedAt != nil, mayBeEnded: standing.mayBeEnded)
        }
        let page = RuleChangePage(
            chrome: renderer.chrome(context, titleKey: "rule_change_title", path: "/staff/scheme", notice: notice), id: id.uuidString,
            title: active.text(RuleChangesService.texts(change.title), context.locale), summary: active.text(RuleChangesService.texts(change.summary), context.locale),
            published: day(change.publishedAt, context), farReaching: change.farReaching, transitionEnds: change.transitionEndsAt.map { day($0, context) },
            transitionOver: change.transitionEndsAt.map { ruleChanges.clock.now() >= $0 } ?? false, rows: rows, canEnd: context.role == .admin)
        return renderer.render("scheme/rule-change", page, context: context)
    }

    private func portalPage(_ context: AppRequestContext) async throws -> Response {
        guard let organisationID = context.identity?.organisationID else { throw AppError.forbidden }
        let organisation = try await Organisation.find(organisationID, on: ruleChanges.storage.db)
        let responses = try await RuleChangeResponse.query(on: ruleChanges.storage.db).filter(\.$organisation.$id == organisationID).all()
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let items = try await ruleChanges.news().filter(\.farReaching).map { change in
            let answer = responses.first { $0.$ruleChange.id == change.id }?.response
            return PortalRuleChangesPage.Item(
                id: change.id?.uuidString ?? "", title: active.text(RuleChangesService.texts(change.title), context.locale),
                summary: active.text(RuleChangesService.texts(change.summary), context.locale),
                transitionEnds: change.transitionEndsAt.map { day($0, context) } ?? "", answer: answer.map { t("rule_change_answer_\($0)") },
                accepted: answer == "accepted", refused: answer == "refused")
        }
        let page = PortalRuleChangesPage(chrome: renderer.chrome(context, titleKey: "portal_rule_changes_title", path: "/portal/rule-changes"),
                                         items: items, membershipEnded: organisation?.membershipEndedAt != nil)
        return renderer.render("scheme/portal", page, context: context)
    }
}
