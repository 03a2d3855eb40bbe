import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdTesting
import NIOCore
import NIOSSL
import Synchronization
@testable import TrustmarkServer

/// Shop sites on 127.0.0.1 for the website checker: the files under `Sites/<host>/`, chosen by the
/// request's Host, and the awkward ones made in code (robots.txt that forbids, a redirect away, a
/// loop, 5 MB, a page that never ends, an image, bytes that are no UTF-8). A second server speaks TLS
/// with a self-signed certificate.
enum SiteFixtures {
    /// Whether 'wisselend.test' shows its changed page.
    static let changed = Mutex(false)
    /// The seal address 'kopie.test' shows (a copy of one of the test's shops' seals).
    static let copiedSeal = Mutex("")

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sites")
    static let tls = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("tls")

    /// Every host the fixtures answer for, to point the checker's DNS at loopback.
    static let hosts = ["fietsen-nl.test", "fahrrad-de.test", "bikes-en.test", "kaal.test", "verborgen.test", "zakelijk.test", "latin.test",
                        "robots.test", "weg.test", "elders.test", "lus.test", "groot.test", "eindeloos.test", "plaatje.test", "bytes.test",
                        "kapot.test", "dicht.test", "selfsigned.test", "halfdicht.test", "wisselend.test", "kopie.test", "logo.test", "nietsaan.test"]

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { request, _ in try answer(request) }
        router.get("**") { request, _ in try answer(request) }
        return router
    }

    static func answer(_ request: Request) throws -> Response {
        do {
            let host = (request.head.authority ?? "").split(separator: ":").first.map(String.init) ?? ""
            let path = request.uri.path
            switch (host, path) {
            case ("robots.test", "/robots.txt"), ("halfdicht.test", "/robots.txt"):
                let text = host == "robots.test" ? "User-agent: *\nDisallow: /\n" : "User-agent: *\nDisallow: /voorwaarden\n\nUser-agent: OtherBot\nDisallow:\n"
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
            case ("weg.test", "/"):
                return Response(status: .found, headers: [.location: "http://elders.test/"])
            case ("lus.test", _):
                return Response(status: .movedPermanently, headers: [.location: path == "/a" ? "/b" : "/a"])
            case ("groot.test", "/"):
                var page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Groot</title></head><body><p>KvK 45678901</p>"
                page += String(repeating: "<p>Fietsen, fietsen en nog eens fietsen voor iedereen.</p>\n", count: 90_000)
                page += "<p>Betaal met iDEAL.</p></body></html>"
                return html(page)
            case ("eindeloos.test", "/"):
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "<!doctype html><html><head><title>Eindeloos</title></head><body><p>KvK 56789012</p>"))
                    // 'Never' ends for the client: it gives up long before; the server stops writing after 3 s.
                    for _ in 0..<60 {
                        try await writer.write(ByteBuffer(string: "<p>nog even geduld</p>\n"))
                        try await Task.sleep(for: .milliseconds(50))
                    }
                })
            case ("plaatje.test", "/"):
                return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])))
            case ("bytes.test", "/"):
                return Response(status: .ok, headers: [.contentType: "text/html"],
                                body: .init(byteBuffer: ByteBuffer(bytes: Array("<html><body><p>Caf".utf8) + [0xE9, 0xFF, 0xFE] + Array(" KvK 12345678</p></body></html>".utf8))))
            case ("wisselend.test", "/"):
                // A shop whose site changes between two checks: the KvK number goes missing.
                let number = changed.withLock { $0 } ? "" : "<p>KvK 12345678 · btw NL123456782B01</p>"
                return html("<!doctype html><html><head><title>Wisselend</title></head><body><p>Fietsen BV, Markt 1, 1234 AB Utrecht</p>\(number)</body></html>")
            case ("kopie.test", _):
                let seal = copiedSeal.withLock { $0 }
                return html("<!doctype html><html><head><title>Kopie</title></head><body><p>Betrouwbaar!</p><a href=\"/\"><img src=\"\(seal)\" alt=\"Keurmerk\"></a></body></html>")
            case ("kapot.test", "/"):
                return Response(status: .internalServerError)
            default:
                return try file(host: host, path: path)
            }
        }
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func file(host: String, path: String) throws -> Response {
        guard !path.contains("..") else { return Response(status: .badRequest) }
        let url = directory.appendingPathComponent(host).appendingPathComponent(path == "/" ? "index.html" : String(path.dropFirst()))
        guard let data = FileManager.default.contents(atPath: url.path) else { return Response(status: .notFound) }
        // The Latin-1 site names its character set only inside the page.
        let type = host == "latin.test" ? "text/html" : "text/html; charset=utf-8"
        return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Runs `body` with the plain fixture server's port and the TLS one's.
    static func with(_ body: @Sendable (_ port: Int, _ tlsPort: Int) async throws -> Void) async throws {
        let plain = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let certificate = try NIOSSLCertificate.fromPEMFile(tls.appendingPathComponent("cert.pem").path)
        let key = try NIOSSLPrivateKey(file: tls.appendingPathComponent("key.pem").path, format: .pem)
        let secure = Application(router: router(), server: try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: certificate.map { .certificate($0) },
                                                                                                                        privateKey: .privateKey(key))),
                                 configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await plain.test(.live) { plainClient in
            try await secure.test(.live) { secureClient in
                try await body(try require(plainClient.port), try require(secureClient.port))
            }
        }
    }
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw CancellationError() }
    return value
}
