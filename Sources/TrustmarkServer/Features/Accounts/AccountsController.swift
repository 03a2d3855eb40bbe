import Foundation
import Hummingbird
import TrustmarkCore

/// Pages for signing in and out, the own account, passwords, set-up and invitations.
struct AccountsController: Sendable {
    let accounts: AccountsService
    let users: UsersService
    let renderer: Renderer
    let secureCookies: Bool

    func register(on routes: RouteTable) {
        routes.get("/login", .everyone) { request, context in
            let next = safeReturnPath(request.uri.queryParameters["next"].map(String.init))
            if context.identity != nil { return .seeOther(next == "/" ? home(for: context.role) : next) }
            let expired = context.sessionExpired || request.uri.queryParameters["expired"] != nil
            return loginPage(context, form: FormState(), next: next, notice: expired ? "session_expired_notice" : nil)
        }
        routes.post("/login", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let next = safeReturnPath(input.fields["next"])
            var form = FormState(values: input.echo)
            do {
                let user = try await accounts.signIn(email: input.fields["email"] ?? "", password: input.password("password"),
                                                     address: ClientAddress.forLimits(request, context))
                if let old = request.cookies[IdentityMiddleware.sessionCookie]?.value {
                    try await accounts.endSession(digest: SecretToken.digest(old))
                }
                let session = try await accounts.startSession(for: user)
                var response = Response.seeOther(next == "/" ? home(for: user.role) : next)
                response.setCookie(sessionCookie(session.token, maxAge: Int(SessionPolicy.absoluteLifetime)))
                response.setCookie(Cookie(name: WebMiddleware.languageCookie, value: user.locale, maxAge: 31_536_000, path: "/", secure: secureCookies, httpOnly: false, sameSite: .lax))
                return response
            } catch let error as AppError {
                form.errors[error.field ?? "email"] = renderer.localizer.text(error.messageKey, context.locale, error.arguments)
                return loginPage(context, form: form, next: next, status: error.status)
            }
        }
        routes.post("/logout", .everyone) { request, context in
            _ = try await FormInput.parse(request, context: context)
            if let identity = context.identity { try await accounts.endSession(digest: identity.credentialDigest) }
            var response = Response.seeOther("/")
            response.setCookie(sessionCookie("", maxAge: 0))
            return response
        }
        routes.get("/account", .signedIn) { _, context in
            accountPage(context, form: FormState(), saved: false)
        }
        routes.post("/account/password", .signedIn) { request, context in
            let input = try await FormInput.parse(request, context: context)
            guard let identity = context.identity else { throw AppError.unauthenticated }
            do {
                try await accounts.changePassword(identity: identity, current: input.password("current_password"),
                                                  new: input.password("new_password"), confirmation: input.password("confirm_password"))
                return accountPage(context, form: FormState(), saved: true)
            } catch let errors as FormErrors {
                return accountPage(context, form: renderer.formState(input, errors, context), saved: false, status: .unprocessableContent)
            }
        }
        registerLinks(on: routes)
        routes.get("/language/{code}", .everyone) { request, context in
            let code = context.parameters.get("code") ?? ""
            guard let locale = AppLocale(rawValue: code) else { throw AppError.notFound }
            if let identity = context.identity { try await users.setLocale(locale, userID: identity.userID) }
            var response = Response.seeOther(safeReturnPath(request.uri.queryParameters["return"].map(String.init)))
            response.setCookie(Cookie(name: WebMiddleware.languageCookie, value: locale.rawValue, maxAge: 31_536_000, path: "/", secure: secureCookies, httpOnly: false, sameSite: .lax))
            return response
        }
    }

    /// The pages reached from a mailed or printed link: forgotten password, reset, set-up, invitation.
    private func registerLinks(on routes: RouteTable) {
        routes.get("/password/forgot", .everyone) { _, context in
            renderer.render("accounts/forgot", FormPage(chrome: renderer.chrome(context, titleKey: "forgot_title", path: "/password/forgot"), form: FormState(), action: "/password/forgot"), context: context)
        }
        routes.post("/password/forgot", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            var errors = FormErrors()
            let email = users.checkEmail(input.fields["email"] ?? "", errors: &errors)
            let chrome = renderer.chrome(context, titleKey: "forgot_title", path: "/password/forgot")
            guard errors.isEmpty else {
                return renderer.render("accounts/forgot", FormPage(chrome: chrome, form: renderer.formState(input, errors, context), action: "/password/forgot"), context: context, status: .unprocessableContent)
            }
            try await accounts.requestPasswordReset(email: email, locale: context.locale)
            return renderer.render("accounts/forgot", FormPage(chrome: chrome, form: FormState(), action: "/password/forgot", done: true), context: context)
        }
        linkForm("/password/reset/{token}", purpose: .passwordReset, template: "accounts/reset", titleKey: "reset_title", routes: routes) { token, input, _ in
            try await accounts.resetPassword(token: token, new: input.password("new_password"), confirmation: input.password("confirm_password"))
        }
        linkForm("/setup/{token}", purpose: .setup, template: "accounts/setup", titleKey: "setup_title", routes: routes) { token, input, context in
            try await users.completeSetup(token: token, email: input.fields["email"] ?? "", name: input.fields["name"] ?? "",
                                          password: input.password("new_password"), confirmation: input.password("confirm_password"), locale: context.locale)
        }
        linkForm("/invitations/{token}", purpose: .invitation, template: "accounts/invitation", titleKey: "invitation_title", routes: routes) { token, input, _ in
            try await users.acceptInvitation(token: token, password: input.password("new_password"), confirmation: input.password("confirm_password"))
        }
    }

    /// A page behind a single-use link: shown only while the link is valid; on success the person
    /// is signed in and taken home.
    private func linkForm(_ path: String, purpose: AccountToken.Purpose, template: String, titleKey: String, routes: RouteTable,
                          complete: @escaping @Sendable (String, FormInput, AppRequestContext) async throws -> User) {
        routes.get(path, .everyone) { _, context in
            let token = context.parameters.get("token") ?? ""
            _ = try await accounts.validToken(token, purpose: purpose)
            return renderer.render(template, FormPage(chrome: renderer.chrome(context, titleKey: titleKey, path: ""), form: FormState(), action: path.replacingOccurrences(of: "{token}", with: token)), context: context)
        }
        routes.post(path, .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let token = context.parameters.get("token") ?? ""
            do {
                let user = try await complete(token, input, context)
                let session = try await accounts.startSession(for: user)
                var response = Response.seeOther(home(for: user.role))
                response.setCookie(sessionCookie(session.token, maxAge: Int(SessionPolicy.absoluteLifetime)))
                return response
            } catch let errors as FormErrors {
                let page = FormPage(chrome: renderer.chrome(context, titleKey: titleKey, path: ""), form: renderer.formState(input, errors, context), action: path.replacingOccurrences(of: "{token}", with: token))
                return renderer.render(template, page, context: context, status: .unprocessableContent)
            }
        }
    }

    // MARK: helpers

    func home(for role: Role?) -> String {
        guard let role else { return "/" }
        return role.isStaff ? "/staff" : "/portal"
    }

    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: IdentityMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    private func loginPage(_ context: AppRequestContext, form: FormState, next: String, notice: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let chrome = renderer.chrome(context, titleKey: "login_title", path: "/login", notice: notice.map { renderer.localizer.text($0, context.locale) })
        return renderer.render("accounts/login", LoginPage(chrome: chrome, form: form, next: next), context: context, status: status)
    }

    private func accountPage(_ context: AppRequestContext, form: FormState, saved: Bool, status: HTTPResponse.Status = .ok) -> Response {
        let identity = context.identity!
        let page = AccountPage(chrome: renderer.chrome(context, titleKey: "account_title", path: "/account"), email: identity.email,
                               name: identity.displayName, role: renderer.localizer.text("role_\(identity.role.rawValue)", context.locale), form: form, saved: saved)
        return renderer.render("accounts/account", page, context: context, status: status)
    }
}
