import AsyncHTTPClient
import FluentKit
import Foundation
import NIOCore
import NIOHTTP1
import TrustmarkCore

/// What every delivery's body looks like: the event's id (the same on a replay), its type, when it
/// happened, the organisation it concerns, and the event's own facts.
struct WebhookEnvelope<Payload: Encodable & Sendable>: Encodable, Sendable {
    let id: UUID
    let type: String
    let createdAt: Date
    let organisationId: UUID?
    let data: Payload
}

/// Where features report events. `emit` runs inside the feature's own transaction, so a delivery is
/// queued exactly when the change it reports is stored.
enum WebhookEvents {
    /// The endpoints that want `event` from anyone (each caller picks its organisation's and the staff's).
    static func listening(for event: WebhookEvent, on db: any Database) async throws -> [WebhookEndpoint] {
        try await WebhookEndpoint.query(on: db).filter(\.$stateRaw != WebhookEndpoint.State.disabled.rawValue).all().filter { $0.events.contains(event) }
    }

    /// `endpoints`: the listeners when the caller read them already (a batch of events of one kind).
    static func emit(_ event: WebhookEvent, organisation: UUID?, data: some Encodable & Sendable, now: Date, endpoints listeners: [WebhookEndpoint]? = nil,
                     on db: any Database) async throws {
        let all = if let listeners { listeners } else { try await listening(for: event, on: db) }
        let endpoints = all.filter { $0.organisationID == nil || $0.organisationID == organisation }
        guard !endpoints.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let eventID = UUID()
        let body = String(decoding: try encoder.encode(WebhookEnvelope(id: eventID, type: event.rawValue, createdAt: now, organisationId: organisation, data: data)),
                          as: UTF8.self)
        for endpoint in endpoints {
            let delivery = WebhookDelivery()
            delivery.$endpoint.id = try endpoint.requireID()
            delivery.event = event.rawValue
            delivery.eventID = eventID
            delivery.payload = body
            delivery.stateRaw = WebhookDelivery.State.pending.rawValue
            delivery.attempts = 0
            delivery.createdAt = now
            try await delivery.create(on: db)
            try await JobQueue.enqueue(WebhooksService.deliverJob, payload: try delivery.requireID().uuidString, at: now,
                                       maxAttempts: WebhookSignature.maxAttempts, now: now, on: db)
        }
    }
}

/// Sends one delivery per job run. A receiver that does not answer 2xx in time makes the job fail,
/// and the queue tries again after its back-off; the last attempt marks the delivery failed, the
/// endpoint failing, and tells its owner.
struct WebhookSender: Sendable {
    let desk: MembershipDesk
    let timeout: TimeAmount

    /// Redirects are not followed: a receiver names its real address.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    static let keptResponse = 1000

    func deliver(_ context: JobContext) async throws {
        let db = desk.storage.db
        guard let id = UUID(uuidString: context.payload),
              let delivery = try await WebhookDelivery.query(on: db).filter(\.$id == id).with(\.$endpoint).first(),
              delivery.state == .pending
        else { return }
        let endpoint = delivery.endpoint
        guard endpoint.state != .disabled else {
            delivery.stateRaw = WebhookDelivery.State.failed.rawValue
            delivery.lastError = "endpoint disabled"
            try await delivery.save(on: db)
            return
        }
        let now = desk.clock.now()
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Trustmark-Webhooks/\(TrustmarkVersion.current)")
        request.headers.add(name: "Trustmark-Event", value: delivery.event)
        request.headers.add(name: "Trustmark-Event-Id", value: delivery.eventID.uuidString)
        request.headers.add(name: "Trustmark-Delivery", value: id.uuidString)
        let body = Data(delivery.payload.utf8)
        request.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(body: body, secret: endpoint.secret, timestamp: Int(now.timeIntervalSince1970)))
        request.body = .bytes(ByteBuffer(bytes: body))
        delivery.attempts = context.attempt
        var failure: String?
        do {
            let response = try await Self.client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: 64 * 1024)
            delivery.lastStatus = Int(response.status.code)
            delivery.lastResponse = String(String(buffer: answer).prefix(Self.keptResponse))
            if !(200..<300).contains(response.status.code) { failure = "HTTP \(response.status.code)" }
        } catch {
            delivery.lastStatus = nil
            delivery.lastResponse = nil
            failure = Self.describe(error)
        }
        delivery.lastError = failure
        guard let failure else {
            delivery.stateRaw = WebhookDelivery.State.delivered.rawValue
            delivery.deliveredAt = desk.clock.now()
            endpoint.failures = 0
            if endpoint.state == .failing {
                endpoint.stateRaw = WebhookEndpoint.State.active.rawValue
                endpoint.failingSince = nil
            }
            try await db.transaction { db in
                try await delivery.save(on: db)
                try await endpoint.save(on: db)
            }
            return
        }
        guard context.attempt >= WebhookSignature.maxAttempts else {
            try await delivery.save(on: db)
            throw WebhookFailure(message: failure)
        }
        delivery.stateRaw = WebhookDelivery.State.failed.rawValue
        endpoint.failures += 1
        let newlyFailing = endpoint.state == .active
        if newlyFailing {
            endpoint.stateRaw = WebhookEndpoint.State.failing.rawValue
            endpoint.failingSince = now
        }
        try await db.transaction { db in
            try await delivery.save(on: db)
            try await endpoint.save(on: db)
            if newlyFailing { try await tellOwner(endpoint, failure: failure, on: db) }
        }
    }

    private func tellOwner(_ endpoint: WebhookEndpoint, failure: String, on db: any Database) async throws {
        let url = endpoint.url, attempts = "\(WebhookSignature.maxAttempts)"
        let values: @Sendable (AppLocale) -> [String: String] = { _ in ["url": url, "error": failure, "attempts": attempts] }
        if let organisation = endpoint.organisationID {
            try await desk.mail(organisation, subject: "mail_webhook_failing_subject", body: "mail_webhook_failing_body", values, kind: "webhook_failing", on: db)
        } else {
            try await desk.mailAdmins(subject: "mail_webhook_failing_subject", body: "mail_webhook_failing_body", values, kind: "webhook_failing", on: db)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "timeout" }
            return "could not connect: \(error)"
        }
        return "could not connect: \(String(describing: error).prefix(200))"
    }
}

struct WebhookFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The facts of a `status.changed` event: a membership's standing (`scope` membership) or one
/// shop's seal (`scope` shop: suspended, back, ended).
struct StatusChangeData: Encodable, Sendable {
    let scope: String
    let shopId: UUID?
    let shop: String?
    let from: String
    let to: String
}

extension WebhookEvents {
    static func statusChanged(organisation: UUID, shop: Shop? = nil, from: String, to: String, now: Date, on db: any Database) async throws {
        guard from != to else { return }
        try await emit(.statusChanged, organisation: organisation,
                       data: StatusChangeData(scope: shop == nil ? "membership" : "shop", shopId: shop?.id, shop: shop?.slug, from: from, to: to), now: now, on: db)
    }
}
