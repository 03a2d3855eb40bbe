import Foundation
import Hummingbird
import TrustmarkCore

/// `/api/v1/api-keys`: a member makes, lists and revokes its shops' keys (signed in, never with a key).
struct APIKeysAPI: Sendable {
    let keys: APIKeysService

    func register(on routes: RouteTable) {
        routes.get("/api/v1/api-keys", .roles([.member]), api: APIDoc("The organisation's API keys (never the keys themselves)", tag: "integrations",
                                                                      response: "APIKeyList")) { _, context in
            JSONBody.response(ListDTO(all: try await keys.list(member: try context.requireIdentity())))
        }
        routes.post("/api/v1/api-keys", .roles([.member]), api: APIDoc("Make a key for one shop with some scopes; the key is in this answer only",
                                                                       tag: "integrations", request: "APIKeyRequest", response: "APIKey", status: 201,
                                                                       errors: [403, 422])) { request, context in
            let body = try await JSONBody.decode(APIKeyRequest.self, from: request, context: context)
            return JSONBody.response(try await keys.create(body, member: try context.requireIdentity()), status: .created)
        }
        routes.post("/api/v1/api-keys/{id}/revocation", .roles([.member]), api: APIDoc("Revoke a key; it stops working at once", tag: "integrations",
                                                                                       response: "APIKey", errors: [404, 409])) { _, context in
            JSONBody.response(try await keys.revoke(context.parameters.get("id"), member: try context.requireIdentity()))
        }
    }
}
