import Foundation
import Hummingbird
import TrustmarkCore

/// A user as the API shows it.
struct UserDTO: Codable, Sendable {
    let id: UUID
    let email: String
    let name: String
    let role: String
    let organisationId: UUID?
    let locale: String
    /// `active`, `invited` (no password set yet) or `disabled`.
    let status: String

    init(_ user: User) {
        self.id = user.id ?? UUID()
        self.email = user.email
        self.name = user.displayName
        self.role = user.roleRaw
        self.organisationId = user.$organisation.id
        self.locale = user.locale
        self.status = user.isDisabled ? "disabled" : (user.passwordHash == nil ? "invited" : "active")
    }
}

struct TokenRequest: Codable, Sendable {
    let email: String
    let password: String
}

struct TokenResponse: Codable, Sendable {
    let token: String
    let tokenType: String
    let expiresAt: Date
    let user: UserDTO
}

struct InvitationRequest: Codable, Sendable {
    let email: String
    let name: String
    let role: String
    let organisation: String?
    let locale: String?
}

/// A page of a list, the same shape for every list the API returns.
struct ListDTO<Item: Codable & Sendable>: Codable, Sendable {
    let items: [Item]
    let page: Int
    let size: Int
    let total: Int
    let pageCount: Int

    /// A list the API returns whole, in the same shape as a paginated one.
    init(all items: [Item]) {
        self.init(items: items, page: 1, size: max(items.count, 1), total: items.count, pageCount: 1)
    }

    /// A page of a paginated list.
    init(_ list: PagedList<Item>) {
        self.init(items: list.items, page: list.page, size: list.size, total: list.total, pageCount: list.pageCount)
    }

    init(items: [Item], page: Int, size: Int, total: Int, pageCount: Int) {
        self.items = items
        self.page = page
        self.size = size
        self.total = total
        self.pageCount = pageCount
    }
}

/// `/api/v1` operations on tokens and users.
struct AccountsAPI: Sendable {
    let accounts: AccountsService
    let users: UsersService

    func register(on routes: RouteTable) {
        routes.post("/api/v1/auth/token", .everyone, api: APIDoc("Exchange e-mail and password for a bearer token", tag: "auth", request: "TokenRequest", response: "TokenResponse", status: 201, errors: [400, 401, 403, 422])) { request, context in
            let body = try await JSONBody.decode(TokenRequest.self, from: request, context: context)
            guard body.email.count <= EmailAddress.maximumLength, body.password.utf8.count <= 1024 else {
                throw AppError.invalid(body.email.count > EmailAddress.maximumLength ? "email" : "password", "validation_too_long", ["max": body.email.count > EmailAddress.maximumLength ? "\(EmailAddress.maximumLength)" : "1024"])
            }
            let user = try await accounts.signIn(email: body.email, password: body.password, address: ClientAddress.forLimits(request, context))
            let issued = try await accounts.issueAPIToken(for: user)
            return JSONBody.response(TokenResponse(token: issued.token, tokenType: "Bearer", expiresAt: issued.expiresAt, user: UserDTO(user)), status: .created)
        }
        routes.delete("/api/v1/auth/token", .signedIn, api: APIDoc("Revoke the bearer token used for this request", tag: "auth", status: 204, errors: [401])) { _, context in
            guard let identity = context.identity else { throw AppError.unauthenticated }
            try await accounts.revokeAPIToken(digest: identity.credentialDigest)
            return Response(status: .noContent)
        }
        routes.get("/api/v1/me", .signedIn, api: APIDoc("The signed-in user", tag: "users", response: "User", errors: [401])) { _, context in
            guard let identity = context.identity, let user = try await User.find(identity.userID, on: accounts.storage.db) else { throw AppError.unauthenticated }
            return JSONBody.response(UserDTO(user))
        }
        routes.get("/api/v1/users", .roles([.admin]), api: APIDoc("List all user accounts", tag: "users", response: "UserList", query: ["page", "size"], errors: [401, 403])) { request, _ in
            let pageRequest = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: request.uri.queryParameters["size"].flatMap { Int($0) })
            let page = try await users.list(pageRequest)
            return JSONBody.response(ListDTO(items: page.items.map(UserDTO.init), page: page.page, size: page.size, total: page.total, pageCount: page.pageCount))
        }
        routes.post("/api/v1/users/invitations", .signedIn, api: APIDoc("Invite a person by e-mail", tag: "users", request: "InvitationRequest", response: "User", status: 201, errors: [400, 401, 403, 409, 422])) { request, context in
            guard let identity = context.identity else { throw AppError.unauthenticated }
            let body = try await JSONBody.decode(InvitationRequest.self, from: request, context: context)
            let (user, _) = try await users.invite(.init(email: body.email, name: body.name, role: body.role, organisation: body.organisation ?? "", locale: body.locale ?? context.locale.rawValue), by: identity)
            return JSONBody.response(UserDTO(user), status: .created)
        }
        for (verb, disable) in [("disable", true), ("enable", false)] {
            routes.post("/api/v1/users/{id}/\(verb)", .roles([.admin]), api: APIDoc(disable ? "Disable an account and end its sessions" : "Enable a disabled account", tag: "users", response: "User", errors: [401, 403, 404, 409])) { _, context in
                guard let identity = context.identity else { throw AppError.unauthenticated }
                guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
                return JSONBody.response(UserDTO(try await users.setDisabled(disable, userID: id, by: identity)))
            }
        }
    }
}
