import Foundation
import Hummingbird
import TrustmarkCore

/// Staff pages for people: the user list, invitations, disabling an account.
struct UsersController: Sendable {
    let users: UsersService
    let renderer: Renderer

    func register(on routes: RouteTable) {
        routes.get("/staff/users", .roles([.admin])) { request, context in
            let pageRequest = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: nil)
            return try await usersPage(context, pageRequest)
        }
        routes.post("/staff/users/{id}/disable", .roles([.admin])) { request, context in
            try await toggle(true, request, context)
        }
        routes.post("/staff/users/{id}/enable", .roles([.admin])) { request, context in
            try await toggle(false, request, context)
        }
        routes.get("/users/invite", .signedIn) { _, context in
            renderer.render("users/invite", invitePage(context, form: FormState(values: ["role": "member", "locale": context.locale.rawValue])), context: context)
        }
        routes.post("/users/invite", .signedIn) { request, context in
            let input = try await FormInput.parse(request, context: context)
            guard let identity = context.identity else { throw AppError.unauthenticated }
            let invitation = UsersService.Invitation(
                email: input.fields["email"] ?? "", name: input.fields["name"] ?? "", role: input.fields["role"] ?? "member",
                organisation: input.fields["organisation"] ?? "", locale: input.fields["locale"] ?? context.locale.rawValue)
            do {
                let (user, _) = try await users.invite(invitation, by: identity)
                var page = invitePage(context, form: FormState(values: ["role": "member", "locale": context.locale.rawValue]))
                page.sentTo = user.email
                return renderer.render("users/invite", page, context: context)
            } catch let errors as FormErrors {
                return renderer.render("users/invite", invitePage(context, form: renderer.formState(input, errors, context)), context: context, status: .unprocessableContent)
            } catch let error as AppError where error.field != nil {
                var errors = FormErrors()
                errors.add(error)
                return renderer.render("users/invite", invitePage(context, form: renderer.formState(input, errors, context)), context: context, status: error.status)
            }
        }
    }

    private func toggle(_ disable: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        _ = try await FormInput.parse(request, context: context)
        guard let identity = context.identity, let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        _ = try await users.setDisabled(disable, userID: id, by: identity)
        return .seeOther("/staff/users")
    }

    private func usersPage(_ context: AppRequestContext, _ pageRequest: Paging) async throws -> Response {
        let result = try await users.list(pageRequest)
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let rows = result.items.map { user in
            UsersPage.Row(
                id: user.id?.uuidString ?? "", email: user.email, name: user.displayName, role: t("role_\(user.roleRaw)"),
                organisation: user.organisation?.name ?? "", status: t(user.isDisabled ? "user_status_disabled" : (user.passwordHash == nil ? "user_status_invited" : "user_status_active")),
                disabled: user.isDisabled, pending: user.passwordHash == nil, isSelf: user.id == context.identity?.userID)
        }
        let pager = Pager(result, base: "/staff/users?page=")
        return renderer.render("users/list", UsersPage(chrome: renderer.chrome(context, titleKey: "users_title", path: "/staff/users"), rows: rows, pager: pager), context: context)
    }

    private func invitePage(_ context: AppRequestContext, form: FormState) -> InvitePage {
        let t = { (key: String) in renderer.localizer.text(key, context.locale) }
        let allowed: [Role] = context.role == .admin ? Role.allCases : [.member]
        let chosenRole = form.values["role"] ?? "member"
        let chosenLocale = form.values["locale"] ?? context.locale.rawValue
        return InvitePage(
            chrome: renderer.chrome(context, titleKey: "invite_title", path: "/users/invite"), form: form,
            roles: allowed.map { .init(value: $0.rawValue, label: t("role_\($0.rawValue)"), selected: $0.rawValue == chosenRole) },
            languages: AppLocale.allCases.map { .init(value: $0.rawValue, label: renderer.localizer.text("language_name", $0), selected: $0.rawValue == chosenLocale) },
            asksOrganisation: context.role != .member)
    }
}
