import Foundation
import Hummingbird
import Logging
import TrustmarkCore

/// The signed-in person a request acts for, and how they proved it.
public struct Identity: Sendable {
    public enum Proof: Sendable { case session, bearerToken, apiKey }

    public let userID: UUID
    public let email: String
    public let displayName: String
    public let role: Role
    public let organisationID: UUID?
    public let proof: Proof
    /// The digest of the session or API token, so logout can end exactly this one.
    public let credentialDigest: String
    /// Set when a shop's API key made the request: the key, its shop and what it may do.
    public var apiKey: APIKeyGrant? = nil
}

/// What a shop's API key allows: one shop, some operations.
public struct APIKeyGrant: Sendable {
    public let keyID: UUID
    public let shopID: UUID
    public let scopes: Set<APIScope>
}

/// What every handler knows about the request beyond the HTTP message.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    public var locale: AppLocale = .fallback
    /// Set when the browser sent a session cookie that has run out, so the login page can say so.
    public var sessionExpired = false
    /// The double-submit token every form must echo back.
    public var csrfToken = ""
    /// The peer's IP address (kept with online signatures).
    public let remoteAddress: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    public var role: Role? { identity?.role }

    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Form posts and JSON bodies beyond this are refused with 413 before they are read whole.
    public var maxUploadSize: Int { 1024 * 1024 }
}

extension AppRequestContext {
    /// The signed-in caller; routes that admit only signed-in roles always have one.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw AppError.unauthenticated }
        return identity
    }

    /// A UUID path parameter; anything else is a 404.
    func requireID(_ name: String = "id") throws -> UUID {
        guard let id = parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        return id
    }
}
