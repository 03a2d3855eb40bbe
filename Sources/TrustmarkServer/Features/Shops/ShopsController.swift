import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import TrustmarkCore

/// The public side of the register: the verification page a seal links to (`/shops/{slug}`), the
/// directory (`/shops`), and the same facts as JSON (`/api/v1/shops`).
struct ShopsController: Sendable {
    let register: PublicRegister
    let pages: VerificationPages
    let directory: ShopDirectory
    let renderer: Renderer
    let ownHost: String?

    var desk: MembershipDesk { register.desk }

    func register(on routes: RouteTable) {
        routes.get("/shops", .everyone) { request, context in
            let (filter, paging) = Self.filter(request)
            let list = try await directory.search(filter, paging: paging)
            return renderer.render("shops/directory", directoryPage(context, filter: filter, list: list), context: context)
        }
        routes.get("/shops/{slug}", .everyone) { request, context in
            let slug = (context.parameters.get("slug") ?? "").lowercased()
            guard let record = try await register.record(slug: slug) else {
                let page = UnknownShopPage(chrome: renderer.chrome(context, titleKey: "verify_unknown_title", path: "/shops"), slug: slug,
                                           lists: lists(context.locale))
                return renderer.render("shops/unknown", page, context: context, status: .notFound)
            }
            var cameFrom = SealService.refererPage(request.headers[.referer])?.host
            if cameFrom == ownHost { cameFrom = nil }
            let page = pages.page(record, cameFrom: cameFrom, context: context)
            return cacheable(renderer.response(page.parts, context: context), etag: page.etag, request: request)
        }
        routes.get("/api/v1/shops", .everyone, api: APIDoc("Look up a member shop by domain, or search the directory", tag: "shops", response: "PublicShopOrList",
                                                            query: ["domain", "q", "variant", "tier", "city", "page", "size"], errors: [404, 422])) { request, context in
            let query = request.uri.queryParameters
            if let raw = query["domain"] {
                let domain = DomainName.normalise(String(raw))
                guard DomainName.isValid(domain) else { throw AppError.invalid("domain", "shops_domain_invalid", ["domain": String(raw)]) }
                guard let slug = try await register.slug(forDomain: domain), let record = try await register.record(slug: slug) else {
                    throw AppError(.notFound, code: "shop_not_found", messageKey: "shops_domain_unknown", arguments: ["domain": domain], field: "domain")
                }
                return try json(PublicShop(record, locale: context.locale, desk: desk), request: request)
            }
            let (filter, paging) = Self.filter(request)
            let list = try await directory.search(filter, paging: paging)
            let items = list.items.map { DirectoryEntry($0, locale: context.locale, desk: desk) }
            return JSONBody.response(ListDTO(items: items, page: list.page, size: list.size, total: list.total, pageCount: list.pageCount))
        }
        routes.get("/api/v1/shops/{slug}", .everyone, api: APIDoc("A shop's public facts (the verification page as JSON)", tag: "shops", response: "PublicShop", errors: [404])) { request, context in
            guard let record = try await register.record(slug: (context.parameters.get("slug") ?? "").lowercased()) else {
                throw AppError(.notFound, code: "shop_not_found", messageKey: "shops_unknown")
            }
            return try json(PublicShop(record, locale: context.locale, desk: desk), request: request)
        }
    }

    static func etag(_ bytes: Data) -> String {
        EntityTag.of(bytes)
    }

    /// ETag from the body, `Cache-Control` for the seal's window, and 304 when the client has it.
    private func json(_ shop: PublicShop, request: Request) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(shop)
        return cacheable(JSONBody.raw(data, status: .ok), etag: Self.etag(data), request: request)
    }

    private func cacheable(_ response: Response, etag: String, request: Request) -> Response {
        var response = response
        response.headers[.eTag] = etag
        response.headers[.cacheControl] = "private, max-age=\(Int(register.seals.maxAge))"
        response.headers[.vary] = "Referer, Accept-Language, Cookie"
        if EntityTag.matches(request, etag) {
            return Response(status: .notModified, headers: response.headers)
        }
        return response
    }

    static func filter(_ request: Request) -> (ShopDirectory.Filter, Paging) {
        let query = request.uri.queryParameters
        let value = { (name: String) -> String in
            let raw = query[Substring(name)].map(String.init) ?? ""
            return String(raw.trimmingWhitespace().prefix(100))
        }
        let filter = ShopDirectory.Filter(query: value("q"), variant: value("variant"), tier: value("tier"), city: value("city"))
        return (filter, Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) } ?? 20))
    }

    private func lists(_ locale: AppLocale) -> [DirectoryPage.Link] {
        (desk.scheme.sanctions?.lists ?? []).map { DirectoryPage.Link(label: desk.active.text($0.name, locale), href: "/lists/\($0.id)") }
    }

    private func directoryPage(_ context: AppRequestContext, filter: ShopDirectory.Filter, list: PagedList<ShopDirectory.Row>) -> DirectoryPage {
        let scheme = desk.scheme
        let option = { (id: String, name: LocalizedText, chosen: String) in
            DirectoryPage.Option(value: id, label: desk.active.text(name, context.locale), selected: id == chosen)
        }
        var base = "/shops?"
        for (name, value) in [("q", filter.query), ("variant", filter.variant), ("tier", filter.tier), ("city", filter.city)] where !value.isEmpty {
            base += name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + "&"
        }
        let rows = list.items.map { DirectoryEntry($0, locale: context.locale, desk: desk) }
        return DirectoryPage(chrome: renderer.chrome(context, titleKey: "directory_title", path: "/shops"), filter: filter,
                             variants: scheme.seal.variants.map { option($0.id, $0.name, filter.variant) },
                             tiers: scheme.seal.tiers.map { option($0.id, $0.name, filter.tier) }, hasTiers: !scheme.seal.tiers.isEmpty,
                             rows: rows, hasRows: !rows.isEmpty, total: list.total, pager: Pager(list, base: base + "page="), lists: lists(context.locale),
                             hasLists: !(desk.scheme.sanctions?.lists ?? []).isEmpty)
    }
}

/// One shop in the directory.
struct DirectoryEntry: Codable, Sendable {
    let slug: String
    let name: String
    let variant: String
    let variantName: String
    let city: String?
    let tier: String?
    let tierName: String?
    let verificationURL: String

    init(_ row: ShopDirectory.Row, locale: AppLocale, desk: MembershipDesk) {
        slug = row.slug
        name = row.name
        variant = row.variant
        variantName = desk.variantName(row.variant, locale)
        city = row.city
        let tierRule = desk.tier(row.tier)
        tier = tierRule?.id
        tierName = tierRule.map { desk.active.text($0.name, locale) }
        verificationURL = "/shops/\(row.slug)"
    }
}

struct DirectoryPage: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Link: Encodable, Sendable {
        let label: String
        let href: String
    }

    let chrome: PageChrome
    let filter: ShopDirectory.Filter
    let variants: [Option]
    let tiers: [Option]
    let hasTiers: Bool
    let rows: [DirectoryEntry]
    let hasRows: Bool
    let total: Int
    let pager: Pager
    let lists: [Link]
    let hasLists: Bool
}

struct UnknownShopPage: Encodable, Sendable {
    let chrome: PageChrome
    let slug: String
    let lists: [DirectoryPage.Link]
}
