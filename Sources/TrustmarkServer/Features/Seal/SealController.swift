import Foundation
import Hummingbird
import HTTPTypes
import TrustmarkCore

/// `GET /seal/{slug}.svg`: the live seal, for every page view of every member shop.
struct SealController: Sendable {
    let seals: SealService
    let ownHost: String?

    func register(on routes: RouteTable) {
        routes.get("/seal/{file}", .everyone) { request, context in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".svg"), file.count > 4 else { throw AppError.notFound }
            let slug = String(file.dropLast(4)).lowercased()
            let query = request.uri.queryParameters
            let width = query["size"].flatMap { Int($0) } ?? SealImage.width
            let locale = query["lang"].flatMap { AppLocale(rawValue: String($0)) } ?? AppLocale(rawValue: seals.desk.scheme.defaultLanguage) ?? .fallback
            var host = SealService.refererHost(request.headers[.referer])
            if host == ownHost { host = nil }
            let image = try await seals.image(slug: slug, locale: locale, width: width, refererHost: host)
            var headers: HTTPFields = [.contentType: "image/svg+xml; charset=utf-8", .eTag: image.etag,
                                       .cacheControl: "public, max-age=\(Int(seals.maxAge))", .vary: "Referer"]
            headers[.init("Access-Control-Allow-Origin")!] = "*"
            if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == image.etag }) == true {
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(data: image.bytes)))
        }
    }
}
