import Foundation
import Hummingbird
import Logging
import TrustmarkCore

/// The outermost layer of every request: chooses the language, hands out the CSRF cookie, adds the
/// security headers and the request id, and turns any error into a page or a JSON body in the
/// reader's language. Nothing inside has to think about how an error looks.
struct WebMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: Renderer
    let config: AppConfig

    static let languageCookie = "trustmark_lang"
    static let csrfCookie = "trustmark_csrf"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.locale = request.cookies[Self.languageCookie].flatMap { AppLocale(rawValue: $0.value) }
            ?? AppLocale.negotiate(request.headers[.acceptLanguage]) ?? .fallback
        let existingCSRF = request.cookies[Self.csrfCookie]?.value
        // Static files and the API never render a form, so they need no new token.
        let path = request.uri.path
        let rendersForms = !path.hasPrefix("/public/") && !path.hasPrefix("/api/")
        let csrf = existingCSRF.flatMap { $0.count == 43 ? $0 : nil } ?? (rendersForms ? SecretToken.generate() : "")
        context.csrfToken = csrf

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorResponse(error, request: request, context: context)
        }
        // Only pages carry forms; stylesheets and API answers stay free of cookies (and cacheable).
        let isPage = response.headers[.contentType]?.hasPrefix("text/html") ?? false
        if existingCSRF != csrf, isPage, !csrf.isEmpty {
            response.setCookie(Cookie(name: Self.csrfCookie, value: csrf, path: "/", secure: config.usesHTTPS, httpOnly: true, sameSite: .strict))
        }
        applySecurityHeaders(&response, request: request, requestID: context.id)
        return response
    }

    private func applySecurityHeaders(_ response: inout Response, request: Request, requestID: String) {
        response.headers[.init("X-Request-Id")!] = requestID
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        }
        if config.usesHTTPS {
            response.headers[.strictTransportSecurity] = "max-age=31536000"
        }
    }

    /// One place that decides how a failure looks. JSON for API clients, a page for people; never a
    /// stack trace or SQL.
    func errorResponse(_ error: any Error, request: Request, context: Context) -> Response {
        let wantsJSON = request.uri.path.hasPrefix("/api/") || request.uri.path == "/openapi.json"
            || (request.headers[.accept]?.contains("application/json") ?? false)
        let appError = Self.appError(for: error)
        if appError.status.code >= 500 {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        if wantsJSON {
            let payload = ErrorPayload(code: appError.code, message: renderer.localizer.text(appError.messageKey, context.locale, appError.arguments),
                                       field: appError.field, details: appError.details.isEmpty ? nil : appError.details)
            var response = JSONBody.response(["error": payload], status: appError.status)
            if appError.status == .unauthorized {
                response.headers[.wwwAuthenticate] = "Bearer realm=\"trustmark\""
            }
            if let wait = appError.details["retryAfter"] {
                response.headers[.retryAfter] = wait
            }
            return response
        }
        if appError.status == .unauthorized, request.method == .get {
            // A person who needs to sign in is taken to the login page and brought back afterwards.
            let next = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            var target = "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
            if appError.code == "session_expired" { target += "&expired=1" }
            return Response.redirect(to: target, type: .found)
        }
        return renderer.errorPage(appError, context: context)
    }

    struct ErrorPayload: Encodable {
        let code: String
        let message: String
        let field: String?
        let details: [String: String]?
    }

    /// Maps anything thrown to what the reader is told. Unknown errors become a plain 500.
    static func appError(for error: any Error) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let errors as FormErrors:
            return errors.problems.first ?? AppError(.unprocessableContent, code: "invalid_field", messageKey: "error_invalid")
        case let error as any HTTPResponseError:
            switch error.status {
            // The router found no route at all; handlers use `AppError.notFound` for a missing object.
            case .notFound: return AppError(.notFound, code: "no_route", messageKey: "error_not_found")
            case .contentTooLarge: return .tooLarge
            case .methodNotAllowed: return AppError(.methodNotAllowed, code: "method_not_allowed", messageKey: "error_method_not_allowed")
            case .badRequest: return AppError(.badRequest, code: "bad_request", messageKey: "error_bad_request")
            case .unsupportedMediaType: return .unsupportedMediaType
            default:
                return AppError(error.status, code: "http_\(error.status.code)", messageKey: error.status.code >= 500 ? "error_internal" : "error_bad_request")
            }
        default:
            return AppError(.internalServerError, code: "internal", messageKey: "error_internal")
        }
    }
}
