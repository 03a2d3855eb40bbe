import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import NIOCore
import TrustmarkCore

/// `GET /seal/{slug}.svg`: the live seal, for every page view of every member shop. The route is in
/// the route table (access, OpenAPI) and answers when the shop's facts must first be read from the
/// database; a seal whose facts are in memory is answered earlier, by `SealConnectionHandler` on the
/// connection itself, or by `SealFastPath` ahead of the page middleware.
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
        guard file.utf8.count > 4, file.utf8.suffix(4).elementsEqual(".svg".utf8), file.utf8.count <= 80, !file.utf8.contains(UInt8(ascii: "/")) else { return nil }
        let slug = file.dropLast(4)
        return slug.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? slug.lowercased() : String(slug)
    }

    static func slug(_ file: String) -> String? { slug(Substring(file)) }

    /// What a seal request asks for: language, size, the page that shows it, a signed domain.
    func sealRequest(slug: String, uri: URI, referer: String?) -> SealRequest {
        let query = uri.queryParameters
        let locale = query["lang"].flatMap { AppLocale(rawValue: String($0)) }
            ?? AppLocale(rawValue: seals.desk.scheme.defaultLanguage) ?? .fallback
        var page = SealService.refererPage(referer)
        if page?.host == ownHost { page = nil }
        var signed: (String, String)?
        if let domain = query["domain"] {
            signed = (DomainName.normalise(String(domain)), query["sig"].map(String.init) ?? "")
        }
        return SealRequest(slug: slug, locale: locale, width: query["size"].flatMap { Int($0) } ?? SealImage.width, page: page, signed: signed)
    }

    /// The response for an image: 304 when the browser holds it already, no body for HEAD.
    func answer(_ image: SealImageBytes, method: HTTPRequest.Method, ifNoneMatch: String?) -> (head: HTTPResponse, body: ByteBuffer?) {
        let (notModified, body) = image.answer(ifNoneMatch: ifNoneMatch, head: method == .head)
        return (notModified ? HTTPResponse(status: .notModified, headerFields: image.notModifiedFields) : HTTPResponse(status: .ok, headerFields: image.fields), body)
    }

    func respond(_ request: Request, slug: String) async throws -> Response {
        let image = try await seals.image(sealRequest(slug: slug, uri: request.uri, referer: request.headers[.referer]))
        let (head, body) = answer(image, method: request.method, ifNoneMatch: request.headers[.ifNoneMatch])
        return Response(status: head.status, headers: head.headerFields, body: body.map { .init(byteBuffer: $0) } ?? .init())
    }

    /// The seal a request target (path and query) and `Referer` ask for; nil when the target is not
    /// a well-formed seal address.
    func sealRequest(target: String, referer: String?) -> SealRequest? {
        let uri = URI(target)
        guard uri.path.hasPrefix("/seal/"), let slug = Self.slug(uri.path.dropFirst(6)) else { return nil }
        return sealRequest(slug: slug, uri: uri, referer: referer)
    }
}

/// Answers `GET /seal/{slug}.svg` before any other middleware when the connection handler passed it
/// on (the shop's facts were not in memory): the session, CSRF and logging middleware would be most
/// of its cost. Anything that is not a well-formed seal address goes on to the router.
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
