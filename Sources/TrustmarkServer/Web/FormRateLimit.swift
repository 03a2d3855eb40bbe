import Foundation
import Hummingbird
import TrustmarkCore

/// Limits how often one address may use the public forms that anyone can post without an account
/// (a complaint, a review, a report of a review, an application, a password reset), in the pages
/// and the API alike, so that nobody floods the staff's queues or the shops' mailboxes.
struct FormRateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Submissions per minute per address and form (as many at once); 0 switches the limit off.
    let limiter: RateLimiter<String>
    let clock: any TrustmarkClock

    init(perMinute: Int, clock: any TrustmarkClock) {
        self.limiter = RateLimiter(perMinute: perMinute)
        self.clock = clock
    }

    /// Which form a POST is, by its path; `nil` for everything else.
    static func form(of path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        switch parts {
        case ["complaints", "new"], ["api", "v1", "complaints"]: return "complaint"
        case ["apply"], ["api", "v1", "applications"]: return "application"
        case ["api", "v1", "reviews"]: return "review"
        case ["password", "forgot"], ["api", "v1", "auth", "password-reset"]: return "reset"
        case ["privacy"], ["api", "v1", "privacy", "requests"]: return "privacy"
        default: break
        }
        if parts.count == 3, parts[0] == "shops", parts[2] == "review" { return "review" }
        if parts.count == 3, parts[0] == "reviews", parts[1] == "rate" { return "review" }
        if parts.count == 5, parts[0] == "shops", parts[2] == "reviews", parts[4] == "flag" { return "flag" }
        if parts.count == 5, parts[0] == "api", parts[2] == "reviews", parts[4] == "flags" { return "flag" }
        return nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard limiter.perMinute > 0, request.method == .post, let form = Self.form(of: request.uri.path) else { return try await next(request, context) }
        let key = form + " " + ClientAddress.forLimits(request, context)
        if let wait = limiter.take(key, now: clock.now()) {
            throw AppError.tooManyRequests("rate_limited", "error_form_rate", seconds: wait, ["seconds": "\(wait)"])
        }
        return try await next(request, context)
    }
}
