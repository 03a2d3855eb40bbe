import Foundation
import HTTPTypes
import Testing
import TrustmarkCore
@testable import TrustmarkServer

#if canImport(Glibc)
import Glibc
#endif

/// Seals whose shop is in memory are answered on the connection itself (`SealChannelHandler`),
/// ahead of the application: they must say exactly what the application would say, and a client
/// that sends several requests at once must get its answers in order.
@Suite("The seal on the connection")
struct SealConnectionTests {
    @Test func aSealInMemoryIsAnsweredOnTheConnectionAsTheApplicationWould() async throws {
        try await TestApp.with(scheme: "keuronline", live: true) { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, membershipID, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let browser = Browser(client)
            let path = "/seal/\(slug).svg?lang=en"
            // The first request reads the shop from the database (through the application) ...
            let first = try await SealTests.seal(browser, path)
            #expect(first.headers[.server] == "Trustmark", "answered by the application")
            // ... after that the connection answers, with the same bytes and headers.
            let again = try await SealTests.seal(browser, path)
            #expect(again.headers[.server] == nil, "answered on the connection, from memory")
            #expect(again.status == .ok && again.body == first.body && again.body.contains("Valid member since 2027"))
            for field in [HTTPField.Name.contentType, .eTag, .cacheControl, .vary, .contentSecurityPolicy, .contentLength, .accessControlAllowOrigin] {
                #expect(again.headers[field] == first.headers[field], "\(field)")
            }
            let copied = try await SealTests.seal(browser, path, referer: "https://fake-shop.test/cart?visitor=1")
            #expect(copied.headers[.server] == nil && copied.body.contains("Not valid on this website"))
            let own = try await SealTests.seal(browser, path, referer: "HTTPS://WWW.Fietsen.test:443/checkout")
            #expect(own.body.contains("Valid member"), "scheme and host are read without regard to case, www. and the port")
            let held = try await SealTests.seal(browser, path, etag: first.headers[.eTag])
            #expect(held.status == .notModified && held.body.isEmpty)
            let head = try await browser.send(.head, path, body: nil, contentType: nil, headers: [:])
            #expect(head.status == .ok && head.body.isEmpty && head.headers[.contentLength] == String(first.body.utf8.count))

            // A status change is seen on the connection too, once the version counter is read again.
            let admin = try await journey.api("admin@trustmark.test")
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            _ = try await SealTests.seal(browser, path)
            let revoked = try await SealTests.seal(browser, path)
            #expect(revoked.headers[.server] == nil && revoked.body.contains("Revoked"))
            #expect(revoked.headers[.eTag] != first.headers[.eTag])

            // Several requests in one write: the seal waits for the answer before it.
            let port = try #require(client.port)
            let answers = try Self.rawExchange(port: port, """
                GET /api/v1/scheme HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\
                GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\
                GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n
                """)
            let scheme = try #require(answers.range(of: "\"name\""))
            let seal = try #require(answers.range(of: "<svg"))
            let health = try #require(answers.range(of: "HTTP/1.1", options: .backwards))
            #expect(scheme.lowerBound < seal.lowerBound && seal.lowerBound < health.lowerBound,
                    "answers come in the order of the requests")
        }
    }

    @Test func theWarmerReadsEveryShopAtOnceAndAnEventMakesItReadAgain() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, membershipID, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let request = SealRequest(slug: slug, locale: .en, width: 200, page: nil, signed: nil)
            #expect(app.seals.resolvedInMemory(request)?.image == nil, "nothing is in memory before the first read")
            #expect(try await app.seals.loadAll(batch: 1) >= 1)
            let valid = try #require(app.seals.resolvedInMemory(request)?.image)
            #expect(String(decoding: valid.body.readableBytesView, as: UTF8.self).contains("Valid member since 2027"))
            #expect(app.seals.resolvedInMemory(SealRequest(slug: "no-such-shop", locale: .en, width: 200, page: nil, signed: nil))?.image == nil)
            // The public records are read in the same batches, and say what a single read says.
            #expect(try await app.register.loadAll(batch: 1) >= 1)
            let batched = try #require(try await app.register.record(slug: slug))
            let single = try #require(try await PublicRegister(desk: app.register.desk, memberships: app.register.memberships, seals: app.seals).record(slug: slug))
            #expect(batched.digest == single.digest && batched.checks.count == single.checks.count && !batched.checks.isEmpty)
            #expect(batched.domains == single.domains && batched.legalName == single.legalName && batched.validUntil == single.validUntil)

            // The warmer then renders every shop's verification page ahead of its first visitor: the
            // page served is that one, and a visitor from the shop's own site gets the kept note.
            let browser = Browser(client)
            #expect(app.register.page(slug: slug, key: "nl") == nil)
            #expect(await app.verificationPages.prerender(locale: .nl) == 1)
            let ahead = try #require(app.register.page(slug: slug, key: "nl"))
            #expect(ahead.tail.contains("Geldig lid sinds 2027"))
            let first = try await SealTests.seal(browser, "/shops/\(slug)", referer: "https://fietsen.test/")
            let keptNote = try #require(app.register.page(slug: slug, key: "nl|fietsen.test"))
            #expect(first.headers[.eTag] == keptNote.etag)
            #expect(first.body.hasPrefix(ahead.head) && first.body.hasSuffix(ahead.tail) && first.body.contains("U kwam van een website van deze winkel"))
            #expect(!first.body.contains("Ingetrokken"))
            #expect(await app.verificationPages.prerender(locale: .nl) == 0, "a page that is kept is not rendered again")
            let tight = PublicRegister(desk: app.register.desk, memberships: app.register.memberships, seals: app.seals, pageBudget: 1000)
            _ = try await tight.record(slug: slug)
            #expect(await VerificationPages(register: tight, renderer: app.verificationPages.renderer).prerender(locale: .nl) == 0,
                    "rendering ahead stops at the budget")

            let admin = try await journey.api("admin@trustmark.test")
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            _ = try await app.seals.generation.current(now: app.clock.now())
            #expect(app.seals.resolvedInMemory(request)?.image == nil, "after an event the facts in memory are not trusted")
            try await app.seals.loadAll()
            let revoked = try #require(app.seals.resolvedInMemory(request)?.image)
            #expect(String(decoding: revoked.body.readableBytesView, as: UTF8.self).contains("Revoked"))
            #expect(try await browser.get("/shops/\(slug)").body.contains("Ingetrokken"), "a page rendered ahead goes with the event")
        }
    }

    /// Sends `text` over one TCP connection and reads until the server closes it.
    static func rawExchange(port: Int, _ text: String) throws -> String {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socketFD >= 0)
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let bytes = Array(text.utf8)
        try #require(send(socketFD, bytes, bytes.count, 0) == bytes.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
