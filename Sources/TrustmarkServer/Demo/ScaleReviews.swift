import Foundation
import SQLKit
import TrustmarkCore

/// The generator's reviews: published ones spread over the scheme's rating window, with the per-day
/// sums and the shop figures the reviews feature keeps, so pages, tiers and the seal are right. Rows
/// are written as literal multi-row INSERTs (ten million rows through bound parameters would cost
/// more in binding than in the database), and review ids count up from the seed, so the primary key
/// only ever grows at its end.
struct ScaleReviews: Sendable {
    static let rowsPerInsert = 2000
    static let texts = ["Snel geleverd en goed verpakt.", "Vriendelijke klantenservice, vraag binnen een dag beantwoord.",
                        "Product klopte niet met de beschrijving.", "Prima webshop, zou er weer bestellen.", "Retour ging soepel.",
                        "Lang moeten wachten op antwoord.", "Bestelling kwam een dag later dan beloofd.", "Goede prijs, nette levering.",
                        "Telefonisch goed bereikbaar.", "Verpakking was beschadigd maar product heel.", "Alles in orde, aanrader.",
                        "Geld terug binnen een week na retour."]
    static let names = ["Anouk", "Bram", "Chantal", "Dennis", "Esra", "Floor", "Gijs", "Hanna", "Ilse", "Jeroen", "Kim", "Lars", "Mila", "Noah"]

    let rules: ReviewRules
    let tiers: SealRules
    let timeZone: TimeZone
    let now: Date
    let postgres: Bool
    let seed: UInt64
    let language: String
    /// The criteria's positions in the order of their ids, and those ids (the order of the JSON keys).
    let sortedCriteria: [Int]
    let sortedIDs: [String]

    init(rules: ReviewRules, tiers: SealRules, timeZone: TimeZone, now: Date, postgres: Bool, seed: UInt64, language: String) {
        (self.rules, self.tiers, self.timeZone, self.now, self.postgres, self.seed, self.language) = (rules, tiers, timeZone, now, postgres, seed, language)
        sortedCriteria = rules.criteria.indices.sorted { rules.criteria[$0].id < rules.criteria[$1].id }
        sortedIDs = sortedCriteria.map { rules.criteria[$0].id }
    }

    /// What one shop's reviews come to: the rows as SQL value lists and the figures to keep.
    struct Shop {
        var reviews: [String] = []
        var days: [String] = []
        var figures: RatingFigures
    }

    /// `count` reviews of one shop; `sequence` numbers the review ids across the whole run.
    func reviews(_ count: Int, shop: UUID, sequence: inout UInt64, random: inout SeededRandom) -> Shop {
        let scale = rules.scaleMinimum...rules.scaleMaximum
        var result = Shop(figures: RatingFigures(scale: scale))
        guard count > 0 else { return result }
        let today = Day(now, in: timeZone)
        let first = Day(Period(-rules.window.amount, rules.window.unit).added(to: now, timeZone: timeZone) ?? now, in: timeZone)
        let span = max(1, today.julian - first.julian - 1)
        // The shop's usual level: most shops between the middle and the top of the scale.
        let width = rules.scaleMaximum - rules.scaleMinimum
        let level = Double(rules.scaleMinimum) + Double(width) * (0.45 + Double(random.next() % 55) / 100)
        var perDay: [Int: (count: Int, overall: Int, criteria: [Int], distribution: [Int])] = [:]
        let shopText = literal(shop)
        for _ in 0..<count {
            sequence += 1
            let day = first.adding(days: 1 + Int(random.next() % UInt64(span)))
            let at = day.midday(in: timeZone).addingTimeInterval(Double(random.next() % 36_000) - 18_000)
            let noise = Double(Int(random.next() % 5) - 2) * 0.5
            let overall = min(rules.scaleMaximum, max(rules.scaleMinimum, Int((level + noise).rounded())))
            var scores: [Int] = []
            for _ in rules.criteria {
                scores.append(min(rules.scaleMaximum, max(rules.scaleMinimum, overall + Int(random.next() % 3) - 1)))
            }
            let scoreJSON = json(scores, scale: 1)
            let roll = random.next()
            let text = roll % 2 == 0 ? literal(Self.texts[Int((roll >> 8) % UInt64(Self.texts.count))]) : "NULL"
            let origin = roll % 7 == 3 ? ReviewOrigin.confirmedEmail.rawValue : ReviewOrigin.invited.rawValue
            let author = Self.names[Int((roll >> 16) % UInt64(Self.names.count))] + " " + String(UnicodeScalar(UInt8(65 + (roll >> 24) % 26))) + "."
            let when = literal(at)
            result.reviews.append("(\(literal(id(sequence))),\(shopText),'\(origin)','review',\(literal(author)),'koper\(sequence)@consument.example',"
                + "'\(language)',\(overall),\(literal(scoreJSON)),\(text),'published',\(when),\(when))")
            var bucket = perDay[day.julian] ?? (0, 0, Array(repeating: 0, count: scores.count), Array(repeating: 0, count: width + 1))
            bucket.count += 1
            bucket.overall += overall * 100
            for index in scores.indices { bucket.criteria[index] += scores[index] }
            bucket.distribution[overall - rules.scaleMinimum] += 1
            perDay[day.julian] = bucket
        }
        for (julian, bucket) in perDay.sorted(by: { $0.key < $1.key }) {
            result.days.append("(\(literal(random.uuid())),\(shopText),'\(Day(julian: julian).description)',\(bucket.count),\(bucket.overall),"
                + "'\(json(bucket.criteria, scale: 100))','\(NumberJSON.text(bucket.distribution))')")
            let sums = Dictionary(uniqueKeysWithValues: zip(rules.criteria.map(\.id), bucket.criteria.map { $0 * 100 }))
            result.figures.add(count: bucket.count, overallSum: bucket.overall, criteriaSums: sums, distribution: bucket.distribution)
        }
        return result
    }

    /// The shop figures' columns for `shop_stats`, as the reviews feature keeps them.
    func stats(_ figures: RatingFigures) -> (ratings: Int, sum: Int, criteria: String?, distribution: String?, tier: String?) {
        guard figures.count > 0 else { return (0, 0, nil, nil, nil) }
        return (figures.count, figures.sum, ReviewsService.encode(figures.criteriaSums), ReviewsService.encode(figures.distribution),
                tiers.tier(ratings: figures.count, sum: figures.sum)?.id)
    }

    static func insert(reviews: [String], days: [String], on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: reviews.count, by: rowsPerInsert) {
            let values = reviews[start..<min(start + rowsPerInsert, reviews.count)].joined(separator: ",")
            try await sql.raw(SQLQueryString("INSERT INTO reviews (id, shop_id, origin, kind, author_name, author_email, locale, overall, scores, text, state, "
                + "created_at, published_at) VALUES " + values)).run()
        }
        for start in stride(from: 0, to: days.count, by: rowsPerInsert) {
            let values = days[start..<min(start + rowsPerInsert, days.count)].joined(separator: ",")
            try await sql.raw(SQLQueryString("INSERT INTO review_days (id, shop_id, day, count, overall_sum, criteria_sums, distribution) VALUES " + values)).run()
        }
    }

    /// Review ids that grow with the sequence (a prefix from the seed, the number at the end).
    func id(_ number: UInt64) -> UUID { SeededRandom.ordered(seed: seed, kind: 1, number: number) }

    /// A UUID as each database stores it: SQLite keeps Fluent's upper-case text, PostgreSQL its uuid type.
    func literal(_ id: UUID) -> String { "'\(id.uuidString)'" }

    /// A moment as each database stores it: seconds since 1970 in SQLite, a timestamp in PostgreSQL.
    /// (Written to the millisecond by hand: `String(format:)` cost a tenth of the whole run.)
    func literal(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = "\(millis / 1000).\((millis % 1000).zeroPadded(3))"
        return postgres ? "to_timestamp(\(seconds))" : seconds
    }

    func literal(_ text: String) -> String {
        "'" + (text.utf8.contains(UInt8(ascii: "'")) ? text.replacingOccurrences(of: "'", with: "''") : text) + "'"
    }

    /// The JSON the application writes for scores and sums (`ReviewsService.encode`: keys sorted);
    /// `values` are in the scheme's order of criteria, each multiplied by `scale`.
    func json(_ values: [Int], scale: Int) -> String {
        NumberJSON.text(keys: sortedIDs, values: sortedCriteria.map { values[$0] * scale })
    }
}
