import FluentKit
import Foundation
import TrustmarkCore

/// A shop's API key. Only the digest is kept; the key itself is shown once, when made.
final class APIKey: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Parent(key: "shop_id") var shop: Shop
    @Field(key: "name") var name: String
    /// The key's first characters, so its owner can tell it apart.
    @Field(key: "hint") var hint: String
    @Field(key: "key_digest") var keyDigest: String
    @Field(key: "scopes") var scopesRaw: String
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "revoked_by") var revokedBy: UUID?

    init() {}

    var scopes: Set<APIScope> { APIScope.parse(scopesRaw) }
}

/// Where a member (or, without an organisation, the staff) wants events delivered.
final class WebhookEndpoint: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    enum State: String, Sendable, CaseIterable {
        case active
        /// Deliveries kept failing; new events are still queued, and the owner was told.
        case failing
        /// Switched off by its owner.
        case disabled
    }

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "url") var url: String
    /// Signs every delivery; shown to the owner, who needs it to check the signature.
    @Field(key: "secret") var secret: String
    @Field(key: "events") var eventsRaw: String
    @Field(key: "state") var stateRaw: String
    /// Deliveries in a row that gave up; reset by the first one that arrives.
    @Field(key: "failures") var failures: Int
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "failing_since") var failingSince: Date?

    init() {}

    var events: Set<WebhookEvent> { Set(eventsRaw.split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) }) }
    var state: State { State(rawValue: stateRaw) ?? .active }
}

/// One event sent (or to be sent) to one endpoint, with the last attempt's outcome.
final class WebhookDelivery: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    enum State: String, Sendable, CaseIterable {
        case pending, delivered, failed
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "endpoint_id") var endpoint: WebhookEndpoint
    @Field(key: "event") var event: String
    /// The same for every endpoint an event went to, and for a replay, so receivers can drop repeats.
    @Field(key: "event_id") var eventID: UUID
    @Field(key: "payload") var payload: String
    @Field(key: "state") var stateRaw: String
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_status") var lastStatus: Int?
    @OptionalField(key: "last_response") var lastResponse: String?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "replay_of") var replayOf: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?

    init() {}

    var state: State { State(rawValue: stateRaw) ?? .pending }
}
