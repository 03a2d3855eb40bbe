import Foundation
import TrustmarkCore

/// The verification page as HTML. Anonymous visitors' pages carry no per-visitor token, so each
/// shop's page is rendered once per language and kept with its record in the public register; so is
/// the note on each site visitors came from (the `Referer`), spliced in at the page's came-from mark.
/// The warmer renders every shop's page in the scheme's first language ahead of its visitors, so
/// that a first visit finds it ready too.
struct VerificationPages: Sendable {
    let register: PublicRegister
    let renderer: Renderer

    var desk: MembershipDesk { register.desk }

    /// A page as sent: its parts in order, and the ETag of the whole.
    struct Answer {
        let parts: [String]
        let etag: String
    }

    func page(_ record: ShopRecord, cameFrom: String?, context: AppRequestContext) -> Answer {
        let locale = context.locale
        let signedIn = context.identity != nil
        let page = (signedIn ? nil : register.page(slug: record.slug, key: locale.rawValue))
            ?? rendered(record, locale: locale, identity: context.identity, csrf: context.csrfToken, keep: !signedIn)
        guard let cameFrom else { return Answer(parts: [page.head, page.tail], etag: page.etag) }
        let note = (signedIn ? nil : register.page(slug: record.slug, key: Self.noteKey(locale, cameFrom))) ?? self.note(record, on: page, host: cameFrom, locale: locale, keep: !signedIn)
        return Answer(parts: [page.head, note.head, page.tail], etag: note.etag)
    }

    /// Renders the page of every kept record (or of `records`) that has none in `locale` yet, with the
    /// notes for the shop's own websites, while the register's page budget has room. Returns how many
    /// it rendered.
    @discardableResult
    func prerender(locale: AppLocale, records: [ShopRecord]? = nil) async -> Int {
        var count = 0
        for record in records ?? register.keptRecords() where register.page(slug: record.slug, key: locale.rawValue) == nil {
            if Task.isCancelled { break }
            let page = rendered(record, locale: locale, identity: nil, csrf: "", keep: false)
            switch register.keepIfRoom(page, of: record, key: locale.rawValue) {
            case .full: return count
            case .replaced: continue
            case .kept: break
            }
            for domain in record.domains { _ = note(record, on: page, host: domain, locale: locale, keep: true) }
            count += 1
            // A few hundred pages at a time, then the requests waiting meanwhile go first.
            if count % 256 == 0 { await Task.yield() }
        }
        return count
    }

    private static func noteKey(_ locale: AppLocale, _ host: String) -> String { locale.rawValue + "|" + host }

    private func rendered(_ record: ShopRecord, locale: AppLocale, identity: Identity?, csrf: String, keep: Bool) -> PublicRegister.RenderedPage {
        let chrome = renderer.chrome(locale: locale, identity: identity, csrf: csrf, titleKey: "verify_title", path: "/shops/\(record.slug)")
        let page = PublicRegister.RenderedPage(html: renderer.html("shops/verify", content(record, chrome: chrome, locale: locale), locale: locale))
        if keep { register.keep(page, of: record, key: locale.rawValue) }
        return page
    }

    /// The note on where the visitor came from: one of the shop's own websites, or a site that is not
    /// the shop's (a copied seal or a cloned page), which is a warning. Its ETag is that of the page
    /// with the note.
    private func note(_ record: ShopRecord, on page: PublicRegister.RenderedPage, host: String, locale: AppLocale, keep: Bool) -> PublicRegister.RenderedPage {
        let foreign = !ShopSealFacts.host(host, isIn: record.domains)
        let html = renderer.html("shops/came_from", CameFromNote(name: record.name, domainsText: record.domains.joined(separator: ", "), cameFrom: host, foreign: foreign),
                                 locale: locale)
        let note = PublicRegister.RenderedPage(note: html, etag: EntityTag.of(Data((page.etag + html).utf8)))
        if keep { register.keep(note, of: record, key: Self.noteKey(locale, host)) }
        return note
    }

    private func content(_ record: ShopRecord, chrome: PageChrome, locale: AppLocale) -> VerificationPage {
        let shop = PublicShop(record, locale: locale, desk: desk)
        var chrome = chrome
        chrome.title = shop.name
        let day = { (text: String?) in text.flatMap { Day($0) }.map { desk.dayText($0, locale) } }
        return VerificationPage(chrome: chrome, shop: shop, valid: record.seal.status.isValid, statusClass: shop.status.replacingOccurrences(of: "_", with: "-"),
                                statusSinceText: day(shop.statusSince), statusUntilText: day(shop.statusUntil), memberSinceText: day(shop.memberSince),
                                lastCheckedText: day(shop.lastCheckedOn), hasChecks: !shop.checks.isEmpty,
                                hasSanctions: !shop.sanctions.isEmpty || shop.warning != nil, hasComplaintStats: shop.complaints != nil,
                                hasRatings: shop.ratings != nil, hasRatingAverage: shop.ratings?.average != nil,
                                complaintChart: complaintChart(record, locale: locale))
    }

    /// The window's complaints as one bar: resolved, left unresolved, and the rest (still running or
    /// withdrawn); only where the scheme publishes figures and there were complaints.
    private func complaintChart(_ record: ShopRecord, locale: AppLocale) -> String? {
        guard desk.scheme.complaints?.statisticsPublic == true, let stats = record.stats, stats.complaints12m > 0 else { return nil }
        let t = { (key: String) in desk.localizer.text(key, locale) }
        let resolved = stats.resolved12m, unresolved = stats.unresolved12m
        let other = max(0, stats.complaints12m - resolved - unresolved)
        return BarChart(id: "complaint-chart", title: t("chart_complaints_title"),
                        series: [.init(name: t("verify_complaints_resolved"), colour: ChartColours.good), .init(name: t("verify_complaints_unresolved"), colour: ChartColours.bad),
                                 .init(name: t("chart_complaints_other"), colour: ChartColours.neutral)],
                        rows: [.init(label: t("verify_complaints_received"), values: [resolved, unresolved, other], valueText: "\(stats.complaints12m)")]).svg()
    }
}

struct VerificationPage: Encodable, Sendable {
    let chrome: PageChrome
    let shop: PublicShop
    let valid: Bool
    let statusClass: String
    let statusSinceText: String?
    let statusUntilText: String?
    let memberSinceText: String?
    let lastCheckedText: String?
    let hasChecks: Bool
    let hasSanctions: Bool
    let hasComplaintStats: Bool
    let hasRatings: Bool
    let hasRatingAverage: Bool
    /// The complaints of the window as a bar chart (SVG), when there were any.
    let complaintChart: String?
}

/// Where the visitor of a verification page came from (the page's `Referer`).
struct CameFromNote: Encodable, Sendable {
    let name: String
    let domainsText: String
    let cameFrom: String
    let foreign: Bool
}
