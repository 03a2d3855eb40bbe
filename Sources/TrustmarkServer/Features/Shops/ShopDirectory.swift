import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// The public directory: member shops, searched by name or domain and filtered by variant, tier
/// and city, a page at a time. The query selects the shops whose membership is in force by its
/// stored days, without the shops suspended today (a sanction or the review-fraud ladder); each
/// row then shows the seal's own answer for it.
struct ShopDirectory: Sendable {
    struct Filter: Sendable, Equatable, Encodable {
        var query = ""
        var variant = ""
        var tier = ""
        var city = ""
    }

    struct Row: Decodable, Sendable {
        let slug: String
        let name: String
        let variant: String
        let city: String?
        let tier: String?
    }

    let desk: MembershipDesk

    func search(_ filter: Filter, paging: Paging) async throws -> PagedList<Row> {
        guard let sql = desk.storage.db as? any SQLDatabase else { return PagedList(items: [], request: paging, total: 0) }
        let today = desk.today.description
        let text = filter.query.lowercased()
        let contains = "%" + Self.escapeLike(text) + "%"
        let domainStart = Self.escapeLike(DomainName.normalise(text)) + "%"
        let city = filter.city.lowercased()
        let condition: SQLQueryString = """
            FROM shops s
            JOIN memberships m ON m.organisation_id = s.organisation_id
            LEFT JOIN registrations r ON r.organisation_id = s.organisation_id
            LEFT JOIN shop_stats st ON st.shop_id = s.id
            WHERE s.state = 'approved' AND (m.ended_on IS NULL OR m.ended_on > \(bind: today))
              AND m.term_start IS NOT NULL AND m.term_start <= \(bind: today) AND m.paid_through > \(bind: today)
              AND NOT (s.suspended_from IS NOT NULL AND s.suspended_from <= \(bind: today) AND (s.suspended_until IS NULL OR s.suspended_until > \(bind: today)))
              AND (\(bind: text) = '' OR LOWER(s.name) LIKE \(bind: contains) ESCAPE '\\'
                   OR EXISTS (SELECT 1 FROM shop_domains d WHERE d.shop_id = s.id AND d.released_at IS NULL AND d.domain LIKE \(bind: domainStart) ESCAPE '\\'))
              AND (\(bind: filter.variant) = '' OR s.variant = \(bind: filter.variant))
              AND (\(bind: filter.tier) = '' OR st.tier = \(bind: filter.tier))
              AND (\(bind: city) = '' OR LOWER(r.city) = \(bind: city))
            """
        struct Count: Decodable { let total: Int }
        let total = try await sql.raw("SELECT COUNT(*) AS total " + condition).first(decoding: Count.self)?.total ?? 0
        let rows = try await sql.raw("SELECT s.slug AS slug, s.name AS name, s.variant AS variant, r.city AS city, st.tier AS tier "
            + condition + " ORDER BY LOWER(s.name), s.slug LIMIT \(unsafeRaw: String(paging.size)) OFFSET \(unsafeRaw: String(paging.offset))")
            .all(decoding: Row.self)
        return PagedList(items: rows, request: paging, total: total)
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
