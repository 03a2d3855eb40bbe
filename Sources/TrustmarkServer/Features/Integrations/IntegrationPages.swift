import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

/// `/portal/integrations`: a member's API keys and webhook endpoints; `/staff/integrations`: the
/// administrators' endpoints (every event). The same operations as `/api/v1/api-keys` and `/api/v1/webhooks`.
struct IntegrationPages: Sendable {
    let keys: APIKeysService
    let webhooks: WebhooksService
    let renderer: Renderer

    struct Choice: Encodable, Sendable {
        let value: String
        let label: String
        let checked: Bool
    }

    struct ListPage: Encodable, Sendable {
        let chrome: PageChrome
        let base: String
        let isMember: Bool
        let keys: [APIKeyRow]
        let hasKeys: Bool
        let shops: [Choice]
        let chooseShop: Bool
        let scopes: [Choice]
        let endpoints: [EndpointRow]
        let hasEndpoints: Bool
        let events: [Choice]
        let newKey: String?
        let apiBase: String
        let error: String?
        let values: [String: String]
    }

    struct APIKeyRow: Encodable, Sendable {
        let id: String
        let name: String
        let shop: String
        let hint: String
        let scopes: String
        let created: String
        let lastUsed: String
        let revoked: String?
    }

    struct EndpointRow: Encodable, Sendable {
        let id: String
        let url: String
        let events: [String]
        /// The state in words, with the failures in a row when there are any.
        let state: String
    }

    struct DetailPage: Encodable, Sendable {
        let chrome: PageChrome
        let base: String
        let endpoint: WebhookEndpointDTO
        let state: String
        let events: String
        let active: Bool
        let deliveries: [DeliveryRow]
        let hasDeliveries: Bool
    }

    struct DeliveryRow: Encodable, Sendable {
        let id: String
        let event: String
        let at: String
        let state: String
        let attempts: Int
        let answer: String
        let replay: Bool
    }

    func register(on routes: RouteTable) {
        for (base, roles) in [("/portal/integrations", Set([Role.member])), ("/staff/integrations", Set([Role.admin]))] {
            routes.get(base, .roles(roles)) { _, context in try await list(base, context: context) }
            routes.post(base + "/webhooks", .roles(roles)) { request, context in
                let input = try await FormInput.parse(request, context: context)
                do {
                    _ = try await webhooks.create(WebhookEndpointRequest(url: input.fields["url"] ?? "", events: input.all("events")), by: try context.requireIdentity())
                    return .seeOther(base)
                } catch {
                    guard let refusal = renderer.refusal(error, context) else { throw error }
                    return try await list(base, context: context, error: refusal.text, values: input.fields, status: refusal.status)
                }
            }
            routes.get(base + "/webhooks/{id}", .roles(roles)) { _, context in try await detail(base, context: context) }
            routes.post(base + "/webhooks/{id}/state", .roles(roles)) { request, context in
                let input = try await FormInput.parse(request, context: context)
                let id = context.parameters.get("id")
                _ = try await webhooks.setActive(id, input.fields["active"] == "yes", by: try context.requireIdentity())
                return .seeOther("\(base)/webhooks/\(id ?? "")")
            }
            routes.post(base + "/deliveries/{id}/replay", .roles(roles)) { request, context in
                _ = try await FormInput.parse(request, context: context)
                let copy = try await webhooks.replay(context.parameters.get("id"), by: try context.requireIdentity())
                return .seeOther("\(base)/webhooks/\(copy.endpointId.uuidString)")
            }
        }
        routes.post("/portal/integrations/keys", .roles([.member])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                let made = try await keys.create(APIKeyRequest(name: input.fields["name"] ?? "", shop: input.fields["shop"], scopes: input.all("scopes")),
                                                 member: try context.requireIdentity())
                // The key is shown on this answer only: it is not stored.
                return try await list("/portal/integrations", context: context, newKey: made.key)
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await list("/portal/integrations", context: context, error: refusal.text, values: input.fields, status: refusal.status)
            }
        }
        routes.post("/portal/integrations/keys/{id}/revoke", .roles([.member])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            do {
                _ = try await keys.revoke(context.parameters.get("id"), member: try context.requireIdentity())
                return .seeOther("/portal/integrations")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await list("/portal/integrations", context: context, error: refusal.text, status: refusal.status)
            }
        }
    }

    private func list(_ base: String, context: AppRequestContext, newKey: String? = nil, error: String? = nil, values: [String: String] = [:],
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let identity = try context.requireIdentity()
        let isMember = identity.role == .member
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let moment = { (date: Date?) in date.map { DateText.moment($0, timeZone: keys.desk.timeZone) } }
        var rows: [APIKeyRow] = []
        var shops: [Choice] = []
        if isMember, let organisation = identity.organisationID {
            rows = try await keys.list(member: identity).map { key in
                APIKeyRow(id: key.id.uuidString, name: key.name, shop: key.shopName, hint: key.hint, scopes: key.scopes.map { t("api_scope_\($0)") }.joined(separator: ", "),
                          created: moment(key.createdAt) ?? "", lastUsed: moment(key.lastUsedAt) ?? t("api_key_never_used"), revoked: moment(key.revokedAt))
            }
            shops = try await Shop.query(on: keys.desk.storage.db).filter(\.$organisation.$id == organisation).filter(\.$stateRaw == Shop.State.approved.rawValue)
                .sort(\.$name).all().map { Choice(value: $0.slug ?? "", label: $0.name, checked: values["shop"] == $0.slug) }
        }
        let endpoints = try await webhooks.list(by: identity).map { EndpointRow(id: $0.id.uuidString, url: $0.url, events: $0.events, state: stateText($0, t)) }
        let page = ListPage(
            chrome: renderer.chrome(context, titleKey: "integrations_title", path: base), base: base, isMember: isMember, keys: rows, hasKeys: !rows.isEmpty,
            shops: shops, chooseShop: shops.count > 1,
            scopes: APIScope.allCases.map { Choice(value: $0.rawValue, label: t("api_scope_\($0.rawValue)"), checked: false) },
            endpoints: endpoints, hasEndpoints: !endpoints.isEmpty,
            events: WebhookEvent.allCases.map { Choice(value: $0.rawValue, label: t("webhook_event_\($0.rawValue)"), checked: false) },
            newKey: newKey, apiBase: keys.desk.baseURL + "/api/v1", error: error, values: values)
        return renderer.render("integrations/list", page, context: context, status: status)
    }

    private func stateText(_ endpoint: WebhookEndpointDTO, _ t: (String) -> String) -> String {
        t("webhook_state_\(endpoint.state)") + (endpoint.failures > 0 ? " · \(t("webhook_failures")) \(endpoint.failures)" : "")
    }

    private func detail(_ base: String, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let endpoint = try await webhooks.endpoint(context.parameters.get("id"), by: identity)
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let list = try await webhooks.deliveries(context.parameters.get("id"), by: identity, paging: Paging(page: 1, size: 50))
        let rows = list.items.map { delivery in
            DeliveryRow(id: delivery.id.uuidString, event: t("webhook_event_\(delivery.event)"), at: DateText.moment(delivery.createdAt, timeZone: keys.desk.timeZone),
                        state: t("webhook_delivery_\(delivery.state)"), attempts: delivery.attempts,
                        answer: [delivery.lastStatus.map { "HTTP \($0)" }, delivery.lastError, delivery.lastResponse].compactMap { $0 }.joined(separator: " · "),
                        replay: delivery.state != "pending")
        }
        let dto = WebhooksService.dto(endpoint)
        let page = DetailPage(chrome: renderer.chrome(context, titleKey: "integrations_webhook_title", path: base), base: base, endpoint: dto, state: stateText(dto, t),
                              events: dto.events.map { t("webhook_event_\($0)") }.joined(separator: ", "), active: endpoint.state != .disabled,
                              deliveries: rows, hasDeliveries: !rows.isEmpty)
        return renderer.render("integrations/webhook", page, context: context)
    }
}
