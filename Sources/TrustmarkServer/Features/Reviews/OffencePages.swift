import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct OffencesPage: Encodable, Sendable {
    struct Candidate: Encodable, Sendable {
        let id: String
        let label: String
        let checked: Bool
    }

    let chrome: PageChrome
    let ladder: ShopOffencesDTO
    let hasOffences: Bool
    let hasLadder: Bool
    let candidates: [Candidate]
    let steps: [FormField.Option]
    let explanation: String
    let deviationReason: String
    let error: String?
}

/// Confirmed review fraud, for staff: `/staff/shops/{slug}/offences` (the shop's offences, the
/// ladder, opening an offence, returning a shop online) and the same through `/api/v1`.
struct OffencePages: Sendable {
    let reviews: ReviewsService
    let renderer: Renderer

    func register(on routes: RouteTable) {
        routes.get("/api/v1/shops/{slug}/offences", .roles([.admin, .mediator]), api: APIDoc("A shop's confirmed review-fraud offences and the ladder step its next one takes",
                                                                                           tag: "reviews", response: "ShopOffences", errors: [404])) { _, context in
            JSONBody.response(try await reviews.offences(shop: context.parameters.get("slug") ?? "", locale: context.locale))
        }
        routes.post("/api/v1/shops/{slug}/offences", .roles([.admin, .mediator]),
                    api: APIDoc("Confirm review fraud by the shop: the next ladder step (or another with a reason) is taken", tag: "reviews",
                                request: "OffenceRequest", response: "Offence", status: 201, errors: [404, 422])) { request, context in
            let body = try await JSONBody.decode(OffenceRequest.self, from: request, context: context)
            return JSONBody.response(try await reviews.openOffence(shop: context.parameters.get("slug") ?? "", body, staff: try context.requireIdentity(),
                                                                   locale: context.locale), status: .created)
        }
        routes.post("/api/v1/offences/{id}/return", .roles([.admin, .mediator]), api: APIDoc("Put a shop taken offline by an offence back online, with a reason",
                                                                                           tag: "reviews", request: "ReturnRequest", response: "Offence",
                                                                                           errors: [404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(ReturnRequest.self, from: request, context: context)
            return JSONBody.response(try await reviews.returnOnline(context.parameters.get("id"), body, staff: try context.requireIdentity(), locale: context.locale))
        }
        routes.get("/staff/shops/{slug}/offences", .roles([.admin, .mediator])) { request, context in
            let preselected = request.uri.queryParameters["review"].map(String.init)
            return try await page(context, selected: preselected.map { [$0] } ?? [])
        }
        routes.post("/staff/shops/{slug}/offences", .roles([.admin, .mediator])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let slug = context.parameters.get("slug") ?? ""
            let chosen = input.all("reviews")
            let body = OffenceRequest(reviews: chosen, explanation: input.fields["explanation"] ?? "", step: input.fields["step"].flatMap { Int($0) },
                                      deviationReason: input.fields["deviation_reason"])
            do {
                _ = try await reviews.openOffence(shop: slug, body, staff: try context.requireIdentity(), locale: context.locale)
                return .seeOther("/staff/shops/\(slug)/offences")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await page(context, selected: chosen, explanation: body.explanation, step: body.step, deviationReason: body.deviationReason ?? "",
                                      error: refusal.text, status: refusal.status)
            }
        }
        routes.post("/staff/offences/{id}/return", .roles([.admin, .mediator])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let slug = input.fields["slug"] ?? ""
            do {
                _ = try await reviews.returnOnline(context.parameters.get("id"), ReturnRequest(reason: input.fields["reason"] ?? ""),
                                                   staff: try context.requireIdentity(), locale: context.locale)
                return .seeOther("/staff/shops/\(slug)/offences")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await page(context, slug: slug, error: refusal.text, status: refusal.status)
            }
        }
    }

    private func page(_ context: AppRequestContext, slug given: String? = nil, selected: [String] = [], explanation: String = "", step: Int? = nil,
                      deviationReason: String = "", error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let slug = given ?? context.parameters.get("slug") ?? ""
        let ladder = try await reviews.offences(shop: slug, locale: context.locale)
        let candidates = try await reviews.offenceCandidates(slug: ladder.slug, including: selected, locale: context.locale).map {
            OffencesPage.Candidate(id: $0.id, label: $0.label, checked: selected.contains($0.id))
        }
        let chosen = step ?? ladder.proposedStep
        let steps = ladder.steps.map { FormField.Option(value: "\($0.number)", label: "\($0.number). \($0.text)", selected: $0.number == chosen) }
        let page = OffencesPage(chrome: renderer.chrome(context, titleKey: "offences_title", path: "/staff/reviews"), ladder: ladder,
                                hasOffences: !ladder.offences.isEmpty, hasLadder: !ladder.steps.isEmpty, candidates: candidates, steps: steps,
                                explanation: explanation, deviationReason: deviationReason, error: error)
        return renderer.render("reviews/offences", page, context: context, status: status)
    }
}

extension ReviewsService {
    /// The shop's reviews that staff may name in an offence: the newest not yet removed, and any
    /// named already.
    func offenceCandidates(slug: String, including named: [String], locale: AppLocale) async throws -> [(id: String, label: String)] {
        let db = desk.storage.db
        guard let shop = try await Shop.query(on: db).filter(\.$slug == slug).first(), let shopID = shop.id else { return [] }
        var rows = try await Review.query(on: db).filter(\.$shop.$id == shopID).filter(\.$state != Review.State.removed.rawValue)
            .sort(\.$createdAt, .descending).limit(50).all()
        let ids = named.compactMap(UUID.init(uuidString:)).filter { id in !rows.contains { $0.id == id } }
        if !ids.isEmpty { rows += try await Review.query(on: db).filter(\.$shop.$id == shopID).filter(\.$id ~~ ids).all() }
        return rows.compactMap { review in
            review.id.map { id in
                let text = review.text.map { " · " + String($0.prefix(80)) } ?? ""
                let score = review.fraudScore.map { " · \(desk.localizer.text("fraud_score", locale)) \($0)" } ?? ""
                return (id.uuidString, "\(review.overall) · \(review.authorName) · \(review.authorEmail)\(text)\(score)")
            }
        }
    }
}
