import Foundation
import Hummingbird
import TrustmarkCore

struct ModerationPage: Encodable, Sendable {
    let chrome: PageChrome
    let items: [ModerationItemDTO]
    let hasItems: Bool
    let reasons: [FormField.Option]
    let error: String?
}

/// The form that reports one review, reached from the shop's reviews page.
struct FlagPage: Encodable, Sendable {
    let chrome: PageChrome
    let slug: String
    let shop: String
    let id: UUID
    let author: String
    let overall: Int
    let outOf: Int
    let originText: String
    let dateText: String
    let text: String?
    let reasons: [FormField.Option]
}

/// Flagging from a shop's reviews page, and the staff's moderation queue (`/staff/reviews`).
struct ReviewModerationPages: Sendable {
    let reviews: ReviewsService
    let renderer: Renderer

    func register(on routes: RouteTable) {
        routes.get("/shops/{slug}/reviews/{id}/flag", .everyone) { _, context in
            let slug = (context.parameters.get("slug") ?? "").lowercased()
            let (shop, review) = try await reviews.flaggable(context.parameters.get("id"), slug: slug, locale: context.locale)
            let reasons = FlagReason.allCases.map { FormField.Option(value: $0.rawValue, label: renderer.localizer.text("flag_reason_\($0.rawValue)", context.locale), selected: false) }
            let page = FlagPage(chrome: renderer.chrome(context, titleKey: "flag_page_title", path: "/shops"), slug: slug, shop: shop, id: review.id,
                                author: review.author, overall: review.overall, outOf: review.outOf, originText: review.originText,
                                dateText: review.dateText, text: review.text, reasons: reasons)
            return renderer.render("reviews/flag", page, context: context)
        }
        routes.post("/shops/{slug}/reviews/{id}/flag", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let t = { (key: String) in renderer.localizer.text(key, context.locale) }
            let slug = context.parameters.get("slug") ?? ""
            do {
                _ = try await reviews.flag(context.parameters.get("id"), FlagRequest(reason: input.fields["reason"] ?? "", note: input.fields["note"]),
                                           by: context.identity, locale: context.locale)
                let page = ReviewMessagePage(chrome: renderer.chrome(context, titleKey: "flag_thanks_title", path: "/shops"), heading: t("flag_thanks_title"),
                                             text: t("flag_thanks_text"), link: "/shops/\(slug)/reviews", linkText: t("review_see_all"), form: nil)
                return renderer.render("reviews/message", page, context: context, status: .created)
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                let page = ReviewMessagePage(chrome: renderer.chrome(context, titleKey: "flag_refused_title", path: "/shops"), heading: t("flag_refused_title"),
                                             text: refusal.text, link: "/shops/\(slug)/reviews", linkText: t("review_see_all"), form: nil)
                return renderer.render("reviews/message", page, context: context, status: refusal.status)
            }
        }
        routes.get("/staff/reviews", .roles([.admin, .mediator])) { _, context in try await queue(context) }
        routes.post("/staff/reviews/{id}/decision", .roles([.admin, .mediator])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                _ = try await reviews.moderate(context.parameters.get("id"), ModerationRequest(decision: input.fields["decision"] ?? "",
                                                                                              reason: input.fields["reason"].flatMap { $0.isEmpty ? nil : $0 },
                                                                                              note: input.fields["note"]),
                                               staff: try context.requireIdentity())
                return .seeOther("/staff/reviews")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await queue(context, error: refusal.text, status: refusal.status)
            }
        }
    }

    private func queue(_ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let items = try await reviews.moderationQueue(locale: context.locale)
        let reasons = [FormField.Option(value: "", label: "–", selected: true)]
            + RemovalReason.allCases.map { .init(value: $0.rawValue, label: renderer.localizer.text("removal_reason_\($0.rawValue)", context.locale), selected: false) }
        let page = ModerationPage(chrome: renderer.chrome(context, titleKey: "moderation_title", path: "/staff/reviews"), items: items, hasItems: !items.isEmpty,
                                  reasons: reasons, error: error)
        return renderer.render("reviews/moderation", page, context: context, status: status)
    }
}
