import Foundation
import Hummingbird
import TrustmarkCore

struct PrivacyRequest: Codable, Sendable { let email: String }
struct PrivacyNameRequest: Codable, Sendable { let name: String }
struct PrivacyConsentRequest: Codable, Sendable { let marketing: Bool }

/// `/privacy` for people and `/api/v1/privacy` for programs: ask for the link, then see, download,
/// correct and erase what is held on the address.
struct PrivacyRoutes: Sendable {
    let privacy: PrivacyService
    let renderer: Renderer

    struct RequestPage: Encodable, Sendable {
        let chrome: PageChrome
        let sent: Bool
        let error: String?
        let email: String
    }

    /// A complaint or review as the person reads it: its state in words.
    struct ItemView: Encodable, Sendable {
        let title: String
        let name: String
        let state: String
        let text: String?
    }

    struct OverviewPage: Encodable, Sendable {
        let chrome: PageChrome
        let token: String
        let data: PersonalDataDTO
        let complaints: [ItemView]
        let reviews: [ItemView]
        /// The name held now, to correct.
        let currentName: String
        let nothingLeft: Bool
        let hasComplaints: Bool
        let hasReviews: Bool
        let hasInvitations: Bool
        let hasMails: Bool
        let notice: String?
        let error: String?
    }

    func register(on routes: RouteTable) {
        routes.get("/privacy", .everyone) { _, context in requestPage(context, sent: false) }
        routes.post("/privacy", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                try await privacy.requestLink(input.fields["email"] ?? "", locale: context.locale)
                return requestPage(context, sent: true)
            } catch let error as AppError where error.field != nil {
                return requestPage(context, sent: false, error: renderer.localizer.text(error.messageKey, context.locale, error.arguments),
                                   email: input.fields["email"] ?? "", status: error.status)
            }
        }
        routes.get("/privacy/{token}", .everyone) { _, context in try await overview(context) }
        routes.get("/privacy/{token}/export.json", .everyone) { _, context in
            let email = try privacy.email(from: context.parameters.get("token"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            return Response.download(Array(try encoder.encode(try await privacy.report(email, locale: context.locale))), type: "application/json",
                                     name: "my-data-\(privacy.desk.today.description).json")
        }
        routes.post("/privacy/{token}/name", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let email = try privacy.email(from: context.parameters.get("token"))
            do {
                _ = try await privacy.correctName(email, to: input.fields["name"] ?? "")
                return try await overview(context, notice: renderer.localizer.text("privacy_name_corrected", context.locale))
            } catch let error as AppError where error.field != nil {
                return try await overview(context, error: renderer.localizer.text(error.messageKey, context.locale, error.arguments), status: error.status)
            }
        }
        routes.post("/privacy/{token}/consent", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let email = try privacy.email(from: context.parameters.get("token"))
            let given = input.fields["marketing"] == "yes"
            try await privacy.setMarketingConsent(email, given: given)
            return try await overview(context, notice: renderer.localizer.text(given ? "privacy_consent_given" : "privacy_consent_withdrawn", context.locale))
        }
        routes.post("/privacy/{token}/erase", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let email = try privacy.email(from: context.parameters.get("token"))
            guard input.fields["confirm"] == "yes" else {
                return try await overview(context, error: renderer.localizer.text("privacy_confirm_required", context.locale), status: .unprocessableContent)
            }
            _ = try await privacy.erase(email)
            return try await overview(context, notice: renderer.localizer.text("privacy_erased", context.locale))
        }

        routes.post("/api/v1/privacy/requests", .everyone, api: APIDoc("Mail a link to the data held on this address (the same answer whether any is held)",
                                                                     tag: "privacy", request: "PrivacyRequest", response: "Accepted", status: 202,
                                                                     errors: [422])) { request, context in
            let body = try await JSONBody.decode(PrivacyRequest.self, from: request, context: context)
            try await privacy.requestLink(body.email, locale: context.locale)
            return JSONBody.response(["status": "accepted"], status: .accepted)
        }
        routes.get("/api/v1/privacy/{token}", .everyone, api: APIDoc("Everything held on the link's address", tag: "privacy", response: "PersonalData",
                                                                    errors: [404, 410])) { _, context in
            JSONBody.response(try await privacy.report(try privacy.email(from: context.parameters.get("token")), locale: context.locale))
        }
        routes.post("/api/v1/privacy/{token}/name", .everyone, api: APIDoc("Correct the name held on the link's address", tag: "privacy",
                                                                          request: "PrivacyNameRequest", response: "PersonalData", errors: [404, 410, 422])) { request, context in
            let body = try await JSONBody.decode(PrivacyNameRequest.self, from: request, context: context)
            let email = try privacy.email(from: context.parameters.get("token"))
            _ = try await privacy.correctName(email, to: body.name)
            return JSONBody.response(try await privacy.report(email, locale: context.locale))
        }
        routes.post("/api/v1/privacy/{token}/consent", .everyone, api: APIDoc("Give or withdraw consent to news by mail", tag: "privacy",
                                                                             request: "PrivacyConsentRequest", response: "PersonalData", errors: [404, 410, 422])) { request, context in
            let body = try await JSONBody.decode(PrivacyConsentRequest.self, from: request, context: context)
            let email = try privacy.email(from: context.parameters.get("token"))
            try await privacy.setMarketingConsent(email, given: body.marketing)
            return JSONBody.response(try await privacy.report(email, locale: context.locale))
        }
        routes.post("/api/v1/privacy/{token}/erasure", .everyone, api: APIDoc("Erase the link's address's personal data (complaint facts stay, reviews go offline)",
                                                                             tag: "privacy", response: "Erasure", errors: [404, 410])) { _, context in
            JSONBody.response(try await privacy.erase(try privacy.email(from: context.parameters.get("token"))))
        }
    }

    private func requestPage(_ context: AppRequestContext, sent: Bool, error: String? = nil, email: String = "", status: HTTPResponse.Status = .ok) -> Response {
        renderer.render("privacy/request", RequestPage(chrome: renderer.chrome(context, titleKey: "privacy_title", path: "/privacy"), sent: sent, error: error,
                                                       email: email), context: context, status: status)
    }

    private func overview(_ context: AppRequestContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let data = try await privacy.report(try privacy.email(from: token), locale: context.locale)
        let empty = data.complaints.isEmpty && data.reviews.isEmpty && data.invitations.isEmpty && data.mails.isEmpty && !data.marketingConsent
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let complaints = data.complaints.map {
            ItemView(title: [$0.reference, $0.shop].compactMap { $0 }.joined(separator: " · "), name: $0.name, state: t("complaint_state_\($0.state)"), text: $0.description)
        }
        let reviews = data.reviews.map { ItemView(title: "\($0.shop) · \($0.overall)", name: $0.name, state: t("review_state_\($0.state)"), text: $0.text) }
        let currentName = data.complaints.last?.name ?? data.reviews.last?.name ?? ""
        return renderer.render("privacy/overview", OverviewPage(chrome: renderer.chrome(context, titleKey: "privacy_title", path: "/privacy"), token: token, data: data,
                                                                complaints: complaints, reviews: reviews, currentName: currentName == PrivacyService.erasedName ? "" : currentName,
                                                                nothingLeft: empty, hasComplaints: !data.complaints.isEmpty, hasReviews: !data.reviews.isEmpty,
                                                                hasInvitations: !data.invitations.isEmpty, hasMails: !data.mails.isEmpty, notice: notice, error: error), context: context, status: status)
    }
}
