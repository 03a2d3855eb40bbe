import FluentKit
import Foundation
import SQLKit
import Hummingbird
import TrustmarkCore

/// The barometer (a shop's average per month over the window) and the embeddable review widget.
extension ReviewsService {
    func barometer(slug: String, locale: AppLocale) async throws -> RatingBarometer {
        let rules = try rules()
        let db = desk.storage.db
        guard let shop = try await Shop.query(on: db).filter(\.$slug == slug).first(), let shopID = shop.id else { throw AppError.notFound }
        let now = desk.clock.now()
        let first = Day(desk.windowStart(rules.window, now: now), in: desk.timeZone)
        let rows = try await ReviewDay.query(on: db).filter(\.$shopID == shopID).filter(\.$day > first.description).all()
        var byMonth: [String: (count: Int, sum: Int)] = [:]
        for row in rows { byMonth[String(row.day.prefix(7)), default: (0, 0)].count += row.count; byMonth[String(row.day.prefix(7)), default: (0, 0)].sum += row.overallSum }
        var months: [RatingBarometer.Month] = []
        var cursor = Day(year: first.year, month: first.components.month, day: 1) ?? first
        let today = Day(now, in: desk.timeZone)
        while cursor <= today {
            let key = String(cursor.description.prefix(7))
            let figures = byMonth[key]
            let average = figures.flatMap { $0.count > 0 ? ($0.sum * 2 + $0.count) / ($0.count * 2) : nil }
            months.append(.init(label: DateText.month(cursor.midday(in: desk.timeZone), locale: locale, timeZone: desk.timeZone), count: figures?.count ?? 0,
                                average: average))
            cursor = cursor.firstOfNextMonth
        }
        let colour = desk.scheme.seal.defaultVariant?.colour ?? "#1d5fa8"
        return RatingBarometer(months: months.suffix(13), scale: rules.scaleMinimum...rules.scaleMaximum,
                               title: desk.localizer.text("barometer_title", locale, ["shop": shop.name]), colour: colour)
    }

    /// Embedded on shop pages, so it reads only the shop (from the public register's memory) and its
    /// kept figures, never the reviews.
    func widget(slug: String, locale: AppLocale) async throws -> ReviewWidget {
        let rules = try rules()
        guard let record = try await register.record(slug: slug), let shopID = record.seal.shopID else { throw AppError.notFound }
        guard let sql = desk.storage.db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let stats = try await keptRatings(shopID, on: sql)
        let figures = Self.figures(stats, rules: rules)
        let tier = desk.tier(stats?.tier)
        return ReviewWidget(organisation: desk.scheme.name, shop: record.name, average: figures.average.map(RatingFigures.text), outOf: rules.scaleMaximum,
                            countText: desk.localizer.text(figures.count == 1 ? "widget_count_one" : "widget_count", locale, ["count": "\(figures.count)"]),
                            tier: tier.map { desk.active.text($0.name, locale) }, colour: tier?.colour ?? desk.scheme.seal.defaultVariant?.colour ?? "#1d5fa8")
    }
}

/// `/shops/{slug}/barometer.svg` and `/reviews/widget/{slug}.svg`: images anyone may embed.
struct ReviewChartRoutes: Sendable {
    let reviews: ReviewsService
    let maxAge: Int

    func register(on routes: RouteTable) {
        routes.get("/shops/{slug}/barometer.svg", .everyone) { request, context in
            let chart = try await reviews.barometer(slug: (context.parameters.get("slug") ?? "").lowercased(), locale: Self.locale(request, context))
            return image(chart.svg())
        }
        routes.get("/reviews/widget/{slug}.svg", .everyone) { request, context in
            let widget = try await reviews.widget(slug: (context.parameters.get("slug") ?? "").lowercased(), locale: Self.locale(request, context))
            return image(widget.svg())
        }
    }

    static func locale(_ request: Request, _ context: AppRequestContext) -> AppLocale {
        request.uri.queryParameters["lang"].flatMap { AppLocale(rawValue: String($0)) } ?? context.locale
    }

    private func image(_ svg: String) -> Response {
        var response = Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8", .cacheControl: "public, max-age=\(maxAge)"],
                                body: .init(byteBuffer: ByteBuffer(string: svg)))
        // Meant to be shown on other sites (the shop's), unlike the pages.
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'"
        return response
    }
}
