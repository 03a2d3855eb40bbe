import FluentKit
import Foundation

/// A signed-in browser. The cookie holds a random token; only its digest is stored, so sessions are
/// shared by every instance on the same database and a database copy cannot be used to sign in.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_digest") var tokenDigest: String
    @Parent(key: "user_id") var user: User
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(tokenDigest: String, userID: UUID, now: Date, expiresAt: Date) {
        self.tokenDigest = tokenDigest
        self.$user.id = userID
        self.createdAt = now
        self.lastSeenAt = now
        self.expiresAt = expiresAt
    }
}

/// A bearer token for `/api/v1`, issued by `POST /api/v1/auth/token`; stored as a digest.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_digest") var tokenDigest: String
    @Parent(key: "user_id") var user: User
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(tokenDigest: String, userID: UUID, now: Date, expiresAt: Date) {
        self.tokenDigest = tokenDigest
        self.$user.id = userID
        self.createdAt = now
        self.expiresAt = expiresAt
    }
}

/// A single-use link sent to a person: the first administrator's set-up, an invitation, a reset.
final class AccountToken: Model, @unchecked Sendable {
    static let schema = "account_tokens"

    enum Purpose: String, Sendable {
        case setup, invitation, passwordReset = "password_reset"
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "token_digest") var tokenDigest: String
    @Field(key: "purpose") var purposeRaw: String
    @OptionalParent(key: "user_id") var user: User?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(tokenDigest: String, purpose: Purpose, userID: UUID?, now: Date, expiresAt: Date) {
        self.tokenDigest = tokenDigest
        self.purposeRaw = purpose.rawValue
        self.$user.id = userID
        self.createdAt = now
        self.expiresAt = expiresAt
    }
}

/// Server-wide values that every instance must share, such as the key that signs consumer links.
final class Setting: Model, @unchecked Sendable {
    static let schema = "settings"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}

    init(key: String, value: String) {
        self.id = key
        self.value = value
    }
}

/// A sign-in that failed: which address was tried from where, and when.
final class LoginFailure: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date

    init() {}

    init(email: String, address: String, at: Date) {
        self.email = email
        self.address = address
        self.at = at
    }
}
