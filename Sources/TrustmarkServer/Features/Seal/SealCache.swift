import FluentKit
import Foundation
import SQLKit

/// The counter every instance's seal cache polls, moved in the transaction of any membership event.
/// Each event row carries the value its transaction set (`membership_events.seal_version`). The
/// counter's row is locked from the update until the commit, so values are taken in commit order:
/// once an instance reads value V, every event up to V is visible to it, however long its transaction
/// ran or whatever the clocks said.
enum SealVersion {
    static let key = "seal.version"

    /// Moves the counter and returns its new value (nil on a database without SQL).
    static func bump(on db: any Database) async throws -> Int? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct Row: Decodable { let value: String }
        let row = try await sql.raw("""
            UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = \(bind: key) RETURNING value
            """).first(decoding: Row.self)
        return row.flatMap { Int($0.value) }
    }

    static func current(on db: any Database) async throws -> Int {
        try await Setting.find(key, on: db).flatMap { Int($0.value) } ?? 0
    }
}

/// Watches `seal.version` for the in-memory caches of seals and verification pages: at most one
/// database read per `pollInterval`. When the counter moved, it reads which organisations had an
/// event since the value it knew and hands them to every cache (`subscribe`), which forgets just
/// those organisations' shops; an invoice run over thousands of members no longer empties the
/// caches of a hundred thousand shops. Only a counter that went back (a restored database) moves the
/// local generation, and a cache that holds an older generation clears itself.
/// One request reads when a read is due; the others answer with what they know meanwhile, and the
/// read goes to the read connection, so it never waits behind a write. (Every request reading at
/// once, on the writing connection, held seals up to 190 ms at 100,000 shops.)
final class SealCacheGeneration: @unchecked Sendable {
    typealias Subscriber = @Sendable (Set<UUID>) -> Void
    let storage: Storage
    let pollInterval: TimeInterval
    private let lock = NSLock()
    private var version: Int?
    private var generation = 0
    private var pace: PollPace
    private var reading = false
    private var subscribers: [Subscriber] = []
    /// Shops whose figures changed, polled at the same pace.
    let figures: ShopFiguresFeed

    init(storage: Storage, pollInterval: TimeInterval) {
        self.storage = storage
        self.pollInterval = pollInterval
        pace = PollPace(interval: pollInterval)
        figures = ShopFiguresFeed(storage: storage, pollInterval: pollInterval)
    }

    /// `subscriber` is handed the organisations that had a membership event, once per read that found some.
    func subscribe(_ subscriber: @escaping Subscriber) {
        lock.withLock { subscribers.append(subscriber) }
    }

    /// The generation as last read, however long ago.
    var latest: Int { lock.withLock { generation } }

    /// The generation when it is known without a read (the last read is younger than
    /// `pollInterval`); nil when the counter is due to be read again.
    func known(now: Date) -> Int? {
        lock.withLock { pace.isDue(now: now) ? nil : generation }
    }

    /// The current generation; reads the counter only when the last read is `pollInterval` old, and
    /// then the organisations whose events moved it.
    func current(now: Date) async throws -> Int {
        let (due, known) = lock.withLock { () -> (Bool, Int) in
            guard pace.isDue(now: now), !reading else { return (false, generation) }
            reading = true
            return (true, generation)
        }
        guard due else { return known }
        defer { lock.withLock { reading = false } }
        let stored = try await SealVersion.current(on: storage.reader)
        let held = lock.withLock { version }
        var changed: Set<UUID> = []
        if let held, stored > held, let reader = storage.reader as? any SQLDatabase {
            struct Row: Decodable { let organisation_id: UUID }
            changed = Set(try await reader.raw("""
                SELECT DISTINCT organisation_id FROM membership_events WHERE seal_version > \(bind: held) AND seal_version <= \(bind: stored)
                """).all(decoding: Row.self).map(\.organisation_id))
        }
        let (read, handTo) = lock.withLock { () -> (Int, [Subscriber]) in
            if let version, stored < version { generation += 1 }
            version = stored
            return (generation, subscribers)
        }
        if !changed.isEmpty { for subscriber in handTo { subscriber(changed) } }
        lock.withLock { pace.mark(now: now) }
        return read
    }
}

/// What a cache needs to forget an organisation's shops without losing a read that raced the
/// event: the shops kept per organisation, and when each organisation was last forgotten. A read
/// notes `epoch` before it asks the database and keeps its result only if the organisation was not
/// forgotten since. Not locked itself: its owner holds its lock around every call.
struct OrganisationIndex {
    private(set) var epoch = 0
    private var slugs: [UUID: Set<String>] = [:]
    private var forgottenAt: [UUID: Int] = [:]

    mutating func add(_ slug: String, of organisation: UUID?) {
        guard let organisation else { return }
        slugs[organisation, default: []].insert(slug)
    }

    /// The slugs kept for `organisations`, now marked forgotten.
    mutating func forget(_ organisations: Set<UUID>) -> [String] {
        epoch += 1
        var dropped: [String] = []
        for organisation in organisations {
            forgottenAt[organisation] = epoch
            dropped += slugs.removeValue(forKey: organisation) ?? []
        }
        return dropped
    }

    /// Whether a read that began at `epoch` may still be kept for `organisation` (for a shop that
    /// was not found, whether nothing at all was forgotten since).
    func mayKeep(_ organisation: UUID?, readAt epoch: Int) -> Bool {
        guard let organisation else { return epoch == self.epoch }
        return (forgottenAt[organisation] ?? 0) <= epoch
    }

    mutating func removeAll() {
        slugs.removeAll()
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
    private var pace: PollPace
    private var subscribers: [Subscriber] = []

    init(storage: Storage, pollInterval: TimeInterval) {
        self.storage = storage
        self.pollInterval = pollInterval
        pace = PollPace(interval: pollInterval)
    }

    func subscribe(_ subscriber: @escaping Subscriber) {
        lock.withLock { subscribers.append(subscriber) }
    }

    /// Reads the changes when the last read is `pollInterval` old, and hands them to every subscriber;
    /// true when it handed some.
    @discardableResult
    func refresh(now: Date) async throws -> Bool {
        let since: Date? = lock.withLock {
            guard pace.isDue(now: now) else { return nil }
            let last = pace.checkedAt
            pace.mark(now: now)
            // A clock that stood still since the last read (a settable one) reads the same stretch again.
            return last == .distantPast ? now : min(last, now)
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

/// When a poll is due: once `interval` has passed on the application's clock or on the machine's,
/// whichever comes first. A settable clock (development, the browser journeys) stands still between
/// moves, and a change must still reach the caches within the interval.
struct PollPace {
    let interval: TimeInterval
    private(set) var checkedAt = Date.distantPast
    private var checkedUptime = -Double.infinity

    init(interval: TimeInterval) {
        self.interval = interval
    }

    func isDue(now: Date) -> Bool {
        now.timeIntervalSince(checkedAt) >= interval || ProcessInfo.processInfo.systemUptime - checkedUptime >= interval
    }

    mutating func mark(now: Date) {
        checkedAt = now
        checkedUptime = ProcessInfo.processInfo.systemUptime
    }
}
