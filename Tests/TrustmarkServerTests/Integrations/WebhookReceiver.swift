import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A webshop platform's webhook receiver on 127.0.0.1: `/hook` keeps every delivery and answers
/// 200, `/fail` answers 500, `/slow` answers only after three seconds.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let signature: String
        let event: String
        let body: Data
    }

    private let kept = Mutex<[Delivery]>([])
    var deliveries: [Delivery] { kept.withLock { $0 } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.kept.withLock {
                $0.append(Delivery(signature: request.headers[HTTPField.Name("Trustmark-Signature")!] ?? "",
                                   event: request.headers[HTTPField.Name("Trustmark-Event")!] ?? "", body: Data(buffer: body)))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "thanks")))
        }
        router.post("/fail") { _, _ -> Response in
            Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "database down")))
        }
        router.post("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        return router
    }

    /// Runs `body` with the receiver listening; `body` gets its port.
    func run(_ body: @Sendable (Int) async throws -> Void) async throws {
        let app = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            guard let port = client.port else { throw CancellationError() }
            try await body(port)
        }
    }
}
