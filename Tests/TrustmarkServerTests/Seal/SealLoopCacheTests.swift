import FluentKit
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Each event loop keeps the seal answers it gave (`SealLoopCache`), so that a repeated seal request
/// touches nothing the other loop writes. What it keeps must say what the seal service would say,
/// count misuse exactly and go as soon as the facts behind it change.
@Suite("The seal answers an event loop keeps")
struct SealLoopCacheTests {
    static func get(_ target: String, referer: String? = nil, headers: [(String, String)] = [], method: HTTPMethod = .GET,
                    version: HTTPVersion = .http1_1) -> HTTPRequestHead {
        var fields = HTTPHeaders([("Host", "seal.test")] + headers)
        if let referer { fields.add(name: "Referer", value: referer) }
        return HTTPRequestHead(version: version, method: method, uri: target, headers: fields)
    }

    static func text(_ answer: (head: HTTPResponseHead, body: ByteBuffer?)?) -> String {
        answer?.body.map { String(buffer: $0) } ?? ""
    }

    @Test func keptAnswersSayWhatTheServiceSaysCountMisuseAndGoWithTheirFacts() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, membershipID, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let cache = SealLoopCache(controller: SealController(seals: app.seals, ownHost: nil), limit: 4)
            let path = "/seal/\(slug).svg?lang=en"
            #expect(cache.answer(Self.get(path)) == nil, "the shop is not in memory yet: the application reads it")
            #expect(try await app.seals.loadAll() == 1)

            let own = try #require(cache.answer(Self.get(path, referer: "https://fietsen.test/")))
            #expect(own.head.status == .ok && Self.text(own).contains("Valid member since 2027"))
            #expect(own.head.headers["Content-Type"] == ["image/svg+xml; charset=utf-8"] && own.head.headers["Vary"] == ["Referer"])
            #expect(own.head.headers["Content-Length"] == [String(own.body?.readableBytes ?? -1)])
            #expect(Self.text(cache.answer(Self.get(path, referer: "https://fietsen.test/"))) == Self.text(own))
            let etag = try #require(own.head.headers["ETag"].first)
            let held = try #require(cache.answer(Self.get(path, referer: "https://fietsen.test/", headers: [("If-None-Match", etag)])))
            #expect(held.head.status == .notModified && held.body == nil && held.head.headers["Content-Length"].isEmpty)
            let head = try #require(cache.answer(Self.get(path, referer: "https://fietsen.test/", method: .HEAD)))
            #expect(head.head.status == .ok && head.body == nil)

            // A copied seal says so every time, and every showing counts towards the misuse case.
            for _ in 1...3 {
                #expect(Self.text(cache.answer(Self.get(path, referer: "https://nep-fietsen.test/kopen"))).contains("Not valid on this website"))
            }
            try await app.seals.sightings.flush()
            let copied = try await SealSighting.query(on: app.storage.db).filter(\.$host == "nep-fietsen.test").first()
            #expect(copied?.count == 3 && copied?.ownDomain == false && copied?.lastPage == "https://nep-fietsen.test/kopen")
            let seen = try await SealSighting.query(on: app.storage.db).filter(\.$host == "fietsen.test").first()
            #expect(seen?.ownDomain == true, "the shop's own site is noted as seen")

            // What the application must answer itself.
            #expect(cache.answer(Self.get(path, method: .POST)) == nil)
            #expect(cache.answer(Self.get(path, version: .http1_0)) == nil)
            #expect(cache.answer(Self.get(path, headers: [("Connection", "close")])) == nil)
            #expect(cache.answer(Self.get(path, headers: [("Expect", "100-continue")])) == nil)
            #expect(cache.answer(Self.get("/seal/../etc/passwd")) == nil && cache.answer(Self.get("/shops/\(slug)")) == nil)
            #expect(cache.count <= 4, "the table starts again at its limit")

            // A status change: once the counter is due, the request goes to the application, and the
            // kept answer goes with the facts it was built from.
            let admin = try await journey.api("admin@trustmark.test")
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(cache.answer(Self.get(path, referer: "https://fietsen.test/")) == nil)
            _ = try await app.seals.generation.current(now: app.clock.now())
            try await app.seals.loadAll()
            #expect(Self.text(cache.answer(Self.get(path, referer: "https://fietsen.test/"))).contains("Revoked"))
        }
    }

    @Test func headerNamesAreReadWithoutRegardToCase() {
        #expect(SealLoopCache.named("Referer", "referer") && SealLoopCache.named("IF-NONE-MATCH", "if-none-match"))
        #expect(!SealLoopCache.named("Referrer", "referer") && !SealLoopCache.named("refere", "referer") && !SealLoopCache.named("keep_alive", "keep-alive"))
    }
}
