import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Every route, tried by an anonymous visitor and by a user of every role. The expected policy is
/// written out here, separately from the routes, so that a route whose access changes, or a new
/// route nobody thought about, fails this test until the table is updated on purpose.
@Suite("Who may use which route")
struct RoleMatrixTests {
    enum Caller: String, CaseIterable { case anonymous, admin, inspector, mediator, finance, member }

    static let everyone = Set(Caller.allCases)
    static let signedIn = everyone.subtracting([.anonymous])
    static let staff: Set<Caller> = [.admin, .inspector, .mediator, .finance]

    static let expected: [String: Set<Caller>] = [
        "GET /": everyone,
        "GET /staff": staff,
        "GET /portal": [.member],
        "GET /staff/outbox": [.admin],
        "GET /login": everyone,
        "POST /login": everyone,
        "POST /logout": everyone,
        "GET /account": signedIn,
        "POST /account/password": signedIn,
        "GET /language/{code}": everyone,
        "GET /password/forgot": everyone,
        "POST /password/forgot": everyone,
        "GET /password/reset/{token}": everyone,
        "POST /password/reset/{token}": everyone,
        "GET /setup/{token}": everyone,
        "POST /setup/{token}": everyone,
        "GET /invitations/{token}": everyone,
        "POST /invitations/{token}": everyone,
        "GET /staff/users": [.admin],
        "POST /staff/users/{id}/disable": [.admin],
        "POST /staff/users/{id}/enable": [.admin],
        "GET /users/invite": signedIn,
        "POST /users/invite": signedIn,
        "POST /api/v1/auth/token": everyone,
        "DELETE /api/v1/auth/token": signedIn,
        "GET /api/v1/me": signedIn,
        "GET /api/v1/users": [.admin],
        "POST /api/v1/users/invitations": signedIn,
        "POST /api/v1/users/{id}/disable": [.admin],
        "POST /api/v1/users/{id}/enable": [.admin],
        "GET /healthz": everyone,
        "GET /metrics": everyone,
        "GET /openapi.json": everyone,
        "GET /api/v1/dev/clock": everyone,
        "GET /code-of-conduct": everyone,
        "GET /staff/record": staff,
        "GET /staff/jobs": [.admin],
        "GET /staff/letters": staff,
        "GET /staff/letters/{id}/pdf": staff,
        "POST /staff/letters/{id}/sent": staff,
        "GET /portal/letters/{id}/pdf": [.member],
        "POST /staff/letters/test": [.admin],
        "POST /staff/jobs/{id}/retry": [.admin],
        "POST /api/v1/applications": everyone,
        "GET /api/v1/applications": [.admin, .inspector, .finance],
        "GET /api/v1/applications/{id}": [.admin, .inspector, .finance, .member],
        "POST /api/v1/applications/{id}/assignment": [.admin],
        "POST /api/v1/applications/{id}/declaration": [.inspector],
        "POST /api/v1/applications/{id}/findings": [.inspector],
        "POST /api/v1/applications/{id}/report": [.inspector],
        "POST /api/v1/applications/{id}/recheck": [.member],
        "POST /api/v1/applications/{id}/decision": [.admin, .inspector],
        "POST /api/v1/applications/{id}/cancellation": [.admin, .member],
        "GET /api/v1/memberships/{id}": [.admin, .finance, .member],
        "GET /api/v1/memberships/{id}/contract": [.admin, .member],
        "POST /api/v1/memberships/{id}/contract/signature": [.member],
        "POST /api/v1/memberships/{id}/contract/countersignature": [.admin],
        "POST /api/v1/memberships/{id}/termination": [.admin, .member],
        "POST /api/v1/memberships/{id}/bankruptcy": [.admin],
        "POST /api/v1/memberships/{id}/shops": [.member],
        "POST /api/v1/memberships/{id}/registration": [.member],
        "GET /api/v1/invoices": [.admin, .finance, .member],
        "GET /api/v1/invoices/{id}": [.admin, .finance, .member],
        "GET /api/v1/invoices/{id}/pdf": [.admin, .finance, .member],
        "POST /api/v1/invoices/{id}/payments": [.admin, .finance],
        "POST /api/v1/invoices/{id}/credit-note": [.admin, .finance],
        "POST /api/v1/payments/webhook": everyone,
        "GET /api/v1/lists/{list}": everyone,
        "GET /seal/{file}": everyone,
        "GET /shops": everyone,
        "GET /shops/{slug}": everyone,
        "GET /api/v1/shops": everyone,
        "GET /api/v1/shops/{slug}": everyone,
        "GET /portal/seal": [.member],
        "GET /portal/seal/{id}/certificate.pdf": [.member],
        "GET /portal/seal/{id}/seal.svg": [.member],
        "GET /portal/seal/{id}/seal.png": [.member],
        "GET /staff/misuse": [.admin, .inspector],
        "POST /staff/misuse/{id}/decision": [.admin, .inspector],
        "GET /api/v1/misuse-cases": [.admin, .inspector],
        "POST /api/v1/invitations": [.member],
        "POST /api/v1/invitations/import": [.member],
        "GET /api/v1/shops/{slug}/reviews": everyone,
        "POST /api/v1/reviews": everyone,
        "POST /api/v1/reviews/confirmations": everyone,
        "POST /api/v1/reviews/{id}/reply": [.member],
        "GET /reviews/rate/{token}": everyone,
        "POST /reviews/rate/{token}": everyone,
        "GET /shops/{slug}/review": everyone,
        "POST /shops/{slug}/review": everyone,
        "GET /reviews/confirm/{token}": everyone,
        "POST /reviews/confirm/{token}": everyone,
        "GET /shops/{slug}/reviews": everyone,
        "GET /reviews/how-we-verify": everyone,
        "GET /shops/{slug}/barometer.svg": everyone,
        "GET /reviews/widget/{slug}.svg": everyone,
        "POST /api/v1/reviews/{id}/flags": everyone,
        "GET /api/v1/reviews/moderation": [.admin, .mediator],
        "POST /api/v1/reviews/{id}/moderation": [.admin, .mediator],
        "GET /shops/{slug}/reviews/{id}/flag": everyone,
        "POST /shops/{slug}/reviews/{id}/flag": everyone,
        "GET /staff/reviews": [.admin, .mediator],
        "POST /staff/reviews/{id}/decision": [.admin, .mediator],
        "GET /api/v1/shops/{slug}/offences": [.admin, .mediator],
        "POST /api/v1/shops/{slug}/offences": [.admin, .mediator],
        "POST /api/v1/offences/{id}/return": [.admin, .mediator],
        "GET /staff/shops/{slug}/offences": [.admin, .mediator],
        "POST /staff/shops/{slug}/offences": [.admin, .mediator],
        "POST /staff/offences/{id}/return": [.admin, .mediator],
        "GET /api/v1/tasks": [.admin, .mediator],
        "POST /api/v1/tasks/{id}/done": [.admin, .mediator],
        "GET /staff/tasks": [.admin, .mediator],
        "POST /staff/tasks/{id}/done": [.admin, .mediator],
        "GET /portal/reviews": [.member],
        "POST /portal/reviews/invitations": [.member],
        "POST /portal/reviews/import": [.member],
        "POST /portal/reviews/{id}/reply": [.member],
        "GET /complaints/new": everyone,
        "POST /complaints/new": everyone,
        "GET /complaints/confirm/{token}": everyone,
        "POST /complaints/confirm/{token}": everyone,
        "GET /complaints/{id}": everyone,
        "POST /complaints/{id}/messages": everyone,
        "POST /complaints/{id}/steps": everyone,
        "GET /complaints/{id}/files/{file}": everyone,
        "GET /portal/complaints": [.member],
        "GET /portal/complaints/{id}": [.member],
        "POST /portal/complaints/{id}/answer": [.member],
        "GET /portal/complaints/{id}/files/{file}": [.member],
        "GET /staff/complaints": [.admin, .mediator],
        "GET /staff/complaints/register": [.admin, .mediator],
        "POST /staff/complaints/register": [.admin, .mediator],
        "GET /staff/complaints/{id}": [.admin, .mediator],
        "POST /staff/complaints/{id}/messages": [.admin, .mediator],
        "POST /staff/complaints/{id}/question": [.admin, .mediator],
        "POST /staff/complaints/{id}/steps": [.admin, .mediator],
        "POST /staff/complaints/{id}/assignment": [.admin, .mediator],
        "GET /staff/complaints/{id}/dossier.pdf": [.admin, .mediator],
        "GET /staff/complaints/{id}/attachments.zip": [.admin, .mediator],
        "GET /staff/complaints/{id}/files/{file}": [.admin, .mediator],
        "GET /staff/complaint-templates": [.admin, .mediator],
        "POST /staff/complaint-templates": [.admin, .mediator],
        "POST /staff/complaint-templates/{id}/delete": [.admin, .mediator],
        "GET /staff/sanction-proposals": [.admin],
        "POST /api/v1/complaints": everyone,
        "POST /api/v1/complaints/confirmations": everyone,
        "GET /api/v1/complaints": [.admin, .mediator, .member],
        "GET /api/v1/complaints/{id}": [.admin, .mediator, .member],
        "POST /api/v1/complaints/{id}/messages": [.admin, .mediator, .member],
        "POST /api/v1/complaints/{id}/answer": [.member],
        "POST /api/v1/complaints/{id}/transitions": [.admin, .mediator],
        "POST /api/v1/complaints/{id}/assignment": [.admin, .mediator],
        "POST /api/v1/complaints/{id}/questions": [.admin, .mediator],
        "GET /api/v1/complaints/{id}/dossier.pdf": [.admin, .mediator],
        "GET /api/v1/complaints/{id}/attachments.zip": [.admin, .mediator],
        "GET /api/v1/complaints/{id}/files/{file}": [.admin, .mediator, .member],
        "POST /api/v1/complaints/registrations": [.admin, .mediator],
        "GET /api/v1/complaints/{id}/consumer": everyone,
        "POST /api/v1/complaints/{id}/consumer/steps": everyone,
        "POST /api/v1/complaints/{id}/consumer/messages": everyone,
        "GET /api/v1/sanction-proposals": [.admin],
        "GET /api/v1/sanctions": [.admin, .member],
        "GET /api/v1/sanctions/{id}": [.admin, .member],
        "GET /api/v1/sanctions/{id}/dossier.pdf": [.admin],
        "POST /api/v1/sanctions/{id}/appeal": [.member],
        "POST /api/v1/sanctions/{id}/appeal/decision": [.admin],
        "POST /api/v1/sanctions/{id}/evidence": [.member],
        "GET /portal/sanctions": [.member],
        "POST /portal/sanctions/{id}/{action}": [.member],
        "GET /staff/sanctions": [.admin],
        "GET /api/v1/site-checks": [.admin, .inspector],
        "GET /api/v1/site-checks/progress": [.admin, .inspector],
        "GET /api/v1/site-checks/{id}": [.admin, .inspector],
        "POST /api/v1/site-checks": [.admin, .inspector],
        "GET /staff/site-checks": [.admin, .inspector],
        "GET /staff/site-checks/{id}": [.admin, .inspector],
        "POST /staff/site-checks": [.admin, .inspector],
        "POST /api/v1/misuse-scans": [.admin, .inspector],
        "POST /staff/misuse-scans": [.admin, .inspector],
        "GET /api/v1/api-keys": [.member],
        "POST /api/v1/api-keys": [.member],
        "POST /api/v1/api-keys/{id}/revocation": [.member],
        "GET /api/v1/reviews": [.member],
        "GET /api/v1/webhooks": [.member, .admin],
        "POST /api/v1/webhooks": [.member, .admin],
        "POST /api/v1/webhooks/{id}/state": [.member, .admin],
        "GET /api/v1/webhooks/{id}/deliveries": [.member, .admin],
        "POST /api/v1/webhook-deliveries/{id}/replay": [.member, .admin],
        "GET /portal/integrations": [.member],
        "POST /portal/integrations/keys": [.member],
        "POST /portal/integrations/keys/{id}/revoke": [.member],
        "POST /portal/integrations/webhooks": [.member],
        "GET /portal/integrations/webhooks/{id}": [.member],
        "POST /portal/integrations/webhooks/{id}/state": [.member],
        "POST /portal/integrations/deliveries/{id}/replay": [.member],
        "GET /staff/integrations": [.admin],
        "POST /staff/integrations/webhooks": [.admin],
        "GET /staff/integrations/webhooks/{id}": [.admin],
        "POST /staff/integrations/webhooks/{id}/state": [.admin],
        "POST /staff/integrations/deliveries/{id}/replay": [.admin],
        "POST /api/v1/imports/members": [.admin],
        "GET /api/v1/exports/{kind}": [.admin],
        "GET /staff/import-export": [.admin],
        "POST /staff/import-export": [.admin],
        "GET /staff/import-export/runs/{id}": [.admin],
        "GET /staff/exports/{kind}": [.admin],
        "POST /api/v1/me/password": signedIn,
        "POST /api/v1/auth/password-reset": everyone,
        "GET /api/v1/jobs": [.admin],
        "GET /privacy": everyone,
        "POST /privacy": everyone,
        "GET /privacy/{token}": everyone,
        "GET /privacy/{token}/export.json": everyone,
        "POST /privacy/{token}/name": everyone,
        "POST /privacy/{token}/erase": everyone,
        "POST /privacy/{token}/consent": everyone,
        "POST /api/v1/privacy/{token}/consent": everyone,
        "POST /api/v1/privacy/requests": everyone,
        "GET /api/v1/privacy/{token}": everyone,
        "POST /api/v1/privacy/{token}/name": everyone,
        "POST /api/v1/privacy/{token}/erasure": everyone,
        "GET /api/v1/seal-kit/{id}": [.member],
        "GET /api/v1/seal-kit/{id}/certificate.pdf": [.member],
        "GET /api/v1/seal-kit/{id}/seal.svg": [.member],
        "GET /api/v1/seal-kit/{id}/seal.png": [.member],
        "POST /api/v1/jobs/{id}/retry": [.admin],
        "GET /api/v1/letters": staff,
        "GET /api/v1/letters/{id}/pdf": staff,
        "POST /api/v1/letters/{id}/sent": staff,
        "GET /api/v1/outbox": [.admin],
        "GET /api/v1/record": staff,
        "GET /api/v1/complaint-templates": [.admin, .mediator],
        "POST /api/v1/complaint-templates": [.admin, .mediator],
        "POST /api/v1/complaint-templates/{id}/deletion": [.admin, .mediator],
        "GET /staff/sanctions/new": [.admin],
        "GET /staff/sanctions/{id}": [.admin],
        "GET /staff/sanctions/{id}/dossier.pdf": [.admin],
        "POST /staff/sanctions": [.admin],
        "POST /staff/sanctions/{id}/{action}": [.admin],
        "GET /api/v1/warnings": everyone,
        "POST /api/v1/sanctions": [.admin],
        "POST /api/v1/sanctions/{id}/confirmation": [.admin],
        "POST /api/v1/sanctions/{id}/dismissal": [.admin],
        "POST /api/v1/sanctions/{id}/resolution": [.admin],
        "POST /api/v1/misuse-cases/{id}/dismiss": [.admin, .inspector],
        "POST /api/v1/misuse-cases/{id}/pursue": [.admin, .inspector],
        "GET /apply": everyone,
        "POST /apply": everyone,
        "GET /lists/{list}": everyone,
        "GET /portal/membership": [.member],
        "GET /portal/membership/contract": [.member],
        "GET /portal/invoices/{id}/pdf": [.member],
        "POST /portal/membership/sign": [.member],
        "POST /portal/applications/{id}/recheck": [.member],
        "POST /portal/applications/{id}/cancel": [.member],
        "POST /portal/shops": [.member],
        "POST /portal/registration": [.member],
        "POST /portal/membership/terminate": [.member],
        "GET /staff/applications": [.admin, .inspector, .finance],
        "GET /staff/applications/{id}": [.admin, .inspector, .finance],
        "POST /staff/applications/{id}/assign": [.admin],
        "POST /staff/applications/{id}/declare": [.inspector],
        "POST /staff/applications/{id}/findings": [.inspector],
        "POST /staff/applications/{id}/decision": [.admin, .inspector],
        "POST /staff/memberships/{id}/countersign": [.admin],
        "POST /staff/memberships/{id}/bankruptcy": [.admin],
        "GET /staff/memberships/{id}/contract": [.admin],
        "GET /staff/invoices": [.admin, .finance],
        "GET /staff/invoices/{id}/pdf": [.admin, .finance],
        "POST /staff/invoices/{id}/payments": [.admin, .finance],
        "POST /staff/invoices/{id}/credit": [.admin, .finance],
        "GET /news": everyone,
        "GET /staff/scheme": staff,
        "POST /staff/rule-changes": [.admin],
        "GET /staff/rule-changes/{id}": staff,
        "POST /staff/rule-changes/{id}/end-membership": [.admin],
        "GET /portal/rule-changes": [.member],
        "POST /portal/rule-changes/{id}/response": [.member],
        "GET /api/v1/scheme": everyone,
        "GET /api/v1/code-of-conduct": everyone,
        "GET /api/v1/rule-changes": everyone,
        "POST /api/v1/rule-changes": [.admin],
        "GET /api/v1/rule-changes/{id}/responses": staff,
        "POST /api/v1/rule-changes/{id}/response": [.member],
        "POST /api/v1/rule-changes/{id}/end-membership": [.admin],
        "POST /api/v1/dev/clock": everyone,
    ]

    @Test func theTableCoversEveryRegisteredRoute() async throws {
        try await TestApp.with { app, _ in
            let registered = Set(app.routes.specs.map { "\($0.method.rawValue) \($0.path)" })
            #expect(registered.subtracting(Self.expected.keys).sorted() == [], "routes without an expected policy")
            #expect(Set(Self.expected.keys).subtracting(registered).sorted() == [], "policies for routes that do not exist")
        }
    }

    @Test func everyRouteLetsInExactlyTheExpectedCallers() async throws {
        try await TestApp.with { app, client in
            var browsers: [Caller: Browser] = [.anonymous: Browser(client)]
            var apis: [Caller: APIClient] = [.anonymous: APIClient(client: client)]
            for caller in Caller.allCases where caller != .anonymous {
                let email = "\(caller.rawValue)@matrix.test"
                try await app.makeUser(email, role: Role(rawValue: caller.rawValue)!)
                let browser = Browser(client)
                try await browser.login(email)
                browsers[caller] = browser
                apis[caller] = try await APIClient.signedIn(client, email)
            }
            // A denial reads the same in every language the visitor may have switched to.
            let localizer = try Localizer(directory: TestApp.checkout + "/Resources/Locales")
            let denials = AppLocale.allCases.flatMap { locale in
                ["error_unauthenticated", "error_forbidden", "error_session_expired"].map { localizer.text($0, locale) }
            }
            var checked = 0
            for spec in app.routes.specs {
                let key = "\(spec.method.rawValue) \(spec.path)"
                let allowed = try #require(Self.expected[key])
                let path = spec.path.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{token}", with: "not-a-real-token").replacingOccurrences(of: "{code}", with: "en")
                for caller in Caller.allCases {
                    let denied: Bool
                    if spec.path.hasPrefix("/api/") {
                        // The token route is called with a body that is valid JSON but wrong, so it
                        // cannot succeed and revoke anything.
                        let reply = try await apis[caller]!.call(spec.method, path, json: spec.method == .get ? nil : [String: String]())
                        let code = reply.error["code"] as? String
                        denied = code == "unauthenticated" || code == "forbidden"
                        if key == "DELETE /api/v1/auth/token", caller != .anonymous {
                            // That call revoked the caller's token; the walk goes on with a new one.
                            apis[caller] = try await APIClient.signedIn(client, "\(caller.rawValue)@matrix.test")
                        }
                    } else if spec.path == "/logout" || spec.path == "/healthz" || spec.path == "/metrics" || spec.path == "/openapi.json" {
                        denied = false
                        let page = spec.method == .get ? try await browsers[caller]!.get(path) : nil
                        if let page { #expect(page.status == .ok, "\(key) for \(caller)") }
                    } else {
                        let page = spec.method == .get ? try await browsers[caller]!.get(path) : try await browsers[caller]!.post(path, [:])
                        denied = (page.status == .found && page.location?.hasPrefix("/login?next=") == true)
                            || denials.contains { page.body.contains($0) }
                    }
                    #expect(denied == !allowed.contains(caller), "\(key) for \(caller.rawValue): \(denied ? "denied" : "let in")")
                    checked += 1
                }
            }
            #expect(checked == Self.expected.count * Caller.allCases.count)
        }
    }

    @Test func developerHelpersDoNotExistInProduction() async throws {
        try await TestApp.with(environment: .production) { _, client in
            let reply = try await APIClient(client: client).call(.post, "/api/v1/dev/clock", json: ["advance": "P3D"])
            #expect(reply.status == .notFound)
            #expect(try await APIClient(client: client).call(.get, "/api/v1/dev/clock").status == .notFound)
        }
    }
}
