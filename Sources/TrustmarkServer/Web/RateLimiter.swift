import Foundation
import Synchronization
import TrustmarkCore

/// Token buckets by key (an API key, an address and form), kept in this instance's memory: each
/// instance allows the rate, so behind a load balancer a caller gets at most the rate times the
/// number of instances.
final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    let perMinute: Int
    /// Beyond this many keys the table starts afresh, so a flood of addresses cannot fill memory.
    static var maxKeys: Int { 100_000 }
    private let buckets = Mutex<[Key: RequestBucket]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// `nil` when the request may go ahead, else the seconds until it may.
    func take(_ key: Key, now: Date) -> Int? {
        buckets.withLock { buckets in
            if buckets.count >= Self.maxKeys { buckets.removeAll() }
            var bucket = buckets[key] ?? RequestBucket(capacity: perMinute, now: now)
            let wait = bucket.take(capacity: perMinute, perMinute: perMinute, now: now)
            buckets[key] = bucket
            return wait
        }
    }
}
