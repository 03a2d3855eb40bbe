import FluentKit
import Foundation
import TrustmarkCore

/// A key as its owner sees it. `key` is there once: in the answer that made it.
struct APIKeyDTO: Codable, Sendable {
    let id: UUID
    let name: String
    let shop: String
    let shopName: String
    let hint: String
    let scopes: [String]
    let createdAt: Date
    let lastUsedAt: Date?
    let revokedAt: Date?
    var key: String?
}

struct APIKeyRequest: Codable, Sendable {
    let name: String
    /// The shop's slug or domain; may be left out when the member has one shop.
    var shop: String?
    let scopes: [String]
}

/// Members make keys for their shops' platforms in the portal or through the API (signed in, not
/// with a key), see when each was last used, and revoke them.
struct APIKeysService: Sendable {
    let desk: MembershipDesk
    /// Requests per key and minute (`TRUSTMARK_API_KEY_RATE`).
    let limiter: RateLimiter<UUID>

    static let maxNameLength = 80

    func create(_ request: APIKeyRequest, member: Identity) async throws -> APIKeyDTO {
        guard member.apiKey == nil else { throw AppError.forbidden }
        var problems = FormErrors()
        let name = request.name.trimmingWhitespace()
        if name.isEmpty || name.count > Self.maxNameLength { problems.add(.invalid("name", "api_key_name_invalid", ["max": "\(Self.maxNameLength)"])) }
        let scopes = Set(request.scopes.compactMap(APIScope.init(rawValue:)))
        if scopes.isEmpty || scopes.count != Set(request.scopes).count {
            problems.add(.invalid("scopes", "api_key_scopes_invalid", ["allowed": APIScope.allCases.map(\.rawValue).joined(separator: ", ")]))
        }
        guard let organisation = member.organisationID else { throw AppError.forbidden }
        var shop: Shop?
        do {
            shop = try await desk.ownShop(request.shop, member: member, missing: "api_key_shop_required", unknown: "api_key_shop_unknown")
        } catch let error as AppError where error.field != nil {
            problems.add(error)
        }
        try problems.throwIfAny()
        guard let shop else { throw AppError.forbidden }
        let secret = APIKeyFormat.generate()
        let key = APIKey()
        key.organisationID = organisation
        key.$shop.id = try shop.requireID()
        key.name = name
        key.hint = APIKeyFormat.hint(secret)
        key.keyDigest = SecretToken.digest(secret)
        key.scopesRaw = APIScope.joined(scopes)
        key.createdBy = member.userID
        key.createdAt = desk.clock.now()
        try await desk.storage.db.transaction { db in
            try await key.create(on: db)
            try await desk.note("api_key.created", organisation: key.organisationID, actor: Record.Actor(member),
                                detail: ["key": key.hint, "shop": shop.name, "scopes": key.scopesRaw], on: db)
        }
        var dto = Self.dto(key, shop: shop)
        dto.key = secret
        return dto
    }

    func list(member: Identity) async throws -> [APIKeyDTO] {
        guard let organisation = member.organisationID else { throw AppError.forbidden }
        let keys = try await APIKey.query(on: desk.storage.db).filter(\.$organisationID == organisation).with(\.$shop).sort(\.$createdAt, .descending).all()
        return keys.map { Self.dto($0, shop: $0.shop) }
    }

    func revoke(_ rawID: String?, member: Identity) async throws -> APIKeyDTO {
        guard member.apiKey == nil, let organisation = member.organisationID else { throw AppError.forbidden }
        guard let id = rawID.flatMap(UUID.init(uuidString:)),
              let key = try await APIKey.query(on: desk.storage.db).filter(\.$id == id).filter(\.$organisationID == organisation).with(\.$shop).first()
        else { throw AppError.notFound }
        guard key.revokedAt == nil else { throw AppError.conflict("api_key_revoked", "api_key_already_revoked") }
        key.revokedAt = desk.clock.now()
        key.revokedBy = member.userID
        try await desk.storage.db.transaction { db in
            try await key.save(on: db)
            try await desk.note("api_key.revoked", organisation: organisation, actor: Record.Actor(member), detail: ["key": key.hint], on: db)
        }
        return Self.dto(key, shop: key.shop)
    }

    /// Who a key acts for, or `nil` for an unknown or revoked key. Throws 429 beyond the key's rate.
    func identity(forKey secret: String, now: Date) async throws -> Identity? {
        let digest = SecretToken.digest(secret)
        guard let key = try await APIKey.query(on: desk.storage.db).filter(\.$keyDigest == digest).first(), key.revokedAt == nil,
              let owner = try await User.find(key.createdBy, on: desk.storage.db)
        else { return nil }
        let keyID = try key.requireID()
        if let wait = limiter.take(keyID, now: now) {
            throw AppError.tooManyRequests("rate_limited", "error_api_key_rate", seconds: wait, ["seconds": "\(wait)"])
        }
        if key.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            key.lastUsedAt = now
            try await key.save(on: desk.storage.db)
        }
        var identity = Identity(userID: key.createdBy, email: owner.email, displayName: key.name, role: .member, organisationID: key.organisationID,
                                proof: .apiKey, credentialDigest: digest)
        identity.apiKey = APIKeyGrant(keyID: keyID, shopID: key.$shop.id, scopes: key.scopes)
        return identity
    }

    static func dto(_ key: APIKey, shop: Shop) -> APIKeyDTO {
        APIKeyDTO(id: key.id ?? UUID(), name: key.name, shop: shop.slug ?? "", shopName: shop.name, hint: key.hint,
                  scopes: key.scopes.map(\.rawValue).sorted(), createdAt: key.createdAt, lastUsedAt: key.lastUsedAt, revokedAt: key.revokedAt, key: nil)
    }
}
