import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct ApplyPage: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    let chrome: PageChrome
    let form: FormState
    /// Templates read stored values only, so the form's error state is passed as its own flag.
    let hasErrors: Bool
    let variants: [Option]
    let codeVersion: String
    let submission: String
    let steps: [String]
    let fee: String?
    let runs: Bool
}

struct ApplySentPage: Encodable, Sendable {
    let chrome: PageChrome
    let email: String
    let steps: [String]
}

struct ListingPage: Encodable, Sendable {
    let chrome: PageChrome
    let name: String
    let rows: [ListingDTO]
    let explanation: String
    var hasRows: Bool = false
}

/// The public application form and the public lists.
struct ApplyController: Sendable {
    let applications: ApplicationsService
    let views: MembershipViews
    let store: IdempotencyStore
    let renderer: Renderer

    var desk: MembershipDesk { applications.desk }

    /// Form field names for the request's field paths, so each problem shows beside its field.
    static let fields: [String: String] = [
        "organisation.legalName": "legal_name", "organisation.kvk": "kvk", "organisation.vatNumber": "vat", "organisation.street": "street",
        "organisation.postcode": "postcode", "organisation.city": "city", "organisation.country": "country", "organisation.phone": "phone",
        "organisation.email": "org_email", "contact.name": "contact_name", "contact.email": "contact_email", "shops": "shop_name",
        "shops.0.name": "shop_name", "shops.0.domains": "shop_domains", "shops.0.variant": "shop_variant",
        "shops.1.name": "shop2_name", "shops.1.domains": "shop2_domains", "shops.1.variant": "shop2_variant",
        "acceptCodeOfConduct": "accept", "codeOfConductVersion": "accept",
    ]

    func register(on routes: RouteTable) {
        routes.get("/apply", .everyone) { _, context in
            page(context, form: FormState(values: ["country": desk.scheme.country]))
        }
        routes.post("/apply", .everyone) { request, context in
            let input = try await FormInput.parse(request, context: context)
            let f = { (name: String) in input.fields[name] ?? "" }
            let split = { (text: String) in text.split(whereSeparator: { ",; \n\r\t".contains($0) }).map(String.init) }
            var shops = [ApplicationRequest.ShopPart(name: f("shop_name"), domains: split(f("shop_domains")), variant: f("shop_variant"))]
            if !f("shop2_name").trimmingWhitespace().isEmpty || !f("shop2_domains").trimmingWhitespace().isEmpty {
                shops.append(.init(name: f("shop2_name"), domains: split(f("shop2_domains")), variant: f("shop2_variant")))
            }
            let body = ApplicationRequest(
                organisation: .init(legalName: f("legal_name"), kvk: f("kvk"), vatNumber: f("vat"), street: f("street"), postcode: f("postcode"),
                                    city: f("city"), country: f("country"), phone: f("phone"), email: f("org_email")),
                contact: .init(name: f("contact_name"), email: f("contact_email")), shops: shops,
                codeOfConductVersion: f("code_version"), acceptCodeOfConduct: f("accept") == "yes", language: context.locale.rawValue)
            // A second press of the button (or a reload) shows the same confirmation, nothing twice.
            let key = f("submission")
            let digest = IdempotencyStore.digest(method: "POST", path: "/apply", body: Data(key.utf8))
            let claim = key.count >= 16 ? try await store.claim(scope: "form:apply", key: key, digest: digest) : nil
            if case .replay(_, let email)? = claim { return sent(context, email: String(decoding: email, as: UTF8.self)) }
            do {
                let submitted = try await applications.apply(body, locale: context.locale)
                let email = EmailAddress.normalise(body.contact.email)
                if case .claimed(let id)? = claim { try await store.complete(id, status: 201, body: Data(email.utf8)) }
                _ = submitted
                return sent(context, email: email)
            } catch {
                if case .claimed(let id)? = claim { try? await store.release(id) }
                var problems: [AppError] = []
                if let errors = error as? FormErrors { problems = errors.problems } else if let error = error as? AppError, error.field != nil { problems = [error] } else { throw error }
                var form = FormState(values: input.echo)
                for problem in problems {
                    let name = Self.fields[problem.field ?? ""] ?? "form"
                    if form.errors[name] == nil { form.errors[name] = renderer.localizer.text(problem.messageKey, context.locale, problem.arguments) }
                }
                let status: HTTPResponse.Status = problems.contains { $0.status == .conflict } ? .conflict : .unprocessableContent
                return page(context, form: form, status: status)
            }
        }
        routes.get("/lists/{list}", .everyone) { _, context in
            let id = context.parameters.get("list") ?? ""
            guard let list = desk.scheme.sanctions?.lists.first(where: { $0.id == id }) else { throw AppError.notFound }
            let rows = try await views.listings(id, locale: context.locale, on: desk.storage.db).map {
                ListingDTO(list: $0.list, shop: $0.shop, domains: $0.domains, reason: $0.reason, listedOn: desk.dayText($0.listedOn, context.locale) ?? $0.listedOn,
                           until: $0.until.map { desk.localizer.text("list_until", context.locale, ["date": desk.dayText($0, context.locale) ?? $0]) })
            }
            let name = desk.active.text(list.name, context.locale)
            var chrome = renderer.chrome(context, titleKey: "list_title", path: "/lists/\(id)")
            chrome.title = name
            return renderer.render("membership/list", ListingPage(chrome: chrome, name: name, rows: rows,
                                                                  explanation: renderer.localizer.text("list_explanation", context.locale), hasRows: !rows.isEmpty), context: context)
        }
    }

    private func page(_ context: AppRequestContext, form: FormState, status: HTTPResponse.Status = .ok) -> Response {
        let chosen = form.values["shop_variant"] ?? desk.scheme.seal.defaultVariant?.id ?? ""
        let variants = desk.scheme.seal.variants.map { ApplyPage.Option(value: $0.id, label: desk.active.text($0.name, context.locale), selected: $0.id == chosen) }
        let page = ApplyPage(chrome: renderer.chrome(context, titleKey: "apply_title", path: "/apply"), form: form, hasErrors: form.hasErrors, variants: variants,
                             codeVersion: desk.scheme.codeOfConduct.version, submission: SecretToken.generate(),
                             steps: ApplicationPages.nextSteps(desk, context.locale),
                             fee: desk.scheme.membership.map { SchemeFacts.money($0.annualFee, context.locale) }, runs: desk.scheme.membership != nil)
        return renderer.render("membership/apply", page, context: context, status: status)
    }

    private func sent(_ context: AppRequestContext, email: String) -> Response {
        renderer.render("membership/apply-sent", ApplySentPage(chrome: renderer.chrome(context, titleKey: "apply_sent_title", path: "/apply"), email: email,
                                                               steps: ApplicationPages.nextSteps(desk, context.locale)), context: context, status: .created)
    }
}
