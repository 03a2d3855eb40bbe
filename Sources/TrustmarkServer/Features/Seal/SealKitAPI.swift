import Foundation
import Hummingbird
import TrustmarkCore

/// A member's seal kit as JSON: the embed code per domain (with the signed seal address), where
/// the seal was seen on the shop's own domains, and the certificate and seal files.
struct SealKitDTO: Codable, Sendable {
    struct Embed: Codable, Sendable {
        let domain: String
        let html: String
    }

    struct Seen: Codable, Sendable {
        let host: String
        let lastPage: String
        let lastSeen: Date
        let count: Int
    }

    let shopId: UUID
    let shop: String
    let slug: String
    let embeds: [Embed]
    let seen: [Seen]
    let certificate: String
    let svg: String
    let png: String
}

struct SealKitAPI: Sendable {
    let kit: SealKitService

    func register(on routes: RouteTable) {
        routes.get("/api/v1/seal-kit/{id}", .roles([.member]), api: APIDoc("One of your shops' seal kit: embed code per domain, where the seal was seen, files",
                                                                          tag: "seal", response: "SealKit", errors: [404])) { _, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            let id = try shop.requireID()
            let base = "\(kit.desk.baseURL)/api/v1/seal-kit/\(id.uuidString)"
            let seen = try await kit.sightings(of: shop).map { SealKitDTO.Seen(host: $0.host, lastPage: $0.lastPage, lastSeen: $0.lastSeen, count: $0.count) }
            return JSONBody.response(SealKitDTO(shopId: id, shop: shop.name, slug: shop.slug ?? "",
                                                embeds: kit.embeds(shop, locale: context.locale).map { .init(domain: $0.domain, html: $0.snippet) }, seen: seen,
                                                certificate: base + "/certificate.pdf", svg: base + "/seal.svg", png: base + "/seal.png"))
        }
        routes.get("/api/v1/seal-kit/{id}/certificate.pdf", .roles([.member]), api: APIDoc("The shop's certificate (PDF; only while the seal is valid)",
                                                                                          tag: "seal", errors: [404, 409])) { _, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            return MembershipPages.pdf(try await kit.certificate(shop, locale: context.locale), name: "certificate-\(shop.slug ?? "shop")")
        }
        routes.get("/api/v1/seal-kit/{id}/seal.svg", .roles([.member]), api: APIDoc("The seal as a file to print (SVG, ?width= in pixels, 64-4000)", tag: "seal",
                                                                                   query: ["width"], errors: [404, 409])) { request, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            let svg = try await kit.sealFile(shop, locale: context.locale, width: SealPagesController.width(request))
            return .download(Array(svg.utf8), type: "image/svg+xml", name: "seal-\(shop.slug ?? "shop").svg")
        }
        routes.get("/api/v1/seal-kit/{id}/seal.png", .roles([.member]), api: APIDoc("The seal as a file to print (PNG, ?width= in pixels, 64-4000)", tag: "seal",
                                                                                   query: ["width"], errors: [404, 409])) { request, context in
            let shop = try await kit.ownShop(context.parameters.get("id"), actor: try context.requireIdentity())
            let svg = try await kit.sealFile(shop, locale: context.locale, width: SealPagesController.width(request))
            return .download(Array(try kit.png(svg)), type: "image/png", name: "seal-\(shop.slug ?? "shop").png")
        }
    }
}
