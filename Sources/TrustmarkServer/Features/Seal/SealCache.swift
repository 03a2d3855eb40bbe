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
final class SealCacheGeneration: @unchecked Sendable {
    let storage: Storage
    let pollInterval: TimeInterval
    private let lock = NSLock()
    private var version: String?
    private var generation = 0
    private var checkedAt = Date.distantPast

    init(storage: Storage, pollInterval: TimeInterval) {
        self.storage = storage
        self.pollInterval = pollInterval
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
        let (due, known) = lock.withLock { (now.timeIntervalSince(checkedAt) >= pollInterval, generation) }
        guard due else { return known }
        let stored = try await SealVersion.current(on: storage.db)
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
