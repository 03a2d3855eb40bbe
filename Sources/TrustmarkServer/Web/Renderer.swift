import Foundation
import Hummingbird
import Mustache
import TrustmarkCore

/// What every page shows around its content: title, language switch, navigation, the signed-in user
/// and the CSRF token for its forms.
struct PageChrome: Encodable, Sendable {
    struct Link: Encodable, Sendable {
        let label: String
        let href: String
        let current: Bool
    }

    var title: String
    let lang: String
    let csrf: String
    let userName: String?
    let roleLabel: String?
    let nav: [Link]
    let languages: [Link]
    let notice: String?
    let organisationName: String
    /// Work under way on the page: it loads the small script that keeps its progress current.
    var follows = false
}

/// What a form shows after a failed post: what was typed and what is wrong, by field.
struct FormState: Encodable, Sendable {
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    var hasErrors: Bool { !errors.isEmpty }
}

/// Renders Mustache templates from `Resources/Templates` with a typed page context, from one copy
/// of the templates per language with that language's texts written in (see `TemplateTexts`).
public struct Renderer: Sendable {
    let libraries: [AppLocale: MustacheLibrary]
    let localizer: Localizer
    let organisationName: String

    init(templatesDirectory: String, localizer: Localizer, organisationName: String) async throws {
        HTMLPageContentType.register()
        self.libraries = try TemplateTexts.libraries(directory: templatesDirectory, localizer: localizer)
        self.localizer = localizer
        self.organisationName = organisationName
    }

    func chrome(_ context: AppRequestContext, titleKey: String, path: String, notice: String? = nil) -> PageChrome {
        chrome(locale: context.locale, identity: context.identity, csrf: context.csrfToken, titleKey: titleKey, path: path, notice: notice)
    }

    /// The chrome for a reader in `locale`, signed in as `identity` or anonymous (for pages rendered
    /// outside a request, such as the kept verification pages).
    func chrome(locale: AppLocale, identity: Identity?, csrf: String, titleKey: String, path: String, notice: String? = nil) -> PageChrome {
        let t = { (key: String) in localizer.text(key, locale) }
        var nav: [PageChrome.Link] = []
        func link(_ key: String, _ href: String) {
            nav.append(.init(label: t(key), href: href, current: path == href || (href != "/" && path.hasPrefix(href + "/"))))
        }
        link("nav_home", "/")
        link("nav_shops", "/shops")
        link("nav_code", "/code-of-conduct")
        link("nav_news", "/news")
        if let role = identity?.role {
            // Staff tools are listed on the workspace page; the menu stays short enough for one line.
            if role.isStaff { link("nav_staff", "/staff") } else { link("nav_portal", "/portal"); link("nav_rule_changes", "/portal/rule-changes") }
            link("nav_account", "/account")
        }
        let back = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
        let languages = AppLocale.allCases.map {
            PageChrome.Link(label: localizer.text("language_name", $0), href: "/language/\($0.rawValue)?return=\(back)", current: $0 == locale)
        }
        return PageChrome(
            title: t(titleKey), lang: locale.rawValue, csrf: csrf,
            userName: identity?.displayName, roleLabel: identity.map { t("role_\($0.role.rawValue)") },
            nav: nav, languages: languages, notice: notice, organisationName: organisationName)
    }

    /// Renders `template` with `page` as its context; `t` is the reader's text table.
    func render(_ template: String, _ page: some Encodable & Sendable, context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        response(html(template, page, context: context), context: context, status: status)
    }

    /// The page as text, for callers that look at it before it is sent (an ETag from its bytes).
    func html(_ template: String, _ page: some Encodable & Sendable, context: AppRequestContext) -> String {
        html(template, page, locale: context.locale)
    }

    func html(_ template: String, _ page: some Encodable & Sendable, locale: AppLocale) -> String {
        // The page as keyed objects (see TemplateValues), and the texts of the language.
        let root = TemplateValues.TemplateObject(["page": TemplateValues.tree(page), "t": TemplateValues.Texts(localizer.table(locale))])
        guard let html = library(locale).render(root, withTemplate: template) else {
            preconditionFailure("template \(template) is missing")
        }
        return html
    }

    func response(_ html: String, context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        response([html], context: context, status: status)
    }

    /// A page in parts (a kept page and its note, see `VerificationPages`), written into one buffer.
    func response(_ parts: [String], context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count })
        for part in parts { buffer.writeString(part) }
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: buffer))
        response.headers[.contentLanguage] = context.locale.rawValue
        return response
    }

    /// What a form shows after a failed post: what was typed (never passwords) and, per field, the
    /// first problem in the reader's language.
    func formState(_ input: FormInput, _ errors: FormErrors, _ context: AppRequestContext) -> FormState {
        var form = FormState(values: input.echo)
        for problem in errors.problems where form.errors[problem.field ?? "form"] == nil {
            form.errors[problem.field ?? "form"] = localizer.text(problem.messageKey, context.locale, problem.arguments)
        }
        return form
    }

    /// A refused action as the page that was acted on shows it: the message in the reader's language
    /// and the status. Nil for errors that are not the user's to read there (not found, forbidden,
    /// failures), which take the usual error page.
    func refusal(_ error: any Error, _ context: AppRequestContext) -> (text: String, status: HTTPResponse.Status)? {
        if let error = error as? AppError, error.status != .notFound, error.status != .forbidden {
            return (localizer.text(error.messageKey, context.locale, error.arguments), error.status)
        }
        if let errors = error as? FormErrors {
            return (errors.problems.map { localizer.text($0.messageKey, context.locale, $0.arguments) }.joined(separator: " "), .unprocessableContent)
        }
        return nil
    }

    func errorPage(_ error: AppError, context: AppRequestContext) -> Response {
        let page = ErrorPage(
            chrome: chrome(context, titleKey: "error_title", path: ""),
            status: Int(error.status.code),
            message: localizer.text(error.messageKey, context.locale, error.arguments),
            signedIn: context.identity != nil)
        return render("errors/error", page, context: context, status: error.status)
    }

    /// Is `key` known in every language? Used by tests.
    func hasTemplate(_ name: String) -> Bool { library(.fallback).getTemplate(named: name) != nil }

    private func library(_ locale: AppLocale) -> MustacheLibrary {
        guard let library = libraries[locale] ?? libraries[.fallback] else { preconditionFailure("templates were not loaded") }
        return library
    }
}

/// The object a template sees: the page's own fields under `page`, the text table under `t`.
struct ErrorPage: Encodable, Sendable {
    let chrome: PageChrome
    let status: Int
    let message: String
    let signedIn: Bool
}
