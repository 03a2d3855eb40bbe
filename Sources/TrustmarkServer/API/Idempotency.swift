import Crypto
import FluentKit
import Foundation
import Hummingbird
import HTTPTypes
import TrustmarkCore
import NIOCore

/// `Idempotency-Key` on POSTs to `/api/v1`: the first successful answer is kept and returned again
/// for a repeat with the same key and the same request, so a client that retries after a lost
/// answer does not apply twice or pay twice. The same key with a different request is refused.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: IdempotencyStore

    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, request.uri.path.hasPrefix("/api/"), let key = request.headers[Self.header] else {
            return try await next(request, context)
        }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw AppError.invalid("Idempotency-Key", "idempotency_key_invalid")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: JSONBody.maximumBody)
        } catch {
            throw AppError.tooLarge
        }
        var request = request
        request.body = .init(buffer: body)
        let scope = context.identity.map { identity in
            identity.apiKey.map { "key:\($0.keyID.uuidString)" } ?? "user:\(identity.userID.uuidString)"
        } ?? "public"
        let digest = IdempotencyStore.digest(method: "POST", path: request.uri.path, body: Data(buffer: body))
        switch try await store.claim(scope: scope, key: key, digest: digest) {
        case .replay(let status, let data):
            var response = JSONBody.raw(data, status: HTTPResponse.Status(code: status))
            response.headers[Self.replayed] = "true"
            return response
        case .claimed(let id):
            do {
                let response = try await next(request, context)
                guard (200..<300).contains(response.status.code) else {
                    try await store.release(id)
                    return response
                }
                let collector = Collector()
                try await response.body.write(CollectingWriter(box: collector))
                let data = collector.data
                try await store.complete(id, status: response.status.code, body: data)
                var copy = response
                copy.body = .init(byteBuffer: ByteBuffer(bytes: data))
                return copy
            } catch {
                try? await store.release(id)
                throw error
            }
        }
    }

    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = Data()
        func append(_ buffer: ByteBuffer) { lock.withLock { bytes.append(contentsOf: buffer.readableBytesView) } }
        var data: Data { lock.withLock { bytes } }
    }

    struct CollectingWriter: ResponseBodyWriter {
        let box: Collector
        mutating func write(_ buffer: ByteBuffer) async throws { box.append(buffer) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// The kept answers. A key is claimed before the work starts, so two copies of one request that
/// arrive together cannot both run: the second is told the first is still in progress.
struct IdempotencyStore: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock

    enum Claim: Sendable {
        case claimed(UUID)
        case replay(status: Int, body: Data)
    }

    /// The request's fingerprint; a JSON body counts by its content, whatever the order of its keys.
    static func digest(method: String, path: String, body: Data) -> String {
        var body = body
        if let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
           let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) {
            body = canonical
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(path)\n".utf8))
        hasher.update(data: body)
        return Hex.string(hasher.finalize())
    }

    func claim(scope: String, key: String, digest: String) async throws -> Claim {
        for _ in 0..<2 {
            if let existing = try await IdempotencyRecord.query(on: storage.db).filter(\.$scope == scope).filter(\.$key == key).first() {
                guard existing.requestDigest == digest else { throw AppError.invalid("Idempotency-Key", "idempotency_key_reused") }
                guard existing.status != 0 else { throw AppError.conflict("idempotency_in_progress", "idempotency_in_progress") }
                return .replay(status: existing.status, body: existing.body)
            }
            let record = IdempotencyRecord()
            record.scope = scope
            record.key = key
            record.requestDigest = digest
            record.status = 0
            record.body = Data()
            record.createdAt = clock.now()
            do {
                try await record.create(on: storage.db)
                return .claimed(try record.requireID())
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue
            }
        }
        throw AppError.conflict("idempotency_in_progress", "idempotency_in_progress")
    }

    func complete(_ id: UUID, status: Int, body: Data) async throws {
        guard let record = try await IdempotencyRecord.find(id, on: storage.db) else { return }
        record.status = status
        record.body = body
        try await record.save(on: storage.db)
    }

    func release(_ id: UUID) async throws {
        try await IdempotencyRecord.query(on: storage.db).filter(\.$id == id).delete()
    }
}
