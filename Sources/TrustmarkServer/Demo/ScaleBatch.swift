import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// Where the generator stands between batches: shops made so far, the last invoice, complaint and
/// review numbers, and the random draw. A batch is made from one and hands on the next.
struct ScaleCursor: Sendable {
    var done: Int
    var invoice: Int
    var complaint: Int
    var review: UInt64
    var random: SeededRandom
}

/// One batch of shops with everything that belongs to them, as rows ready to insert. Making a batch
/// touches no database, so the generator makes the next batch on another core while this one is written.
struct ScaleBatch: Sendable {
    static let tables: [(name: String, columns: [String])] = [
        ("organisations", ["id", "name", "created_at"]),
        ("registrations", ["id", "organisation_id", "legal_name", "kvk", "vat_number", "street", "postcode", "city", "country", "phone", "email",
                           "contact_name", "contact_email", "updated_at"]),
        ("applications", ["id", "organisation_id", "kind", "state", "code_version", "round", "submitted_at", "state_changed_at", "approved_on"]),
        ("shops", ["id", "organisation_id", "application_id", "name", "slug", "variant", "state", "approved_on", "created_at"]),
        ("shop_domains", ["id", "shop_id", "domain"]),
        ("memberships", ["id", "organisation_id", "application_id", "approved_on", "term_start", "paid_through", "first_paid_on", "contract_sha256",
                         "contract_code_version", "member_signed_name", "member_signed_at", "staff_signed_at", "contract_completed_on",
                         "notified_standing", "created_at"]),
        ("invoices", ["id", "number", "year", "sequence", "organisation_id", "membership_id", "application_id", "kind", "issued_on", "due_on",
                      "period_start", "period_end", "net_cents", "vat_cents", "gross_cents", "currency", "vat_basis_points", "status", "settled_on",
                      "buyer", "buyer_details", "locale", "created_at"]),
        ("shop_stats", ["shop_id", "complaints_12m", "resolved_12m", "unresolved_12m", "no_answer_12m", "median_first_answer_hours", "ratings_12m",
                        "rating_sum_12m", "rating_criteria", "rating_distribution", "tier", "updated_at"]),
        ("review_invitations", ["id", "shop_id", "email", "name", "order_reference", "locale", "send_at", "sent_at", "token_hash", "source", "created_at"]),
    ]
    /// The invitations' place in `rows` (a shop has any number of them, so they are added apart).
    static let invitations = 8

    /// Rows per table, in the order of `tables`.
    var rows: [[[any SQLExpression]]] = Array(repeating: [], count: tables.count)
    var complaints: [[any SQLExpression]] = []
    var reviews: [String] = []
    var days: [String] = []
    /// `slug domain` per shop, and `token slug` per invitation.
    var lines: [String] = []
    var links: [String] = []
    var end: ScaleCursor
    var rowCount: Int { rows.reduce(0) { $0 + $1.count } + complaints.count + reviews.count + days.count }

    /// Writes the batch in one transaction and leaves the invoice and complaint counters where its numbers end.
    func write(on database: any Database, year: Int) async throws {
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            for (index, table) in Self.tables.enumerated() where !rows[index].isEmpty {
                let insert = sql.insert(into: table.name).columns(table.columns)
                for row in rows[index] { insert.values(row) }
                try await insert.run()
            }
            try await sql.raw("INSERT INTO invoice_counters (year, last) VALUES (\(bind: year), 0) ON CONFLICT (year) DO NOTHING").run()
            try await sql.raw("UPDATE invoice_counters SET last = \(bind: end.invoice) WHERE year = \(bind: year)").run()
            if !complaints.isEmpty { try await ScaleComplaints.insert(complaints, lastSequence: end.complaint, year: year, on: sql) }
            try await ScaleReviews.insert(reviews: reviews, days: days, on: sql)
        }
    }
}

/// What the generator makes batches from: the scheme, the moment, the totals to spread. Every shop
/// of a batch gets its organisation, registration, approved application, domain, membership, paid
/// invoice, complaints, reviews and kept figures; the draw passes from shop to shop, so the same
/// seed gives the same rows however the work is split over cores.
struct ScalePlan: Sendable {
    static let batch = 500
    static let words = ["fiets", "thee", "boek", "lamp", "tuin", "kaas", "zeep", "stoel", "koffie", "sok", "puzzel", "wol", "vis", "brood",
                        "skate", "geur", "meubel", "pil", "speel", "bril", "hond", "wijn", "zaad", "naald", "kaars", "foto", "schoen", "jas"]
    static let cities = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen",
                         "Arnhem", "Haarlem", "Enschede", "Amersfoort", "Zwolle", "Leiden", "Maastricht", "Dordrecht", "Delft", "Alkmaar"]

    let scheme: Scheme
    let rules: MembershipRules
    let timeZone: TimeZone
    let now: Date
    let today: Day
    let seed: UInt64
    /// Shops to add, and shops already there (the new shops' ordered ids continue after them).
    let count: Int
    let existingShops: Int
    let complaints: Int
    let reviews: Int
    let invitations: Int
    let complaintMaker: ScaleComplaints
    let reviewMaker: ScaleReviews?

    /// The next batch after `cursor`, and the cursor after it.
    func batch(from cursor: ScaleCursor) -> ScaleBatch {
        var batch = ScaleBatch(end: cursor)
        var random = cursor.random
        let fees = FeeCalculation(rules: rules, vatRate: scheme.vatRate, shops: 1, renewal: false)
        let variants = scheme.seal.variants.map(\.id)
        let version = scheme.codeOfConduct.version
        let year = today.year
        // Every shop gets the average, give or take: pairs of shops trade a random share (complaints) or a
        // quarter of the average (reviews), so the totals stay exact.
        let perShop = count > 0 ? complaints / count : 0, spare = count > 0 ? complaints % count : 0
        let perShopReviews = count > 0 ? reviews / count : 0, spareReviews = count > 0 ? reviews % count : 0
        let swing = perShopReviews / 4
        var traded = 0
        let size = min(Self.batch, count - cursor.done)
        var links: [Int: [String]] = [:]
        for n in cursor.done..<cursor.done + size {
            let organisation = random.uuid(), registration = random.uuid(), application = random.uuid()
            // Shop ids grow with the shop's number, so the reviews and day rows (keyed by shop first) are
            // added at the end of their indexes; the draw keeps the other rows as they were.
            _ = random.uuid()
            let shop = SeededRandom.ordered(seed: seed, kind: 2, number: UInt64(existingShops + n))
            let domain = random.uuid(), membership = random.uuid(), invoice = random.uuid()
            let word = Self.words[Int(random.next() % UInt64(Self.words.count))]
            let city = Self.cities[Int(random.next() % UInt64(Self.cities.count))]
            let name = "\(word.capitalized)winkel \(n + 1)"
            let host = "\(word)winkel-\(n + 1)-\(seed).example"
            // Approved some day in the last eleven months, so every membership is in its first term.
            let approved = today.adding(days: -Int(random.next() % 330) - 1)
            let termStart = rules.termStart(approvedOn: approved, conditionsMetOn: approved) ?? approved
            let paidThrough = termStart.adding(rules.term)
            let at = approved.midday(in: timeZone)
            batch.end.invoice += 1
            let slug = ShopSlug.make(name: name, id: shop)
            batch.lines.append("\(slug) \(host)")
            batch.rows[0].append([SQLBind(organisation), SQLBind("\(name) B.V."), SQLBind(at)])
            batch.rows[1].append([SQLBind(registration), SQLBind(organisation), SQLBind("\(name) B.V."), SQLBind(((n * 7919 + Int(seed)) % 100_000_000).zeroPadded(8)),
                                  SQLBind("NL123456782B01"), SQLBind("Schaalstraat \(n % 500 + 1)"), SQLBind("\(1000 + n % 8999) AB"), SQLBind(city),
                                  SQLBind(scheme.country), SQLBind("+31 20 \((n % 10_000_000).zeroPadded(7))"), SQLBind("info@\(host)"),
                                  SQLBind("Contact \(n + 1)"), SQLBind("contact@\(host)"), SQLBind(at)])
            batch.rows[2].append([SQLBind(application), SQLBind(organisation), SQLBind(ApplicationKind.membership.rawValue), SQLBind(ApplicationState.approved.rawValue),
                                  SQLBind(version), SQLBind(1), SQLBind(at), SQLBind(at), SQLBind(approved.description)])
            batch.rows[3].append([SQLBind(shop), SQLBind(organisation), SQLBind(application), SQLBind(name), SQLBind(slug), SQLBind(variants[n % max(1, variants.count)]),
                                  SQLBind(Shop.State.approved.rawValue), SQLBind(approved.description), SQLBind(at)])
            batch.rows[4].append([SQLBind(domain), SQLBind(shop), SQLBind(host)])
            batch.rows[5].append([SQLBind(membership), SQLBind(organisation), SQLBind(application), SQLBind(approved.description), SQLBind(termStart.description),
                                  SQLBind(paidThrough.description), SQLBind(approved.description), SQLBind(String(repeating: "0", count: 64)), SQLBind(version),
                                  SQLBind("Contact \(n + 1)"), SQLBind(at), SQLBind(at), SQLBind(approved.description),
                                  SQLBind(termStart > today ? "scheduled" : "active"), SQLBind(at)])
            batch.rows[6].append([SQLBind(invoice), SQLBind(InvoicesService.number(year: year, sequence: batch.end.invoice)), SQLBind(year), SQLBind(batch.end.invoice),
                                  SQLBind(organisation), SQLBind(membership), SQLBind(application), SQLBind(Invoice.Kind.membership.rawValue), SQLBind(approved.description),
                                  SQLBind(approved.adding(rules.paymentTerm).description), SQLBind(termStart.description), SQLBind(paidThrough.description),
                                  SQLBind(fees.net.cents), SQLBind(fees.vat.cents), SQLBind(fees.gross.cents), SQLBind(scheme.currency), SQLBind(scheme.vatRate.basisPoints),
                                  SQLBind(Invoice.Status.paid.rawValue), SQLBind(approved.description), SQLBind("\(name) B.V."), SQLBind(city), SQLBind(scheme.defaultLanguage),
                                  SQLBind(at)])
            // This shop's complaints, and the figures the complaints feature keeps for them.
            var share = perShop + (n < spare ? 1 : 0)
            if n % 2 == 0, n + 1 < count {
                traded = perShop > 0 ? Int(random.next() % UInt64(perShop + 1)) : 0
                share += traded
            } else {
                share -= traded
                traded = 0
            }
            let made = complaintMaker.complaints(max(0, share), shop: shop, organisation: organisation, sequence: &batch.end.complaint, random: &random)
            batch.complaints += made.rows
            let figures = made.figures
            // This shop's reviews, their day sums and the figures and tier they give.
            let reviewShare = perShopReviews + (n < spareReviews ? 1 : 0) + (n % 2 == 0 ? (n + 1 < count ? swing : 0) : -swing)
            var rated = (ratings: 0, sum: 0, criteria: String?.none, distribution: String?.none, tier: String?.none)
            if let reviewMaker {
                let written = reviewMaker.reviews(max(0, reviewShare), shop: shop, sequence: &batch.end.review, random: &random)
                batch.reviews += written.reviews
                batch.days += written.days
                rated = reviewMaker.stats(written.figures)
            }
            batch.rows[7].append([SQLBind(shop), SQLBind(figures.received), SQLBind(figures.resolved), SQLBind(figures.unresolved), SQLBind(figures.noAnswer),
                                  figures.medianFirstAnswerHours.map { SQLBind($0) } ?? SQLLiteral.null, SQLBind(rated.ratings), SQLBind(rated.sum),
                                  SQLBind.orNull(rated.criteria), SQLBind.orNull(rated.distribution), SQLBind.orNull(rated.tier), SQLBind(at)])
            // Invitations go round the shops: the first to every shop, then the second, and so on.
            for round in 0..<(count > 0 ? invitations / count + (n < invitations % count ? 1 : 0) : 0) {
                let token = Hex.string((0..<4).flatMap { _ in withUnsafeBytes(of: random.next().bigEndian, Array.init) })
                let buyer = round == 0 ? "\(n)" : "\(n)-\(round)"
                batch.rows[ScaleBatch.invitations].append([
                    SQLBind(random.uuid()), SQLBind(shop), SQLBind("koper-\(buyer)@consument.example"), SQLBind("Koper \(buyer)"), SQLBind("BENCH-\(buyer)"),
                    SQLBind(scheme.defaultLanguage), SQLBind(now), SQLBind(now), SQLBind(SecretToken.digest(token)), SQLBind("api"), SQLBind(now),
                ])
                links[round, default: []].append("\(token) \(slug)")
            }
        }
        // The link file lists a batch's first invitations, then its second ones: requests in file order
        // rate each shop no more than once per pass over the batch's shops.
        batch.links = links.keys.sorted().flatMap { links[$0]! }
        batch.end.done += size
        batch.end.random = random
        return batch
    }
}
