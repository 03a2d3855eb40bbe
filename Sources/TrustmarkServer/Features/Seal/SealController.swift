import Foundation
import Hummingbird
import HTTPTypes
import TrustmarkCore

/// `GET /seal/{slug}.svg`: the live seal, for every page view of every member shop. The route is in
/// the route table (access, OpenAPI); `SealFastPath` answers the same requests ahead of the page
/// middleware (sessions, CSRF cookie, request log), which a seal needs none of.
struct SealController: Sendable {
    let seals: SealService
    let ownHost: String?

    func register(on routes: RouteTable) {
        routes.get("/seal/{file}", .everyone) { request, context in
            let file = context.parameters.get("file") ?? ""
            guard let slug = Self.slug(file) else { throw AppError.notFound }
            return try await respond(request, slug: slug)
        }
    }

    /// `fietsen-3f9a1c.svg` -> `fietsen-3f9a1c`; nil for anything else.
    static func slug(_ file: Substring.SubSequence) -> String? {
        guard file.hasSuffix(".svg"), file.count > 4, file.count <= 80, !file.contains("/") else { return nil }
        return String(file.dropLast(4)).lowercased()
    }

    static func slug(_ file: String) -> String? { slug(Substring(file)) }

    func respond(_ request: Request, slug: String) async throws -> Response {
        let query = request.uri.queryParameters
        let locale = query["lang"].flatMap { AppLocale(rawValue: String($0)) }
            ?? AppLocale(rawValue: seals.desk.scheme.defaultLanguage) ?? .fallback
        var page = SealService.refererPage(request.headers[.referer])
        if page?.host == ownHost { page = nil }
        var signed: (String, String)?
        if let domain = query["domain"] {
            signed = (DomainName.normalise(String(domain)), query["sig"].map(String.init) ?? "")
        }
        let image = try await seals.image(SealRequest(slug: slug, locale: locale, width: query["size"].flatMap { Int($0) } ?? SealImage.width,
                                                      page: page, signed: signed))
        var headers: HTTPFields = [.contentType: "image/svg+xml; charset=utf-8", .eTag: image.etag,
                                   .cacheControl: "public, max-age=\(Int(seals.maxAge))", .vary: "Referer",
                                   .accessControlAllowOrigin: "*", .xContentTypeOptions: "nosniff"]
        headers[.contentSecurityPolicy] = "default-src 'none'"
        if EntityTag.matches(request, image.etag) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(data: image.bytes)))
    }
}

/// Answers `GET /seal/{slug}.svg` before any other middleware: the whole seal path is a cache
/// lookup, so the session, CSRF and logging middleware would be most of its cost. Anything that is
/// not a well-formed seal address goes on to the router (and its 404 page).
struct SealFastPath: RouterMiddleware {
    typealias Context = AppRequestContext
    let controller: SealController

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, path.hasPrefix("/seal/"),
              let slug = SealController.slug(path.dropFirst(6)) else {
            return try await next(request, context)
        }
        return try await controller.respond(request, slug: slug)
    }
}
