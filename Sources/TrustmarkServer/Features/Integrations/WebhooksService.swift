import FluentKit
import Foundation
import TrustmarkCore

struct WebhookEndpointDTO: Codable, Sendable {
    let id: UUID
    let url: String
    let events: [String]
    let state: String
    let failures: Int
    let createdAt: Date
    let failingSince: Date?
    /// The signing secret: its owner needs it to check signatures.
    let secret: String
}

struct WebhookEndpointRequest: Codable, Sendable {
    let url: String
    let events: [String]
}

struct WebhookDeliveryDTO: Codable, Sendable {
    let id: UUID
    let endpointId: UUID
    let event: String
    let eventId: UUID
    let state: String
    let attempts: Int
    let lastStatus: Int?
    let lastResponse: String?
    let lastError: String?
    let replayOf: UUID?
    let createdAt: Date
    let deliveredAt: Date?
    let payload: String
}

/// Members and staff register HTTPS endpoints for events; each event becomes one delivery per
/// endpoint that asked for it, sent by the job queue, signed, retried, and kept with the answer.
/// A member's endpoints get its own organisation's events; staff endpoints (administrators') get all.
struct WebhooksService: Sendable {
    let desk: MembershipDesk
    let requireHTTPS: Bool

    static let deliverJob = "webhooks.deliver"
    static let maxEndpoints = 10
    static let maxURLLength = 500

    // MARK: endpoints

    func create(_ request: WebhookEndpointRequest, by actor: Identity) async throws -> WebhookEndpointDTO {
        let owner = try owner(of: actor)
        var problems = FormErrors()
        let url = request.url.trimmingWhitespace()
        if let problem = Self.problem(with: url, requireHTTPS: requireHTTPS) { problems.add(.invalid("url", problem)) }
        let events = Set(request.events.compactMap(WebhookEvent.init(rawValue:)))
        if events.isEmpty || events.count != Set(request.events).count {
            problems.add(.invalid("events", "webhook_events_invalid", ["allowed": WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")]))
        }
        try problems.throwIfAny()
        let db = desk.storage.db
        let existing = try await scoped(owner).count()
        guard existing < Self.maxEndpoints else { throw AppError.conflict("webhook_limit", "webhook_limit", ["max": "\(Self.maxEndpoints)"]) }
        let endpoint = WebhookEndpoint()
        endpoint.organisationID = owner
        endpoint.url = url
        endpoint.secret = "whsec_" + SecretToken.generate()
        endpoint.eventsRaw = WebhookEvent.joined(events)
        endpoint.stateRaw = WebhookEndpoint.State.active.rawValue
        endpoint.failures = 0
        endpoint.createdBy = actor.userID
        endpoint.createdAt = desk.clock.now()
        try await db.transaction { db in
            try await endpoint.create(on: db)
            try await Record.append(on: db, at: endpoint.createdAt, actor: Record.Actor(actor), action: "webhook.created", subjectType: "webhook",
                                    subjectID: try endpoint.requireID().uuidString, after: ["url": url, "events": endpoint.eventsRaw])
        }
        return Self.dto(endpoint)
    }

    func list(by actor: Identity) async throws -> [WebhookEndpointDTO] {
        try await scoped(try owner(of: actor)).sort(\.$createdAt).all().map(Self.dto)
    }

    func endpoint(_ rawID: String?, by actor: Identity) async throws -> WebhookEndpoint {
        guard let id = rawID.flatMap(UUID.init(uuidString:)), let endpoint = try await scoped(try owner(of: actor)).filter(\.$id == id).first() else {
            throw AppError.notFound
        }
        return endpoint
    }

    /// Switches an endpoint off (nothing more is queued for it) or on again (a failing one starts afresh).
    func setActive(_ rawID: String?, _ active: Bool, by actor: Identity) async throws -> WebhookEndpointDTO {
        let endpoint = try await endpoint(rawID, by: actor)
        endpoint.stateRaw = (active ? WebhookEndpoint.State.active : .disabled).rawValue
        if active {
            endpoint.failures = 0
            endpoint.failingSince = nil
        }
        try await desk.storage.db.transaction { db in
            try await endpoint.save(on: db)
            try await Record.append(on: db, at: desk.clock.now(), actor: Record.Actor(actor), action: active ? "webhook.enabled" : "webhook.disabled",
                                    subjectType: "webhook", subjectID: try endpoint.requireID().uuidString, after: ["url": endpoint.url])
        }
        return Self.dto(endpoint)
    }

    func deliveries(_ rawID: String?, by actor: Identity, paging: Paging) async throws -> ListDTO<WebhookDeliveryDTO> {
        let endpoint = try await endpoint(rawID, by: actor)
        let query = WebhookDelivery.query(on: desk.storage.db).filter(\.$endpoint.$id == (try endpoint.requireID()))
        let total = try await query.count()
        let rows = try await query.sort(\.$createdAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        return ListDTO(PagedList(items: rows.map(Self.dto), request: paging, total: total))
    }

    /// Sends a delivery again as a new delivery with the same event id, whatever became of the first.
    func replay(_ rawID: String?, by actor: Identity) async throws -> WebhookDeliveryDTO {
        let owner = try owner(of: actor)
        guard let id = rawID.flatMap(UUID.init(uuidString:)),
              let original = try await WebhookDelivery.query(on: desk.storage.db).filter(\.$id == id).with(\.$endpoint).first(),
              original.endpoint.organisationID == owner
        else { throw AppError.notFound }
        let now = desk.clock.now()
        let copy = WebhookDelivery()
        copy.$endpoint.id = original.$endpoint.id
        copy.event = original.event
        copy.eventID = original.eventID
        copy.payload = original.payload
        copy.stateRaw = WebhookDelivery.State.pending.rawValue
        copy.attempts = 0
        copy.replayOf = id
        copy.createdAt = now
        try await desk.storage.db.transaction { db in
            try await copy.create(on: db)
            try await JobQueue.enqueue(Self.deliverJob, payload: try copy.requireID().uuidString, at: now, maxAttempts: WebhookSignature.maxAttempts, now: now, on: db)
        }
        return Self.dto(copy)
    }

    // MARK: helpers

    /// Staff endpoints belong to no organisation; a member's to its own.
    private func owner(of actor: Identity) throws -> UUID? {
        guard actor.apiKey == nil else { throw AppError.forbidden }
        if actor.role == .member {
            guard let organisation = actor.organisationID else { throw AppError.forbidden }
            return organisation
        }
        guard actor.role == .admin else { throw AppError.forbidden }
        return nil
    }

    private func scoped(_ owner: UUID?) -> QueryBuilder<WebhookEndpoint> {
        let query = WebhookEndpoint.query(on: desk.storage.db)
        return owner.map { query.filter(\.$organisationID == $0) } ?? query.filter(\.$organisationID == nil)
    }

    /// Why `url` cannot receive deliveries, as a message key; `nil` when it can.
    static func problem(with url: String, requireHTTPS: Bool) -> String? {
        guard url.count <= maxURLLength, let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil
        else { return "webhook_url_invalid" }
        // Where HTTPS is required (production), the server's own network is no receiver: a member
        // must not make it post to loopback or private addresses.
        if requireHTTPS, isPrivate(host) { return "webhook_url_private" }
        if scheme == "https" { return nil }
        guard scheme == "http", !requireHTTPS else { return "webhook_url_https" }
        return nil
    }

    /// `localhost`, and IPv4 and IPv6 literals of loopback, private, link-local and unspecified ranges.
    static func isPrivate(_ rawHost: String) -> Bool {
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") || host.hasSuffix(".internal") { return true }
        let parts = host.split(separator: ".").compactMap { UInt8($0) }
        if parts.count == 4, host.split(separator: ".").count == 4 {
            switch (parts[0], parts[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
            case (172, let second) where (16...31).contains(second): return true
            case (100, let second) where (64...127).contains(second): return true
            default: return false
            }
        }
        if host.contains(":") {
            return host == "::" || host == "::1" || host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe80") || host.hasPrefix("::ffff:")
        }
        return false
    }

    static func dto(_ endpoint: WebhookEndpoint) -> WebhookEndpointDTO {
        WebhookEndpointDTO(id: endpoint.id ?? UUID(), url: endpoint.url, events: endpoint.events.map(\.rawValue).sorted(), state: endpoint.stateRaw,
                           failures: endpoint.failures, createdAt: endpoint.createdAt, failingSince: endpoint.failingSince, secret: endpoint.secret)
    }

    static func dto(_ delivery: WebhookDelivery) -> WebhookDeliveryDTO {
        WebhookDeliveryDTO(id: delivery.id ?? UUID(), endpointId: delivery.$endpoint.id, event: delivery.event, eventId: delivery.eventID, state: delivery.stateRaw,
                           attempts: delivery.attempts, lastStatus: delivery.lastStatus, lastResponse: delivery.lastResponse, lastError: delivery.lastError,
                           replayOf: delivery.replayOf, createdAt: delivery.createdAt, deliveredAt: delivery.deliveredAt, payload: delivery.payload)
    }
}
