import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TrustmarkCore

/// The seal answers one event loop keeps for itself. Every seal request of every member shop's page
/// views lands here; when the loop has answered the same address for the same `Referer` before, it
/// answers again from its own table, touching nothing that the other loops write: no lock, no shared
/// dictionary, no reference count that both cores fight over (measured, those were most of a seal's
/// cost). What it keeps stays good exactly as long as the seal service's own memory would give the
/// same answer:
/// - the facts it was decided on are still the ones the service keeps (`ShopSealFacts.isCurrent`:
///   an event, a moved tier or a fresh read retires them),
/// - they have not run out (the next midnight),
/// - the version counter is not due to be read again (asked of `SealCacheGeneration` at most every
///   10 ms of the machine's or the application's clock; when it is due the request goes to the
///   service, which reads it) and its generation is the one the answer was built in.
///
/// Where the seal is seen is still told to `SealSightings`: on a site that is not the shop's every
/// time (misuse is counted exactly), on the shop's own site once per `ownInterval`, as the sightings
/// would keep it anyway.
///
/// Only its event loop's thread touches it (`SealLoopCaches` hands out one per loop), hence
/// unchecked.
final class SealLoopCache: @unchecked Sendable {
    struct Key: Hashable {
        /// The request target as sent (path and query), and the `Referer` as sent ("" without).
        let target: String
        let referer: String
    }

    /// The page that showed the seal, when there was one and the shop is known.
    struct Sighting {
        let shop: UUID
        let host: String
        let url: String
        let own: Bool
    }

    final class Entry {
        let facts: ShopSealFacts
        let image: SealImageBytes
        let generation: Int
        let sighting: Sighting?
        var noted: Date

        init(facts: ShopSealFacts, image: SealImageBytes, generation: Int, sighting: Sighting?, noted: Date) {
            self.facts = facts
            self.image = image
            self.generation = generation
            self.sighting = sighting
            self.noted = noted
        }
    }

    /// Addresses kept at most; then the table starts again (invented addresses and Referers cannot
    /// grow memory without bound).
    let limit: Int
    private let controller: SealController
    private let clock: any TrustmarkClock
    private var entries: [Key: Entry] = [:]
    private var generation: Int?
    private var pollCheckedAt = NIODeadline.uptimeNanoseconds(0)
    private var pollCheckedNow = Date.distantPast
    private static let pollCheck = TimeAmount.milliseconds(10)

    init(controller: SealController, limit: Int = 250_000) {
        self.controller = controller
        self.clock = controller.seals.desk.clock
        self.limit = limit
        // Room for every address at once: growing the table copies it on the event loop, a pause that
        // every connection of the loop would wait for (about 5 ms at 100,000 addresses). Memory is
        // taken as the table fills.
        entries.reserveCapacity(limit)
    }

    var count: Int { entries.count }

    /// The answer to a plain seal request (GET or HEAD, HTTP/1.1, kept alive, no `Expect`) when
    /// everything it needs is in memory; nil for every other request, which goes on to the application.
    func answer(_ request: HTTPRequestHead) -> (head: HTTPResponseHead, body: ByteBuffer?)? {
        guard request.version == .http1_1, request.method == .GET || request.method == .HEAD,
              request.uri.utf8.starts(with: "/seal/".utf8) else { return nil }
        var referer: String?, ifNoneMatch: String?
        for (name, value) in request.headers {
            if Self.named(name, "referer") {
                referer = value
            } else if Self.named(name, "if-none-match") {
                ifNoneMatch = value
            } else if Self.named(name, "connection") {
                guard Self.named(value, "keep-alive") else { return nil }
            } else if Self.named(name, "expect") {
                return nil
            }
        }
        let now = clock.now()
        guard let generation = pollFresh(now: now) else { return nil }
        let key = Key(target: request.uri, referer: referer ?? "")
        let entry: Entry
        if let kept = entries[key], kept.generation == generation, kept.facts.isCurrent, kept.facts.expires > now {
            entry = kept
            note(entry, now: now)
        } else {
            guard let sealRequest = controller.sealRequest(target: request.uri, referer: referer),
                  let resolved = controller.seals.resolvedInMemory(sealRequest) else { return nil }
            let sighting = resolved.facts.shopID.flatMap { shop in sealRequest.page.map { Sighting(shop: shop, host: $0.host, url: $0.url, own: resolved.own) } }
            entry = Entry(facts: resolved.facts, image: resolved.image, generation: resolved.generation, sighting: sighting, noted: now)
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
        let (notModified, body) = entry.image.answer(ifNoneMatch: ifNoneMatch, head: request.method == .HEAD)
        return (notModified ? entry.image.notModifiedHead : entry.image.head, body)
    }

    /// The generation when the version counter is not due to be read; asks the counter's keeper at
    /// most every 10 ms of either clock (the application's may be set by hand).
    private func pollFresh(now: Date) -> Int? {
        let tick = NIODeadline.now()
        if let generation, tick - pollCheckedAt < Self.pollCheck, abs(now.timeIntervalSince(pollCheckedNow)) < 0.01 { return generation }
        generation = controller.seals.generation.known(now: now)
        pollCheckedAt = tick
        pollCheckedNow = now
        return generation
    }

    /// Tells the sightings where a kept answer was shown (resolving it told them the first time).
    private func note(_ entry: Entry, now: Date) {
        guard let sighting = entry.sighting else { return }
        let sightings = controller.seals.sightings
        if sighting.own, now.timeIntervalSince(entry.noted) < sightings.ownInterval { return }
        entry.noted = now
        sightings.saw(shop: sighting.shop, host: sighting.host, page: sighting.url, own: sighting.own, at: now)
    }

    /// `text` is `lowercase` without regard to ASCII case.
    static func named(_ text: String, _ lowercase: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        let bytes = text.utf8
        guard bytes.count == wanted.count else { return false }
        return zip(bytes, wanted).allSatisfy { byte, want in
            byte == want || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte + 32 == want)
        }
    }
}

/// One `SealLoopCache` per event loop, handed to each connection as it opens.
final class SealLoopCaches: Sendable {
    private let controller: SealController
    private let caches = Mutex<[ObjectIdentifier: SealLoopCache]>([:])

    init(controller: SealController) {
        self.controller = controller
    }

    /// The cache of `loop`, to be used on that loop only.
    func cache(for loop: any EventLoop) -> SealLoopCache {
        caches.withLock { caches in
            if let cache = caches[ObjectIdentifier(loop)] { return cache }
            let cache = SealLoopCache(controller: controller)
            caches[ObjectIdentifier(loop)] = cache
            return cache
        }
    }
}
