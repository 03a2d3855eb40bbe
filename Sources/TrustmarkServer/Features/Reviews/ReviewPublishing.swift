import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// Publishing: reviews go online together, in a handful of statements whatever their number. Each
/// new review is added to its day's sums and to its shop's kept figures (the nightly job takes out
/// the days that leave the window), so publishing never sums a shop's history; a shop whose tier
/// moves is kept the model's way, recorded and mailed.
extension ReviewsService {
    /// One review goes online (moderation, a confirmed address, the demo).
    func publish(_ review: Review, rules: ReviewRules, on db: any Database) async throws {
        try await publish([review], rules: rules, on: db)
    }

    func publish(_ reviews: [Review], rules: ReviewRules, on db: any Database) async throws {
        guard !reviews.isEmpty else { return }
        guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let now = desk.clock.now()
        for review in reviews {
            review.state = Review.State.published.rawValue
            review.publishedAt = now
        }
        try await store(reviews, on: db)
        // What each shop gains, summed once per shop.
        let scale = rules.scaleMinimum...rules.scaleMaximum
        var shops: [UUID] = []
        var gained: [UUID: RatingFigures] = [:]
        for review in reviews {
            let shopID = review.$shop.id
            if gained[shopID] == nil { shops.append(shopID) }
            var single = Array(repeating: 0, count: scale.count)
            if single.indices.contains(review.overall - rules.scaleMinimum) { single[review.overall - rules.scaleMinimum] = 1 }
            gained[shopID, default: RatingFigures(scale: scale)].add(count: 1, overallSum: review.overall * 100,
                                                                     criteriaSums: review.scoreTable.mapValues { $0 * 100 }, distribution: single)
        }
        try await addToDays(gained, shops: shops, day: Day(now, in: desk.timeZone).description, scale: scale, sql: sql)
        try await Record.append(try reviews.map { review in
            Record.entry(at: now, actor: .system, action: "review.published", subjectType: "review", subjectID: try review.requireID().uuidString,
                         after: ["shop": review.$shop.id.uuidString, "origin": review.origin, "overall": "\(review.overall)", "kind": review.kind])
        }, on: db)
        for review in reviews where review.kind == ReviewKind.fault.rawValue {
            guard let shop = try await Shop.find(review.$shop.id, on: db) else { continue }
            // A fault report ('Tadel') reaches the shop as a service case, with the buyer's words.
            let text = review.text ?? ""
            let buyer = review.authorName
            let score = review.overall
            try await desk.mail(shop.$organisation.id, subject: "mail_fault_subject", body: "mail_fault_body", { _ in
                ["shop": shop.name, "buyer": buyer, "text": text, "score": "\(score)"]
            }, kind: "review.fault", on: db)
        }
        try await addToKeptFigures(gained, shops: shops, scale: scale, now: now, sql: sql, on: db)
        try await WebhookEvents.reviewsPublished(reviews, now: now, on: db)
    }

    /// The shops' rows of the day grow by what they gained: read together, written with one upsert.
    private func addToDays(_ gained: [UUID: RatingFigures], shops: [UUID], day: String, scale: ClosedRange<Int>, sql: any SQLDatabase) async throws {
        struct DayRow: Decodable {
            let id: UUID
            let shop_id: UUID
            let count: Int
            let overall_sum: Int
            let criteria_sums: String
            let distribution: String
        }
        var rows: [UUID: DayRow] = [:]
        for row in try await sql.raw("""
            SELECT id, shop_id, count, overall_sum, criteria_sums, distribution FROM review_days WHERE day = \(bind: day) AND shop_id IN (\(binds: shops))
            """).all(decoding: DayRow.self) where rows[row.shop_id] == nil {
            rows[row.shop_id] = row
        }
        var upsert = sql.insert(into: ReviewDay.schema).columns("id", "shop_id", "day", "count", "overall_sum", "criteria_sums", "distribution")
        for shop in shops {
            var figures = RatingFigures(scale: scale)
            if let row = rows[shop] {
                Self.add(count: row.count, sum: row.overall_sum, criteria: row.criteria_sums, distribution: row.distribution, to: &figures)
            }
            figures.add(gained[shop] ?? RatingFigures(scale: scale))
            upsert = upsert.values([SQLBind(rows[shop]?.id ?? UUID.timeOrdered()), SQLBind(shop), SQLBind(day), SQLBind(figures.count), SQLBind(figures.sum),
                                    SQLBind(Self.encode(figures.criteriaSums)), SQLBind(Self.encode(figures.distribution))])
        }
        try await upsert.onConflict(with: ["id"]) { conflict in
            conflict.set(excludedValueOf: "count").set(excludedValueOf: "overall_sum").set(excludedValueOf: "criteria_sums").set(excludedValueOf: "distribution")
        }.run()
    }

    /// The shops' kept figures grow by what they gained. Shops whose tier stays are written with one
    /// statement; a new row or a tier that moves is kept the model's way (recorded and mailed).
    private func addToKeptFigures(_ gained: [UUID: RatingFigures], shops: [UUID], scale: ClosedRange<Int>, now: Date, sql: any SQLDatabase,
                                  on db: any Database) async throws {
        struct StatsRow: Decodable {
            let shop_id: UUID
            let ratings_12m: Int
            let rating_sum_12m: Int
            let rating_criteria: String?
            let rating_distribution: String?
            let tier: String?
        }
        var kept: [UUID: StatsRow] = [:]
        for row in try await sql.raw("""
            SELECT shop_id, ratings_12m, rating_sum_12m, rating_criteria, rating_distribution, tier FROM shop_stats WHERE shop_id IN (\(binds: shops))
            """).all(decoding: StatsRow.self) {
            kept[row.shop_id] = row
        }
        var staying: [(shop: UUID, figures: RatingFigures)] = []
        for shop in shops {
            var figures = RatingFigures(scale: scale)
            let row = kept[shop]
            if let row {
                Self.add(count: row.ratings_12m, sum: row.rating_sum_12m, criteria: row.rating_criteria, distribution: row.rating_distribution, to: &figures)
            }
            figures.add(gained[shop] ?? RatingFigures(scale: scale))
            let tier = desk.scheme.seal.tier(ratings: figures.count, sum: figures.sum)?.id
            if let row, row.tier == tier {
                staying.append((shop, figures))
            } else {
                try await keep(figures, in: try await ShopStats.find(shop, on: db) ?? ShopStats.blank(shop), on: db)
            }
        }
        guard !staying.isEmpty else { return }
        // One UPDATE for all of them: each column takes its value by shop.
        func column(_ name: String, _ value: (RatingFigures) -> any Encodable & Sendable) -> SQLQueryString {
            let cases: [SQLQueryString] = staying.map { "WHEN \(bind: $0.shop) THEN \(bind: value($0.figures))" }
            return "\(ident: name) = CASE shop_id " + cases.joined(separator: " ") + " END"
        }
        let columns: [SQLQueryString] = [
            column("ratings_12m") { $0.count }, column("rating_sum_12m") { $0.sum },
            column("rating_criteria") { Self.encode($0.criteriaSums) }, column("rating_distribution") { Self.encode($0.distribution) },
        ]
        let update: SQLQueryString = "UPDATE shop_stats SET " + columns.joined(separator: ", ")
            + ", updated_at = \(bind: now) WHERE shop_id IN (\(binds: staying.map(\.shop)))"
        try await sql.raw(update).run()
    }

    /// Saves reviews: new ones with one plain INSERT, known ones the model's way.
    func store(_ reviews: [Review], on db: any Database) async throws {
        let fresh = reviews.filter { !$0.$id.exists }
        for review in reviews where review.$id.exists { try await review.save(on: db) }
        guard !fresh.isEmpty else { return }
        guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        var insert = sql.insert(into: Review.schema)
            .columns("id", "shop_id", "invitation_id", "origin", "kind", "author_name", "author_email", "locale", "overall", "scores", "text", "state",
                     "created_at", "published_at", "confirm_token_hash", "confirm_expires_at", "client_address", "fraud_score", "fraud_signals")
        for review in fresh {
            insert = insert.values([SQLBind(try review.requireID()), SQLBind(review.$shop.id), SQLBind.orNull(review.invitationID), SQLBind(review.origin),
                                    SQLBind(review.kind), SQLBind(review.authorName), SQLBind(review.authorEmail), SQLBind(review.locale), SQLBind(review.overall),
                                    SQLBind(review.scores), SQLBind.orNull(review.text), SQLBind(review.state), SQLBind(review.createdAt),
                                    SQLBind.orNull(review.publishedAt), SQLBind.orNull(review.confirmTokenHash), SQLBind.orNull(review.confirmExpiresAt),
                                    SQLBind.orNull(review.clientAddress), SQLBind.orNull(review.fraudScore), SQLBind.orNull(review.fraudSignals)])
        }
        try await insert.run()
        for review in fresh { review.$id.exists = true }
    }
}
