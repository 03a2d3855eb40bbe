import FluentKit
import Foundation
import Hummingbird
import HTTPTypes
import TrustmarkCore

/// The member's seal kit (`/portal/seal`: embed code, where it was seen, certificate and files) and
/// the staff's misuse cases (`/staff/misuse`), with the same operations in `/api/v1`.
struct SealPagesController: Sendable {
    let kit: SealKitService
    let misuse: MisuseCasesService
    let renderer: Renderer

    var desk: MembershipDesk { kit.desk }

    func register(on routes: RouteTable) {
        routes.get("/portal/seal", .roles([.member])) { _, context in
            try await portal(context)
        }
        routes.get("/portal/seal/{id}/certificate.pdf", .roles([.member])) { _, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            return MembershipPages.pdf(try await kit.certificate(shop, locale: context.locale), name: "certificate-\(shop.slug ?? "shop")")
        }
        routes.get("/portal/seal/{id}/seal.svg", .roles([.member])) { request, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            let svg = try await kit.sealFile(shop, locale: context.locale, width: Self.width(request))
            return .download(Array(svg.utf8), type: "image/svg+xml", name: "seal-\(shop.slug ?? "shop").svg")
        }
        routes.get("/portal/seal/{id}/seal.png", .roles([.member])) { request, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            let svg = try await kit.sealFile(shop, locale: context.locale, width: Self.width(request))
            return .download(Array(try kit.png(svg)), type: "image/png", name: "seal-\(shop.slug ?? "shop").png")
        }

        routes.get("/staff/misuse", .roles([.admin, .inspector])) { request, context in
            try await staff(request, context)
        }
        routes.post("/staff/misuse/{id}/decision", .roles([.admin, .inspector])) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                guard let state = SealSighting.State(rawValue: input.fields["decision"] ?? ""), state != .open else {
                    throw AppError.invalid("decision", "validation_choice")
                }
                _ = try await misuse.decide(context.parameters.get("id"), to: state, note: input.fields["note"] ?? "", actor: try context.requireIdentity())
                return .seeOther("/staff/misuse")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await staff(request, context, error: refusal.text, status: refusal.status)
            }
        }
        routes.get("/api/v1/misuse-cases", .roles([.admin, .inspector]), api: APIDoc("Seals seen on sites their shop does not hold", tag: "seal",
                                                                                     response: "MisuseCaseList", query: ["state", "page", "size"])) { request, _ in
            let query = request.uri.queryParameters
            let state = try query["state"].map { raw -> SealSighting.State in
                guard let state = SealSighting.State(rawValue: String(raw)) else { throw AppError.invalid("state", "validation_choice") }
                return state
            }
            let list = try await misuse.list(state: state, paging: Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) }))
            return JSONBody.response(ListDTO(list))
        }
        for state in [SealSighting.State.dismissed, .pursued] {
            let verb = state == .dismissed ? "dismiss" : "pursue"
            routes.post("/api/v1/misuse-cases/{id}/\(verb)", .roles([.admin, .inspector]),
                        api: APIDoc(state == .dismissed ? "Dismiss a misuse case, with the reason" : "Pursue a misuse case, with the reason", tag: "seal",
                                    request: "MisuseDecision", response: "MisuseCase", errors: [404, 409, 422])) { request, context in
                let body = try await JSONBody.decode(MisuseDecisionRequest.self, from: request, context: context)
                return JSONBody.response(try await misuse.decide(context.parameters.get("id"), to: state, note: body.note, actor: try context.requireIdentity()))
            }
        }
    }

    /// The file's width in pixels (`?width=`, or `?size=` as the portal links say), kept to what a
    /// printer needs so a request cannot ask for a giant picture.
    static func width(_ request: Request) -> Int {
        let asked = (request.uri.queryParameters["width"] ?? request.uri.queryParameters["size"]).flatMap { Int($0) } ?? 800
        return min(4000, max(64, asked))
    }

    private func portal(_ context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let organisation = identity.organisationID else { throw AppError.notFound }
        let shops = try await Shop.query(on: desk.storage.db).filter(\.$organisation.$id == organisation)
            .filter(\.$stateRaw == Shop.State.approved.rawValue).with(\.$domains).sort(\.$createdAt).all()
        let now = desk.clock.now()
        try await kit.seals.sightings.flush()
        var rows: [SealKitPage.ShopKit] = []
        for shop in shops {
            guard let slug = shop.slug, let record = try await kit.register.record(slug: slug) else { continue }
            let seen = try await kit.sightings(of: shop).map {
                SealKitPage.Seen(host: $0.host, page: $0.lastPage, lastSeen: desk.dayText(Day($0.lastSeen, in: desk.timeZone), context.locale),
                                 count: $0.count, recent: now.timeIntervalSince($0.lastSeen) < 7 * 86_400)
            }
            let id = try shop.requireID().uuidString
            rows.append(.init(id: id, name: shop.name, slug: slug, status: SealService.statusText(record.seal.status, locale: context.locale, desk: desk),
                              valid: record.seal.status.isValid, embeds: kit.embeds(shop, locale: context.locale).map { .init(domain: $0.domain, snippet: $0.snippet) },
                              seen: seen, hasSeen: !seen.isEmpty, seenRecently: seen.contains { $0.recent }))
        }
        let page = SealKitPage(chrome: renderer.chrome(context, titleKey: "kit_title", path: "/portal/seal"), shops: rows, hasShops: !rows.isEmpty,
                               pngAvailable: kit.rasteriser != nil, baseHost: URL(string: desk.baseURL)?.host ?? desk.baseURL)
        return renderer.render("seal/kit", page, context: context)
    }

    private func staff(_ request: Request, _ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let chosen = request.uri.queryParameters["state"].flatMap { SealSighting.State(rawValue: String($0)) } ?? .open
        let paging = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: 50)
        let list = try await misuse.list(state: chosen, paging: paging)
        let counts = try await misuse.counts()
        let filters = [SealSighting.State.open, .dismissed, .pursued].map {
            MisusePage.Filter(label: renderer.localizer.text("misuse_state_\($0.rawValue)", context.locale), href: "/staff/misuse?state=\($0.rawValue)",
                              current: $0 == chosen, count: counts[$0] ?? 0)
        }
        let rows = list.items.map { item in
            let scan = item.scanOutcome.map { outcome in
                renderer.localizer.text("misuse_scan_\(outcome)", context.locale) + ((item.scanEvidence ?? "").isEmpty ? "" : ": " + (item.scanEvidence ?? ""))
            }
            return MisusePage.Row(id: item.id.uuidString, shop: item.shop, slug: item.shopSlug, host: item.host, firstPage: item.firstPage, lastPage: item.lastPage,
                           firstSeen: desk.dayText(Day(item.firstSeen, in: desk.timeZone), context.locale),
                           lastSeen: desk.dayText(Day(item.lastSeen, in: desk.timeZone), context.locale), count: item.count,
                           open: item.state == SealSighting.State.open.rawValue, note: item.decisionNote,
                           scan: scan, confirmed: item.scanOutcome == "seen")
        }
        let page = MisusePage(chrome: renderer.chrome(context, titleKey: "misuse_title", path: "/staff/misuse"), error: error, filters: filters, rows: rows,
                              hasRows: !rows.isEmpty, pager: Pager(list, base: "/staff/misuse?state=\(chosen.rawValue)&page="),
                              canSummon: context.role == .admin,
                              scanned: request.uri.queryParameters["scanned"].map { renderer.localizer.text("misuse_scanned_\($0)", context.locale) })
        return renderer.render("seal/misuse", page, context: context, status: status)
    }
}

struct SealKitPage: Encodable, Sendable {
    struct Embed: Encodable, Sendable {
        let domain: String
        let snippet: String
    }

    struct Seen: Encodable, Sendable {
        let host: String
        let page: String
        let lastSeen: String
        let count: Int
        let recent: Bool
    }

    struct ShopKit: Encodable, Sendable {
        let id: String
        let name: String
        let slug: String
        let status: String
        let valid: Bool
        let embeds: [Embed]
        let seen: [Seen]
        let hasSeen: Bool
        let seenRecently: Bool
    }

    let chrome: PageChrome
    let shops: [ShopKit]
    let hasShops: Bool
    let pngAvailable: Bool
    let baseHost: String
}

struct MisusePage: Encodable, Sendable {
    struct Filter: Encodable, Sendable {
        let label: String
        let href: String
        let current: Bool
        let count: Int
    }

    struct Row: Encodable, Sendable {
        let id: String
        let shop: String
        let slug: String
        let host: String
        let firstPage: String
        let lastPage: String
        let firstSeen: String
        let lastSeen: String
        let count: Int
        let open: Bool
        let note: String?
        /// The website checker's scan of the page, in words.
        let scan: String?
        let confirmed: Bool
    }

    let chrome: PageChrome
    let error: String?
    let filters: [Filter]
    let rows: [Row]
    let hasRows: Bool
    let pager: Pager
    /// Administrators may summon the site's owner (the sanctions desk).
    let canSummon: Bool
    /// What a scan staff asked for found, when the page comes back from it.
    let scanned: String?
}
