import Hummingbird
import TrustmarkCore

/// How an API operation is described in `/openapi.json`.
public struct APIDoc: Sendable {
    public var summary: String
    public var tag: String
    public var requestSchema: String?
    public var responseSchema: String?
    public var successStatus: Int
    public var parameters: [String]
    public var errorStatuses: [Int]
    /// What a shop's API key needs to use it; without one, a key cannot (signed-in members can).
    public var scope: APIScope?

    public init(_ summary: String, tag: String, request: String? = nil, response: String? = nil, status: Int = 200, query: [String] = [], errors: [Int] = [],
                scope: APIScope? = nil) {
        self.summary = summary
        self.tag = tag
        self.requestSchema = request
        self.responseSchema = response
        self.successStatus = status
        self.parameters = query
        self.errorStatuses = errors
        self.scope = scope
    }
}

/// One registered route: what it is, who may use it, and for API routes how it is documented.
public struct RouteSpec: Sendable {
    public let method: HTTPRequest.Method
    public let path: String
    public let access: Access
    public let api: APIDoc?
    /// Whether a form post to it must carry the CSRF token.
    public var isForm: Bool { method != .get && method != .head && !path.hasPrefix("/api/") }
}

/// Every route goes through here, so each one declares its access and the full list can be walked by
/// tests (every route x every role) and turned into the OpenAPI document.
public final class RouteTable: @unchecked Sendable {
    public private(set) var specs: [RouteSpec] = []
    let router: Router<AppRequestContext>
    let environment: RunEnvironment

    init(router: Router<AppRequestContext>, environment: RunEnvironment) {
        self.router = router
        self.environment = environment
    }

    public typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response

    public func get(_ path: String, _ access: Access, api: APIDoc? = nil, _ handler: @escaping Handler) {
        add(.get, path, access, api: api, handler)
    }

    public func post(_ path: String, _ access: Access, api: APIDoc? = nil, _ handler: @escaping Handler) {
        add(.post, path, access, api: api, handler)
    }

    public func delete(_ path: String, _ access: Access, api: APIDoc? = nil, _ handler: @escaping Handler) {
        add(.delete, path, access, api: api, handler)
    }

    public func add(_ method: HTTPRequest.Method, _ path: String, _ access: Access, api: APIDoc? = nil, _ handler: @escaping Handler) {
        precondition(!specs.contains { $0.method == method && $0.path == path }, "route \(method) \(path) registered twice")
        precondition(api == nil || path.hasPrefix("/api/") || path.hasPrefix("/openapi") || path == "/healthz" || path == "/metrics")
        specs.append(RouteSpec(method: method, path: path, access: access, api: api))
        let environment = self.environment
        let isAPI = path.hasPrefix("/api/")
        router.on(RouterPath(path), method: method) { request, context in
            try Self.authorise(access, context: context, environment: environment, isAPI: isAPI)
            try Self.checkScope(api?.scope, access: access, context: context)
            return try await handler(request, context)
        }
    }

    /// A shop's API key reaches public operations and those its scopes name; nothing else.
    static func checkScope(_ scope: APIScope?, access: Access, context: AppRequestContext) throws {
        guard let grant = context.identity?.apiKey, access != .everyone else { return }
        guard let scope, grant.scopes.contains(scope) else {
            var error = AppError(.forbidden, code: "api_key_scope", messageKey: "error_api_key_scope", arguments: ["scope": scope?.rawValue ?? "-"])
            error.details = ["scope": scope?.rawValue ?? ""]
            throw error
        }
    }

    /// The access check, before any handler code: 404 for developer helpers in production, 401 for
    /// no (or an expired) sign-in, 403 for the wrong role or a disabled account.
    static func authorise(_ access: Access, context: AppRequestContext, environment: RunEnvironment, isAPI: Bool) throws {
        if access == .nonProduction, environment == .production { throw AppError.notFound }
        if access.admits(context.role) { return }
        if context.identity == nil {
            throw context.sessionExpired && !isAPI ? AppError.sessionExpired : AppError.unauthenticated
        }
        throw AppError.forbidden
    }
}
