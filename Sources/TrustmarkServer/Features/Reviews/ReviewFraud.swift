import FluentKit
import SQLKit
import Foundation
import TrustmarkCore

/// Fraud checks on every review before it goes online: the signals are gathered from the database,
/// scored by `FraudScoring`, kept with the review, and a review at or above the scheme's
/// `fraud_hold_score` waits for moderation instead of being published.
extension ReviewsService {
    /// The shop sends invitations as a rule when it sent at least this many in the last 30 days.
    static let invitesAsARule = 10

    typealias Assessment = (score: Int, signals: [FraudScoring.Signal])
    /// How many of a shop's latest texts (of the last 30 days) a new text is compared with.
    static let comparedTexts = 50

    /// Gathers the signals of reviews that arrive together and scores each: the counts of all of them
    /// in one statement, the latest texts of their shops in another, in plain SQL (this runs for every
    /// review that arrives). A review also sees the ones before it in the same batch, and `before` (reviews
    /// accepted earlier, maybe not written yet), as if they had been stored one by one; the database's copies of
    /// those are left out, so each is counted once whether or not it is written yet.
    func assess(_ reviews: [Review], before: [Review] = [], on db: any Database) async throws -> [Assessment] {
        guard !reviews.isEmpty else { return [] }
        guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let ids: [UUID] = try (before + reviews).map { try $0.requireID() }
        var shops: [UUID] = []
        for review in reviews where !shops.contains(review.$shop.id) { shops.append(review.$shop.id) }
        let addresses = Array(Set(reviews.compactMap(\.clientAddress).filter { !$0.isEmpty }))
        let now = desk.clock.now()
        let month = now.addingTimeInterval(-30 * 86_400)
        struct Count: Decodable {
            let kind: String
            let shop_id: UUID
            let address: String?
            let n: Int?
        }
        var counting: SQLQueryString = """
            SELECT 'last_day' AS kind, shop_id, NULL AS address, COUNT(*) AS n FROM reviews WHERE shop_id IN (\(binds: shops))
              AND created_at >= \(bind: now.addingTimeInterval(-86_400)) AND state IN ('published', 'held') AND id NOT IN (\(binds: ids)) GROUP BY shop_id
            UNION ALL SELECT 'ratings', shop_id, NULL, ratings_12m FROM shop_stats WHERE shop_id IN (\(binds: shops))
            UNION ALL SELECT 'invitations', shop_id, NULL, COUNT(*) FROM review_invitations WHERE shop_id IN (\(binds: shops)) AND created_at >= \(bind: month)
              GROUP BY shop_id
            UNION ALL SELECT 'incentives', shop_id, NULL, COUNT(*) FROM review_flags WHERE shop_id IN (\(binds: shops))
              AND reason = \(bind: FlagReason.incentive.rawValue) AND created_at >= \(bind: month) GROUP BY shop_id
            """
        if !addresses.isEmpty {
            counting += """

                UNION ALL SELECT 'same_address', shop_id, client_address, COUNT(*) FROM reviews WHERE shop_id IN (\(binds: shops))
                  AND client_address IN (\(binds: addresses)) AND created_at >= \(bind: month) AND id NOT IN (\(binds: ids)) GROUP BY shop_id, client_address
                """
        }
        func key(_ kind: String, _ shop: UUID, _ address: String = "") -> String { "\(kind) \(shop) \(address)" }
        var counts: [String: Int] = [:]
        for row in try await sql.raw(counting).all(decoding: Count.self) {
            counts[key(row.kind, row.shop_id, row.address ?? "")] = row.n
        }
        // The latest texts (of the last 30 days, as for the address) of each shop that gets a review with
        // text, in one statement.
        let texted = shops.filter { shop in reviews.contains { $0.$shop.id == shop && !($0.text ?? "").isEmpty } }
        // Their word triples, made once; a review's own are added for the ones after it.
        var recent: [UUID: [Set<Int>]] = [:]
        for review in before where texted.contains(review.$shop.id) {
            if let text = review.text, !text.isEmpty { recent[review.$shop.id, default: []].append(FraudScoring.shingles(text)) }
        }
        if !texted.isEmpty {
            struct Recent: Decodable {
                let id: UUID
                let shop_id: UUID
                let text: String
            }
            // Reviews that may be stored already (a confirmed address, the batch before) are read too,
            // and left out here.
            let reads: [SQLQueryString] = texted.enumerated().map { index, shop in
                let limit = Self.comparedTexts + before.filter { $0.$shop.id == shop }.count + reviews.filter { $0.$shop.id == shop && $0.$id.exists }.count
                return """
                SELECT id, shop_id, text FROM (SELECT id, shop_id, text FROM reviews WHERE shop_id = \(bind: shop) AND created_at >= \(bind: month)
                AND text IS NOT NULL ORDER BY created_at DESC LIMIT \(literal: limit)) AS latest\(unsafeRaw: String(index))
                """
            }
            let excluded = Set(ids)
            for row in try await sql.raw(reads.joined(separator: " UNION ALL ")).all(decoding: Recent.self) where !excluded.contains(row.id) {
                if recent[row.shop_id, default: []].count < Self.comparedTexts { recent[row.shop_id, default: []].append(FraudScoring.shingles(row.text)) }
            }
        }
        let people = try await shopPeople.facts(shops, now: now) { missing in try await Self.people(of: missing, sql: sql) }
        // The reviews before each one (the batch before, then this batch's earlier ones), counted as the
        // database counts, as the loop goes.
        var earlier: [String: Int] = [:]
        func countEarlier(_ review: Review) {
            earlier[key("last_day", review.$shop.id), default: 0] += 1
            if let address = review.clientAddress, !address.isEmpty { earlier[key("same_address", review.$shop.id, address), default: 0] += 1 }
        }
        before.forEach(countEarlier)
        var assessed: [Assessment] = []
        for review in reviews {
            let shopID = review.$shop.id
            var facts = ReviewFraudFacts()
            if let address = review.clientAddress, !address.isEmpty {
                facts.sameAddress = (counts[key("same_address", shopID, address)] ?? 0) + (earlier[key("same_address", shopID, address)] ?? 0)
            }
            let emailDomain = String(review.authorEmail.split(separator: "@").last ?? "")
            let shop = people[shopID] ?? ([], [])
            facts.emailOnShopDomain = ShopSealFacts.host(emailDomain, isIn: shop.domains)
            facts.emailOfShopStaff = shop.people.contains(review.authorEmail)
            facts.lastDay = (counts[key("last_day", shopID)] ?? 0) + (earlier[key("last_day", shopID)] ?? 0) + 1
            if let rules = desk.scheme.reviews, let ratings = counts[key("ratings", shopID)] {
                facts.usualPerDay = Double(ratings) / max(1, rules.window.approximateDays)
            }
            if let text = review.text, !text.isEmpty {
                let mine = FraudScoring.shingles(text)
                facts.likeness = FraudScoring.highestLikeness(mine, among: recent[shopID] ?? [])
                recent[shopID, default: []].append(mine)
            }
            if review.origin == ReviewOrigin.confirmedEmail.rawValue {
                facts.uninvitedWhileShopInvites = (counts[key("invitations", shopID)] ?? 0) >= Self.invitesAsARule
            }
            facts.incentiveReports = counts[key("incentives", shopID)] ?? 0
            let signals = FraudScoring.signals(facts)
            assessed.append((FraudScoring.score(signals), signals))
            countEarlier(review)
        }
        return assessed
    }

    /// The shops' domains and their organisations' people (users, the registration's addresses), in one read.
    private static func people(of shops: [UUID], sql: any SQLDatabase) async throws -> [UUID: ShopPeopleCache.Facts] {
        struct Row: Decodable {
            let shop_id: UUID
            let kind: String
            let value: String?
        }
        let rows = try await sql.raw("""
            SELECT shop_id, 'domain' AS kind, domain AS value FROM shop_domains WHERE shop_id IN (\(binds: shops)) AND released_at IS NULL
            UNION ALL SELECT s.id, 'person', u.email FROM users u JOIN shops s ON s.organisation_id = u.organisation_id WHERE s.id IN (\(binds: shops))
            UNION ALL SELECT s.id, 'person', r.contact_email FROM registrations r JOIN shops s ON s.organisation_id = r.organisation_id WHERE s.id IN (\(binds: shops))
            UNION ALL SELECT s.id, 'person', r.email FROM registrations r JOIN shops s ON s.organisation_id = r.organisation_id WHERE s.id IN (\(binds: shops))
            """).all(decoding: Row.self)
        var facts: [UUID: ShopPeopleCache.Facts] = Dictionary(uniqueKeysWithValues: shops.map { ($0, ([], [])) })
        for row in rows {
            guard let value = row.value else { continue }
            if row.kind == "domain" { facts[row.shop_id]?.domains.append(value) } else { facts[row.shop_id]?.people.insert(EmailAddress.normalise(value)) }
        }
        return facts
    }

    /// Scores the review and publishes it, or holds it for moderation when the score reaches the scheme's
    /// threshold (recorded, with the signals).
    func publishUnlessSuspicious(_ review: Review, rules: ReviewRules, on db: any Database) async throws {
        try await settle([review], assessed: try await assess([review], on: db), rules: rules, on: db)
    }

    /// Publishes or holds reviews whose signals were gathered already: the held ones are stored and
    /// recorded together, the others published together.
    func settle(_ reviews: [Review], assessed: [Assessment], rules: ReviewRules, on db: any Database) async throws {
        var held: [Review] = []
        var going: [Review] = []
        for (review, (score, signals)) in zip(reviews, assessed) {
            review.fraudScore = score
            review.fraudSignals = StringJSON.text(signals.map { ["id": $0.id, "points": "\($0.points)"].merging($0.arguments) { first, _ in first } })
            if score >= rules.fraudHoldScore {
                review.state = Review.State.held.rawValue
                held.append(review)
            } else {
                going.append(review)
            }
        }
        try await store(held, on: db)
        let now = desk.clock.now()
        try await Record.append(try zip(reviews, assessed).filter { $0.0.state == Review.State.held.rawValue }.map { review, assessed in
            Record.entry(at: now, actor: .system, action: "review.held", subjectType: "review", subjectID: try review.requireID().uuidString,
                         after: ["score": "\(assessed.score)", "signals": assessed.signals.map(\.id).joined(separator: ",")])
        }, on: db)
        try await publish(going, rules: rules, on: db)
    }

    /// The signals of a held or scored review, in words.
    func signalTexts(_ review: Review, locale: AppLocale) -> [String] {
        (Self.decode([[String: String]].self, review.fraudSignals) ?? []).map { signal in
            desk.localizer.text("fraud_\(signal["id"] ?? "")", locale, signal) + " (+\(signal["points"] ?? "0"))"
        }
    }
}

/// Shops' domains and their own people's addresses, as the fraud signals compare them, kept a minute
/// per shop: a burst of reviews for one shop reads them once, and the shops of a batch that are not
/// kept are read together.
final class ShopPeopleCache: @unchecked Sendable {
    typealias Facts = (domains: [String], people: Set<String>)
    static let keptFor: TimeInterval = 60
    private let lock = NSLock()
    private var kept: [UUID: (until: Date, facts: Facts)] = [:]

    func facts(_ shops: [UUID], now: Date, read: ([UUID]) async throws -> [UUID: Facts]) async throws -> [UUID: Facts] {
        var known: [UUID: Facts] = [:]
        lock.withLock {
            for shop in shops {
                if let held = kept[shop], held.until > now { known[shop] = held.facts }
            }
        }
        let missing = shops.filter { known[$0] == nil }
        guard !missing.isEmpty else { return known }
        let fresh = try await read(missing)
        lock.withLock {
            if kept.count > 50_000 { kept.removeAll() }
            for (shop, facts) in fresh { kept[shop] = (now.addingTimeInterval(Self.keptFor), facts) }
        }
        return known.merging(fresh) { first, _ in first }
    }
}
