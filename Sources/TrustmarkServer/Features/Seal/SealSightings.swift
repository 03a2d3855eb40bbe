import FluentKit
import Foundation
import SQLKit

/// Counts where seals are seen, in memory, and writes the counts in batches: one upsert per shop
/// and site every `flushInterval`, never a database write on the seal's own path. A site the shop
/// does not hold becomes (or stays) an open misuse case, counted exactly; a dismissed case keeps
/// counting quietly. On the shop's own domains only "last seen" matters (the portal's "seen
/// recently"), so those are noted at most once per `ownInterval` per site: every page view of every
/// member shop must not become a database write.
final class SealSightings: @unchecked Sendable {
    struct Key: Hashable {
        let shop: UUID
        let host: String
    }

    struct Tally {
        var own: Bool
        var firstPage: String
        var lastPage: String
        var firstSeen: Date
        var lastSeen: Date
        var count: Int
    }

    let storage: Storage
    let flushInterval: TimeInterval
    let ownInterval: TimeInterval = 600
    /// Sites per flush at most, so a flood of invented Referers cannot grow memory without bound.
    let limit = 10_000
    private let lock = NSLock()
    private var pending: [Key: Tally] = [:]
    private var ownNoted: [Key: Date] = [:]
    private var lastFlush: Date?
    private var flushing = false

    init(storage: Storage, flushInterval: TimeInterval = 2) {
        self.storage = storage
        self.flushInterval = flushInterval
    }

    func saw(shop: UUID, host: String, page: String, own: Bool, at now: Date) {
        let start = lock.withLock { () -> Bool in
            let key = Key(shop: shop, host: host)
            if own {
                if let noted = ownNoted[key], now.timeIntervalSince(noted) < ownInterval { return false }
                if ownNoted.count >= 500_000 { ownNoted.removeAll() }
                ownNoted[key] = now
            }
            if var tally = pending[key] {
                tally.lastPage = page
                tally.lastSeen = now
                tally.count += 1
                pending[key] = tally
            } else if pending.count < limit {
                pending[key] = Tally(own: own, firstPage: page, lastPage: page, firstSeen: now, lastSeen: now, count: 1)
            }
            if lastFlush == nil { lastFlush = now }
            guard !flushing, let last = lastFlush, now.timeIntervalSince(last) >= flushInterval else { return false }
            flushing = true
            lastFlush = now
            return true
        }
        if start {
            Task {
                try? await self.write()
            }
        }
    }

    /// Writes what was counted since the last write (tests and shutdown call it directly).
    func flush() async throws {
        let start = lock.withLock { () -> Bool in
            guard !flushing else { return false }
            flushing = true
            return true
        }
        if start { try await write() }
    }

    private func write() async throws {
        let batch = lock.withLock { () -> [Key: Tally] in
            let taken = pending
            pending.removeAll(keepingCapacity: true)
            return taken
        }
        defer { lock.withLock { flushing = false } }
        guard !batch.isEmpty else { return }
        // A few hundred rows per statement, all in one transaction: a burst of new sites is a
        // handful of writes, not one per site.
        let rows = Array(batch)
        try await storage.db.transaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            for start in stride(from: 0, to: rows.count, by: 200) {
                let insert = sql.insert(into: SealSighting.schema)
                    .columns("id", "shop_id", "host", "own_domain", "first_page", "last_page", "first_seen", "last_seen", "count", "state")
                for (key, tally) in rows[start..<min(start + 200, rows.count)] {
                    insert.values([SQLBind(UUID()), SQLBind(key.shop), SQLBind(key.host), SQLBind(tally.own), SQLBind(tally.firstPage), SQLBind(tally.lastPage),
                                   SQLBind(tally.firstSeen), SQLBind(tally.lastSeen), SQLBind(tally.count), SQLBind(SealSighting.State.open.rawValue)])
                }
                try await insert.onConflict(with: ["shop_id", "host"]) {
                    $0.set(excludedValueOf: "last_page").set(excludedValueOf: "last_seen").set(excludedValueOf: "own_domain")
                        .set("count", to: SQLRaw("\(SealSighting.schema).count + excluded.count"))
                }.run()
            }
        }
    }
}
