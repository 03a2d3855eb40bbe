import Foundation
import Hummingbird
import TrustmarkCore

struct WebhookStateRequest: Codable, Sendable { let active: Bool }

/// `/api/v1/webhooks`: a member's endpoints (its own events) or an administrator's (every event);
/// their deliveries with the receiver's answers, and replays.
struct WebhooksAPI: Sendable {
    let webhooks: WebhooksService
    static let owners: Set<Role> = [.member, .admin]

    func register(on routes: RouteTable) {
        routes.get("/api/v1/webhooks", .roles(Self.owners), api: APIDoc("Your webhook endpoints", tag: "integrations", response: "WebhookEndpointList")) { _, context in
            JSONBody.response(ListDTO(all: try await webhooks.list(by: try context.requireIdentity())))
        }
        routes.post("/api/v1/webhooks", .roles(Self.owners), api: APIDoc("Register an HTTPS endpoint for some events; deliveries are signed with its secret",
                                                                         tag: "integrations", request: "WebhookEndpointRequest", response: "WebhookEndpoint",
                                                                         status: 201, errors: [409, 422])) { request, context in
            let body = try await JSONBody.decode(WebhookEndpointRequest.self, from: request, context: context)
            return JSONBody.response(try await webhooks.create(body, by: try context.requireIdentity()), status: .created)
        }
        routes.post("/api/v1/webhooks/{id}/state", .roles(Self.owners), api: APIDoc("Switch an endpoint off, or on again (a failing one starts afresh)",
                                                                                    tag: "integrations", request: "WebhookStateRequest", response: "WebhookEndpoint",
                                                                                    errors: [404, 422])) { request, context in
            let body = try await JSONBody.decode(WebhookStateRequest.self, from: request, context: context)
            return JSONBody.response(try await webhooks.setActive(context.parameters.get("id"), body.active, by: try context.requireIdentity()))
        }
        routes.get("/api/v1/webhooks/{id}/deliveries", .roles(Self.owners), api: APIDoc("An endpoint's deliveries, newest first, with the receiver's answers",
                                                                                        tag: "integrations", response: "WebhookDeliveryList", query: ["page", "size"],
                                                                                        errors: [404])) { request, context in
            let query = request.uri.queryParameters
            let paging = Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) })
            return JSONBody.response(try await webhooks.deliveries(context.parameters.get("id"), by: try context.requireIdentity(), paging: paging))
        }
        routes.post("/api/v1/webhook-deliveries/{id}/replay", .roles(Self.owners), api: APIDoc("Send a delivery again (same event id, new delivery)",
                                                                                              tag: "integrations", response: "WebhookDelivery", status: 201,
                                                                                              errors: [404])) { _, context in
            JSONBody.response(try await webhooks.replay(context.parameters.get("id"), by: try context.requireIdentity()), status: .created)
        }
    }
}
