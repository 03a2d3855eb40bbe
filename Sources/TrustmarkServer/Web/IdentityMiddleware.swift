import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

/// Finds who is asking: API routes accept only bearer tokens (so a browser's cookie can never be
/// replayed against the API by another site), pages accept only the session cookie.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let storage: Storage
    let clock: any TrustmarkClock
    let apiKeys: APIKeysService

    static let sessionCookie = "trustmark_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let now = clock.now()
        if request.uri.path.hasPrefix("/api/") {
            if let header = request.headers[.authorization] {
                guard header.lowercased().hasPrefix("bearer "), case let token = String(header.dropFirst(7)).trimmingWhitespace(), !token.isEmpty else {
                    throw AppError.unauthenticated
                }
                // A token that is given but wrong is refused outright, even on public operations.
                let found = APIKeyFormat.isKey(token) ? try await apiKeys.identity(forKey: token, now: now) : try await bearerIdentity(token: token, now: now)
                guard let identity = found else { throw AppError.unauthenticated }
                context.identity = identity
            }
        } else if let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty {
            switch try await sessionIdentity(token: token, now: now) {
            case .valid(let identity): context.identity = identity
            case .expired: context.sessionExpired = true
            case .unknown: break
            }
        }
        return try await next(request, context)
    }

    enum SessionLookup { case valid(Identity), expired, unknown }

    func sessionIdentity(token: String, now: Date) async throws -> SessionLookup {
        let digest = SecretToken.digest(token)
        guard let session = try await WebSession.query(on: storage.db).filter(\.$tokenDigest == digest).with(\.$user).first() else {
            return .unknown
        }
        let user = session.user
        guard session.expiresAt > now, !user.isDisabled else {
            try await session.delete(on: storage.db)
            return .expired
        }
        if now.timeIntervalSince(session.lastSeenAt) > SessionPolicy.touchInterval {
            session.lastSeenAt = now
            session.expiresAt = SessionPolicy.expiry(createdAt: session.createdAt, lastSeen: now)
            try await session.save(on: storage.db)
        }
        return .valid(Identity(userID: try user.requireID(), email: user.email, displayName: user.displayName, role: user.role,
                               organisationID: user.$organisation.id, proof: .session, credentialDigest: digest))
    }

    func bearerIdentity(token: String, now: Date) async throws -> Identity? {
        let digest = SecretToken.digest(token)
        guard let apiToken = try await APIToken.query(on: storage.db).filter(\.$tokenDigest == digest).with(\.$user).first(),
              apiToken.revokedAt == nil, apiToken.expiresAt > now, !apiToken.user.isDisabled
        else { return nil }
        if apiToken.lastUsedAt.map({ now.timeIntervalSince($0) > SessionPolicy.touchInterval }) ?? true {
            apiToken.lastUsedAt = now
            try await apiToken.save(on: storage.db)
        }
        let user = apiToken.user
        return Identity(userID: try user.requireID(), email: user.email, displayName: user.displayName, role: user.role,
                        organisationID: user.$organisation.id, proof: .bearerToken, credentialDigest: digest)
    }
}

/// How long sign-ins last. Not scheme rules: these protect accounts, whatever trustmark is run.
enum SessionPolicy {
    /// A browser left alone this long must sign in again.
    static let idleLifetime: TimeInterval = 12 * 3600
    /// No session lives longer than this, however busy.
    static let absoluteLifetime: TimeInterval = 14 * 86400
    /// Bookkeeping writes at most this often per session.
    static let touchInterval: TimeInterval = 300
    static let apiTokenLifetime: TimeInterval = 30 * 86400
    static let invitationLifetime: TimeInterval = 7 * 86400
    static let resetLifetime: TimeInterval = 3600
    static let setupLifetime: TimeInterval = 7 * 86400

    static func expiry(createdAt: Date, lastSeen: Date) -> Date {
        min(lastSeen.addingTimeInterval(idleLifetime), createdAt.addingTimeInterval(absoluteLifetime))
    }
}
