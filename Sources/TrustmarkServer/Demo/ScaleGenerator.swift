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

    static let batch = 500
    static let words = ["fiets", "thee", "boek", "lamp", "tuin", "kaas", "zeep", "stoel", "koffie", "sok", "puzzel", "wol", "vis", "brood",
                        "skate", "geur", "meubel", "pil", "speel", "bril", "hond", "wijn", "zaad", "naald", "kaars", "foto", "schoen", "jas"]
    static let cities = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen",
                         "Arnhem", "Haarlem", "Enschede", "Amersfoort", "Zwolle", "Leiden", "Maastricht", "Dordrecht", "Delft", "Alkmaar"]

    /// Adds `shops` active member shops with `complaints` complaints and `reviews` reviews among them;
    /// `progress` hears the count after each batch. `listing` gets each batch's shops as `slug domain`
    /// lines (the seal benchmark requests them).
    /// `invitations` (at most one per shop) are sent, unused review invitations whose link tokens go
    /// to `tokens` (the review ingestion benchmark rates with them).
    public func generate(shops count: Int, complaints total: Int = 0, reviews reviewTotal: Int = 0, invitations: Int = 0,
                         listing: (([String]) -> Void)? = nil, tokens: (([String]) -> Void)? = nil,
                         progress: (Int) -> Void) async throws -> Report {
        guard let rules = app.scheme.scheme.membership else { throw AppError(.notFound, code: "membership_not_run", messageKey: "membership_not_run") }
        let scheme = app.scheme.scheme
        let now = app.clock.now()
        let today = Day(now, in: app.scheme.timeZone)
        let fees = FeeCalculation(rules: rules, vatRate: scheme.vatRate, shops: 1, renewal: false)
        let variants = scheme.seal.variants.map(\.id)
        let criteriaVersion = scheme.codeOfConduct.version
        var random = SeededRandom(seed: seed)
        let started = Date()
        var rows = 0
        var done = 0
        let year = today.year
        var sequence = try await currentSequence(year: year)
        var complaintSequence = try await currentSequence(year: year, table: "complaint_counters")
        let firstComplaint = complaintSequence
        let complaintMaker = ScaleComplaints(scheme: scheme, timeZone: app.scheme.timeZone, now: now, year: year)
        let postgres = (app.storage.db as? any SQLDatabase)?.dialect.name == "postgresql"
        let reviewMaker = scheme.reviews.map {
            ScaleReviews(rules: $0, tiers: scheme.seal, timeZone: app.scheme.timeZone, now: now, postgres: postgres, seed: seed, language: scheme.defaultLanguage)
        }
        if !postgres, let sql = app.storage.db as? any SQLDatabase {
            // Millions of index entries: a page cache of 256 MB keeps the indexes' upper levels in memory.
            try await sql.raw("PRAGMA cache_size = -262144").run()
        }
        var reviewSequence = UInt64(try await existing("reviews"))
        let existingShops = try await existing("shops")
        let firstReview = reviewSequence
        let perShopReviews = count > 0 && reviewMaker != nil ? reviewTotal / count : 0
        let spareReviews = count > 0 && reviewMaker != nil ? reviewTotal % count : 0
        // Every shop gets the average, give or take: pairs of shops trade a random share, so the
        // total stays exact.
        let perShop = count > 0 ? total / count : 0, spare = count > 0 ? total % count : 0
        while done < count {
            let size = min(Self.batch, count - done)
            let first = done
            let startSequence = sequence
            let startComplaint = complaintSequence
            let startReview = reviewSequence
            let state = random
            let (inserted, after, lines, endComplaint, endReview, links) = try await app.storage.db.transaction {
                (db: any Database) async throws -> (Int, SeededRandom, [String], Int, UInt64, [String]) in
                var links: [String] = []
                var batchRandom = state
                var complaintNumber = startComplaint
                var reviewNumber = startReview
                var complaintRows: [[any SQLExpression]] = []
                var reviewRows: [String] = [], dayRows: [String] = []
                var traded = 0
                let sql = db as! any SQLDatabase
                let invited = sql.insert(into: "review_invitations").columns("id", "shop_id", "email", "name", "order_reference", "locale", "send_at",
                                                                             "sent_at", "token_hash", "source", "created_at")
                let organisations = sql.insert(into: "organisations").columns("id", "name", "created_at")
                let registrations = sql.insert(into: "registrations").columns("id", "organisation_id", "legal_name", "kvk", "vat_number", "street", "postcode",
                                                                            "city", "country", "phone", "email", "contact_name", "contact_email", "updated_at")
                let applications = sql.insert(into: "applications").columns("id", "organisation_id", "kind", "state", "code_version", "round", "submitted_at",
                                                                          "state_changed_at", "approved_on")
                let shops = sql.insert(into: "shops").columns("id", "organisation_id", "application_id", "name", "slug", "variant", "state", "approved_on", "created_at")
                let domains = sql.insert(into: "shop_domains").columns("id", "shop_id", "domain")
                let memberships = sql.insert(into: "memberships").columns("id", "organisation_id", "application_id", "approved_on", "term_start", "paid_through",
                                                                        "first_paid_on", "contract_sha256", "contract_code_version", "member_signed_name",
                                                                        "member_signed_at", "staff_signed_at", "contract_completed_on", "notified_standing", "created_at")
                let invoices = sql.insert(into: "invoices").columns("id", "number", "year", "sequence", "organisation_id", "membership_id", "application_id", "kind",
                                                                  "issued_on", "due_on", "period_start", "period_end", "net_cents", "vat_cents", "gross_cents",
                                                                  "currency", "vat_basis_points", "status", "settled_on", "buyer", "buyer_details", "locale", "created_at")
                let stats = sql.insert(into: "shop_stats").columns("shop_id", "complaints_12m", "resolved_12m", "unresolved_12m", "no_answer_12m",
                                                                   "median_first_answer_hours", "ratings_12m", "rating_sum_12m", "rating_criteria",
                                                                   "rating_distribution", "tier", "updated_at")
                var local = 0
                var lines: [String] = []
                for offset in 0..<size {
                    let n = first + offset
                    let organisation = batchRandom.uuid(), registration = batchRandom.uuid(), application = batchRandom.uuid()
                    // Shop ids grow with the shop's number, so the reviews and day rows (keyed by shop first) are
                    // added at the end of their indexes; the draw keeps the other rows as they were.
                    _ = batchRandom.uuid()
                    let shop = SeededRandom.ordered(seed: seed, kind: 2, number: UInt64(existingShops + n))
                    let domain = batchRandom.uuid(), membership = batchRandom.uuid(), invoice = batchRandom.uuid()
                    let word = Self.words[Int(batchRandom.next() % UInt64(Self.words.count))]
                    let city = Self.cities[Int(batchRandom.next() % UInt64(Self.cities.count))]
                    let name = "\(word.capitalized)winkel \(n + 1)"
                    let host = "\(word)winkel-\(n + 1)-\(seed).example"
                    // Approved some day in the last eleven months, so every membership is in its first term.
                    let approved = today.adding(days: -Int(batchRandom.next() % 330) - 1)
                    let termStart = rules.termStart(approvedOn: approved, conditionsMetOn: approved) ?? approved
                    let paidThrough = termStart.adding(rules.term)
                    let at = approved.midday(in: app.scheme.timeZone)
                    let number = startSequence + offset + 1
                    organisations.values([SQLBind(organisation), SQLBind("\(name) B.V."), SQLBind(at)])
                    registrations.values([SQLBind(registration), SQLBind(organisation), SQLBind("\(name) B.V."), SQLBind(String(format: "%08d", (n * 7919 + Int(seed)) % 100_000_000)),
                                          SQLBind("NL123456782B01"), SQLBind("Schaalstraat \(n % 500 + 1)"), SQLBind("\(1000 + n % 8999) AB"), SQLBind(city),
                                          SQLBind(scheme.country), SQLBind("+31 20 \(String(format: "%07d", n % 10_000_000))"), SQLBind("info@\(host)"),
                                          SQLBind("Contact \(n + 1)"), SQLBind("contact@\(host)"), SQLBind(at)])
                    applications.values([SQLBind(application), SQLBind(organisation), SQLBind(ApplicationKind.membership.rawValue), SQLBind(ApplicationState.approved.rawValue),
                                         SQLBind(criteriaVersion), SQLBind(1), SQLBind(at), SQLBind(at), SQLBind(approved.description)])
                    let slug = ShopSlug.make(name: name, id: shop)
                    lines.append("\(slug) \(host)")
                    shops.values([SQLBind(shop), SQLBind(organisation), SQLBind(application), SQLBind(name), SQLBind(slug), SQLBind(variants[n % max(1, variants.count)]),
                                  SQLBind(Shop.State.approved.rawValue), SQLBind(approved.description), SQLBind(at)])
                    domains.values([SQLBind(domain), SQLBind(shop), SQLBind(host)])
                    memberships.values([SQLBind(membership), SQLBind(organisation), SQLBind(application), SQLBind(approved.description), SQLBind(termStart.description),
                                        SQLBind(paidThrough.description), SQLBind(approved.description), SQLBind(String(repeating: "0", count: 64)), SQLBind(criteriaVersion),
                                        SQLBind("Contact \(n + 1)"), SQLBind(at), SQLBind(at), SQLBind(approved.description),
                                        SQLBind(termStart > today ? "scheduled" : "active"), SQLBind(at)])
                    invoices.values([SQLBind(invoice), SQLBind(InvoicesService.number(year: year, sequence: number)), SQLBind(year), SQLBind(number), SQLBind(organisation),
                                     SQLBind(membership), SQLBind(application), SQLBind(Invoice.Kind.membership.rawValue), SQLBind(approved.description),
                                     SQLBind(approved.adding(rules.paymentTerm).description), SQLBind(termStart.description), SQLBind(paidThrough.description),
                                     SQLBind(fees.net.cents), SQLBind(fees.vat.cents), SQLBind(fees.gross.cents), SQLBind(scheme.currency), SQLBind(scheme.vatRate.basisPoints),
                                     SQLBind(Invoice.Status.paid.rawValue), SQLBind(approved.description), SQLBind("\(name) B.V."), SQLBind(city), SQLBind(scheme.defaultLanguage),
                                     SQLBind(at)])
                    // This shop's complaints, and the figures the complaints feature keeps for them.
                    var share = perShop + (n < spare ? 1 : 0)
                    if n % 2 == 0, n + 1 < count {
                        traded = perShop > 0 ? Int(batchRandom.next() % UInt64(perShop + 1)) : 0
                        share += traded
                    } else {
                        share -= traded
                        traded = 0
                    }
                    let made = complaintMaker.complaints(max(0, share), shop: shop, organisation: organisation, sequence: &complaintNumber, random: &batchRandom)
                    complaintRows += made.rows
                    let figures = made.figures
                    // This shop's reviews (about the average, like the complaints), their day sums and the figures and tier they give.
                    // Pairs of shops trade a quarter of the average, so the total stays exact.
                    let swing = perShopReviews / 4
                    let reviewShare = perShopReviews + (n < spareReviews ? 1 : 0) + (n % 2 == 0 ? (n + 1 < count ? swing : 0) : -swing)
                    var rated = (ratings: 0, sum: 0, criteria: String?.none, distribution: String?.none, tier: String?.none)
                    if let reviewMaker {
                        let written = reviewMaker.reviews(max(0, reviewShare), shop: shop, sequence: &reviewNumber, random: &batchRandom)
                        reviewRows += written.reviews
                        dayRows += written.days
                        rated = reviewMaker.stats(written.figures)
                    }
                    stats.values([SQLBind(shop), SQLBind(figures.received), SQLBind(figures.resolved), SQLBind(figures.unresolved), SQLBind(figures.noAnswer),
                                  figures.medianFirstAnswerHours.map { SQLBind($0) } ?? SQLLiteral.null, SQLBind(rated.ratings), SQLBind(rated.sum),
                                  SQLBind.orNull(rated.criteria), SQLBind.orNull(rated.distribution), SQLBind.orNull(rated.tier), SQLBind(at)])
                    if n < invitations {
                        let token = (0..<4).map { _ in String(format: "%016llx", batchRandom.next()) }.joined()
                        invited.values([SQLBind(batchRandom.uuid()), SQLBind(shop), SQLBind("koper-\(n)@consument.example"), SQLBind("Koper \(n)"),
                                        SQLBind("BENCH-\(n)"), SQLBind(scheme.defaultLanguage), SQLBind(now), SQLBind(now), SQLBind(SecretToken.digest(token)),
                                        SQLBind("api"), SQLBind(now)])
                        links.append("\(token) \(slug)")
                        local += 1
                    }
                    local += 8 + made.rows.count
                }
                for insert in [organisations, registrations, applications, shops, domains, memberships, invoices, stats] { try await insert.run() }
                try await sql.raw("INSERT INTO invoice_counters (year, last) VALUES (\(bind: year), 0) ON CONFLICT (year) DO NOTHING").run()
                try await sql.raw("UPDATE invoice_counters SET last = \(bind: startSequence + size) WHERE year = \(bind: year)").run()
                if !complaintRows.isEmpty { try await ScaleComplaints.insert(complaintRows, lastSequence: complaintNumber, year: year, on: sql) }
                try await ScaleReviews.insert(reviews: reviewRows, days: dayRows, on: sql)
                if !links.isEmpty { try await invited.run() }
                return (local + reviewRows.count + dayRows.count, batchRandom, lines, complaintNumber, reviewNumber, links)
            }
            if !links.isEmpty { tokens?(links) }
            complaintSequence = endComplaint
            reviewSequence = endReview
            listing?(lines)
            random = after
            sequence += size
            rows += inserted
            done += size
            progress(done)
        }
        return Report(shops: count, complaints: complaintSequence - firstComplaint, reviews: Int(reviewSequence - firstReview), rows: rows,
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
