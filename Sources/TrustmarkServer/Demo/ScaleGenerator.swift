import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// Deterministic pseudo-random numbers (SplitMix64): the same seed gives the same database.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// UUIDs (version 4 layout) that grow with `number`: a prefix from the seed and the kind, the number
    /// at the end. Rows with such keys are added at the end of their indexes, not all over them.
    static func ordered(seed: UInt64, kind: UInt64, number: UInt64) -> UUID {
        let high = ((seed &+ kind &* 0xD1B5_4A32_D192_ED03) &* 0x9E37_79B9_7F4A_7C15) & 0xFFFF_FFFF_FFFF_0FFF | 0x4000
        let low = number & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        let bytes = withUnsafeBytes(of: high.bigEndian) { Array($0) } + withUnsafeBytes(of: low.bigEndian) { Array($0) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    mutating func uuid() -> UUID {
        let a = next(), b = next()
        var bytes = withUnsafeBytes(of: a.bigEndian) { Array($0) } + withUnsafeBytes(of: b.bigEndian) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// Fills a database with a national scheme's volume through bulk inserts: active member shops with
/// their organisation, registration, approved application, domain, membership (signed and paid,
/// for the scheme's fee) and paid first invoice; the invoice counter is left where the numbers end,
/// as the application keeps it. Complaints are spread over the shops (ScaleComplaints) and the shop
/// figures counted from them. Later features add their rows (reviews) here.
public struct ScaleGenerator: Sendable {
    public struct Report: Sendable {
        public let shops: Int
        public let complaints: Int
        public let reviews: Int
        public let rows: Int
        public let seconds: Double
        public var rowsPerSecond: Int { seconds > 0 ? Int(Double(rows) / seconds) : rows }
    }

    let app: TrustmarkApp
    let seed: UInt64

    public init(app: TrustmarkApp, seed: UInt64) {
        self.app = app
        self.seed = seed
    }

    /// Adds `shops` active member shops with `complaints` complaints and `reviews` reviews among them;
    /// `progress` hears the count after each batch. `listing` gets each batch's shops as `slug domain`
    /// lines (the seal benchmark requests them).
    /// `invitations` (spread round the shops) are sent, unused review invitations whose link tokens go
    /// to `tokens` (the review ingestion benchmark rates with them).
    /// Each batch is made on another core while the one before it is written.
    public func generate(shops count: Int, complaints total: Int = 0, reviews reviewTotal: Int = 0, invitations: Int = 0,
                         listing: (([String]) -> Void)? = nil, tokens: (([String]) -> Void)? = nil,
                         progress: (Int) -> Void) async throws -> Report {
        guard let rules = app.scheme.scheme.membership else { throw AppError(.notFound, code: "membership_not_run", messageKey: "membership_not_run") }
        let scheme = app.scheme.scheme
        let now = app.clock.now()
        let today = Day(now, in: app.scheme.timeZone)
        let postgres = (app.storage.db as? any SQLDatabase)?.dialect.name == "postgresql"
        if !postgres, let sql = app.storage.db as? any SQLDatabase {
            // Millions of index entries: a page cache of 256 MB keeps the indexes' upper levels in memory.
            try await sql.raw("PRAGMA cache_size = -262144").run()
        }
        let plan = ScalePlan(
            scheme: scheme, rules: rules, timeZone: app.scheme.timeZone, now: now, today: today, seed: seed, count: count,
            existingShops: try await existing("shops"), complaints: total, reviews: scheme.reviews == nil ? 0 : reviewTotal, invitations: invitations,
            complaintMaker: ScaleComplaints(scheme: scheme, timeZone: app.scheme.timeZone, now: now, year: today.year),
            reviewMaker: scheme.reviews.map {
                ScaleReviews(rules: $0, tiers: scheme.seal, timeZone: app.scheme.timeZone, now: now, postgres: postgres, seed: seed, language: scheme.defaultLanguage)
            })
        let started = Date()
        let first = ScaleCursor(done: 0, invoice: try await currentSequence(year: today.year), complaint: try await currentSequence(year: today.year, table: "complaint_counters"),
                                review: UInt64(try await existing("reviews")), random: SeededRandom(seed: seed))
        var rows = 0
        var next: ScaleBatch? = count > 0 ? plan.batch(from: first) : nil
        var last = first
        while let batch = next {
            let following = batch.end.done < count ? Task.detached { plan.batch(from: batch.end) } : nil
            do {
                try await batch.write(on: app.storage.db, year: today.year)
            } catch {
                following?.cancel()
                throw error
            }
            if !batch.links.isEmpty { tokens?(batch.links) }
            listing?(batch.lines)
            rows += batch.rowCount
            last = batch.end
            progress(batch.end.done)
            next = await following?.value
        }
        return Report(shops: count, complaints: last.complaint - first.complaint, reviews: Int(last.review - first.review), rows: rows,
                      seconds: Date().timeIntervalSince(started))
    }

    /// Rows already in a table: the new ones' ordered ids continue after them.
    private func existing(_ table: String) async throws -> Int {
        struct Row: Decodable { let total: Int }
        return try await app.storage.sql.raw("SELECT COUNT(*) AS total FROM \(ident: table)").first(decoding: Row.self)?.total ?? 0
    }

    private func currentSequence(year: Int, table: String = "invoice_counters") async throws -> Int {
        struct Row: Decodable { let last: Int }
        return try await app.storage.sql.raw("SELECT last FROM \(ident: table) WHERE year = \(bind: year)").first(decoding: Row.self)?.last ?? 0
    }
}
