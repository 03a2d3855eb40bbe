import FluentKit
import Foundation
import SQLKit

/// The counter every instance's seal cache polls; bumped in the transaction of any membership event.
enum SealVersion {
    static let key = "seal.version"

    static func bump(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = \(bind: key)").run()
    }

    static func current(on db: any Database) async throws -> String {
        try await Setting.find(key, on: db)?.value ?? "0"
    }
}

/// Watches `seal.version` for the in-memory caches of seals and verification pages: at most one
/// database read per `pollInterval`, and a local generation number that moves whenever the stored
/// counter moved (here or on another instance). A cache that holds an older generation clears itself.
/// One request reads when a read is due; the others answer with the generation they know meanwhile,
/// and the read goes to the read connection, so it never waits behind a write. (Every request
/// reading at once, on the writing connection, held seals up to 190 ms at 100,000 shops.)
final class SealCacheGeneration: @unchecked Sendable {
    let storage: Storage
    let pollInterval: TimeInterval
    private let lock = NSLock()
    private var version: String?
    private var generation = 0
    private var checkedAt = Date.distantPast
    private var reading = false
    /// Shops whose figures changed, polled at the same pace.
    let figures: ShopFiguresFeed

    init(storage: Storage, pollInterval: TimeInterval) {
        self.storage = storage
        self.pollInterval = pollInterval
        figures = ShopFiguresFeed(storage: storage, pollInterval: pollInterval)
    }

    /// The generation as last read, however long ago.
    var latest: Int { lock.withLock { generation } }

    /// The generation when it is known without a read (the last read is younger than
    /// `pollInterval`); nil when the counter is due to be read again.
    func known(now: Date) -> Int? {
        lock.withLock { now.timeIntervalSince(checkedAt) < pollInterval ? generation : nil }
    }

    /// The current generation; reads the counter only when the last read is `pollInterval` old.
    func current(now: Date) async throws -> Int {
        let (due, known) = lock.withLock { () -> (Bool, Int) in
            guard now.timeIntervalSince(checkedAt) >= pollInterval, !reading else { return (false, generation) }
            reading = true
            return (true, generation)
        }
        guard due else { return known }
        defer { lock.withLock { reading = false } }
        let stored = try await SealVersion.current(on: storage.reader)
        return lock.withLock {
            checkedAt = now
            if stored != version {
                version = stored
                generation += 1
            }
            return generation
        }
    }
}

/// The shops whose kept figures (`shop_stats`) changed lately, on any instance: read at most once per
/// `pollInterval`, in plain SQL, and handed to every cache that shows figures (the seal's tier, the
/// public record), so that a stream of reviews costs one read per interval instead of one per cache.
/// Whoever asks first when a read is due reads for all; no cache misses a read.
final class ShopFiguresFeed: @unchecked Sendable {
    struct Change: Decodable, Sendable {
        let shop_id: UUID
        let tier: String?
        let updated_at: Date
    }

    typealias Subscriber = @Sendable ([Change]) -> Void
    /// Rows committed a little late, or by an instance whose clock is a little behind, are read again.
    static let margin: TimeInterval = 5
    let storage: Storage
    let pollInterval: TimeInterval
    private let lock = NSLock()
    private var checkedAt = Date.distantPast
    private var subscribers: [Subscriber] = []

    init(storage: Storage, pollInterval: TimeInterval) {
        self.storage = storage
        self.pollInterval = pollInterval
    }

    func subscribe(_ subscriber: @escaping Subscriber) {
        lock.withLock { subscribers.append(subscriber) }
    }

    /// Reads the changes when the last read is `pollInterval` old, and hands them to every subscriber;
    /// true when it handed some.
    @discardableResult
    func refresh(now: Date) async throws -> Bool {
        let since: Date? = lock.withLock {
            guard now.timeIntervalSince(checkedAt) >= pollInterval else { return nil }
            defer { checkedAt = now }
            return checkedAt == .distantPast ? now : checkedAt
        }
        guard let since else { return false }
        guard let reader = storage.reader as? any SQLDatabase else { return false }
        let rows = try await reader.raw("""
            SELECT shop_id, tier, updated_at FROM shop_stats WHERE updated_at >= \(bind: since.addingTimeInterval(-Self.margin))
            """).all(decoding: Change.self)
        guard !rows.isEmpty else { return false }
        for subscriber in lock.withLock({ subscribers }) { subscriber(rows) }
        return true
    }
}
