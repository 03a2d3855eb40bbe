import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct HomePage: Encodable, Sendable {
    let chrome: PageChrome
    let signedIn: Bool
    let homeLink: String?
}

struct DashboardPage: Encodable, Sendable {
    struct Tile: Encodable, Sendable {
        let label: String
        let value: String
        let href: String?
    }

    struct Tool: Encodable, Sendable {
        let label: String
        let description: String
        let href: String
    }

    let chrome: PageChrome
    let greeting: String
    let tiles: [Tile]
    let tools: [Tool]
    let charts: [DashboardCharts.Chart]
    let hasCharts: Bool
}

struct OutboxPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let at: String
        let recipient: String
        let subject: String
        let kind: String
        let body: String
        let status: String
        let delivered: Bool
    }

    let chrome: PageChrome
    let rows: [Row]
}

/// The public front page and each role's home page.
struct HomeController: Sendable {
    let storage: Storage
    let renderer: Renderer
    let timeZone: TimeZone
    let charts: DashboardCharts
    /// Whether the scheme collects reviews (the portal then offers them).
    var reviews = false

    func register(on routes: RouteTable) {
        routes.get("/", .everyone) { _, context in
            let home = context.role.map { $0.isStaff ? "/staff" : "/portal" }
            return renderer.render("home/index", HomePage(chrome: renderer.chrome(context, titleKey: "home_title", path: "/"), signedIn: context.identity != nil, homeLink: home), context: context)
        }
        routes.get("/staff", .roles(Role.staff)) { _, context in
            let t = { (key: String) in renderer.localizer.text(key, context.locale) }
            var tiles: [DashboardPage.Tile] = []
            let awaitingPost = try await LetterRow.query(on: storage.db).filter(\.$registered == true).filter(\.$sentOn == nil).count()
            tiles.append(.init(label: t("dashboard_letters_awaiting"), value: "\(awaitingPost)", href: "/staff/letters"))
            var tools: [DashboardPage.Tool] = []
            if context.role != .mediator {
                let open = try await MembershipApplication.query(on: storage.db).filter(\.$stateRaw ~~ ApplicationState.allCases.filter(\.isOpen).map(\.rawValue)).count()
                tiles.append(.init(label: t("nav_applications"), value: "\(open)", href: "/staff/applications"))
                tools.append(.init(label: t("nav_applications"), description: t("tool_applications"), href: "/staff/applications"))
            }
            if context.role == .admin || context.role == .finance {
                tools.append(.init(label: t("nav_invoices"), description: t("tool_invoices"), href: "/staff/invoices"))
            }
            if context.role == .admin || context.role == .mediator {
                let open = try await Complaint.query(on: storage.db).filter(\.$subjectRaw == ComplaintSubject.shop.rawValue)
                    .filter(\.$stateRaw ~~ [ComplaintState.received, .forwarded, .answered, .noAnswer, .mediation, .unresolved, .referred, .ruled].map(\.rawValue)).count()
                tiles.append(.init(label: t("complaints_open"), value: "\(open)", href: "/staff/complaints"))
                tools.append(.init(label: t("complaints_title"), description: t("tool_complaints"), href: "/staff/complaints"))
            }
            if reviews, context.role == .admin || context.role == .mediator {
                tools.append(.init(label: t("moderation_title"), description: t("tool_moderation"), href: "/staff/reviews"))
            }
            if context.role == .admin || context.role == .mediator {
                let open = try await StaffTask.query(on: storage.db).filter(\.$doneAt == nil).count()
                tiles.append(.init(label: t("tasks_title"), value: "\(open)", href: "/staff/tasks"))
                tools.append(.init(label: t("tasks_title"), description: t("tool_tasks"), href: "/staff/tasks"))
            }
            if context.role == .admin {
                let proposals = try await SanctionProposal.query(on: storage.db).filter(\.$state == "open").count()
                tiles.append(.init(label: t("proposals_title"), value: "\(proposals)", href: "/staff/sanction-proposals"))
                let waiting = try await Sanction.query(on: storage.db).filter(\.$stateRaw == SanctionState.awaitingConfirmation.rawValue).count()
                let appeals = try await Sanction.query(on: storage.db).filter(\.$appealedOn != nil).filter(\.$appealDecision == nil).count()
                tiles.append(.init(label: t("sanctions_awaiting"), value: "\(waiting)", href: "/staff/sanctions?state=active"))
                tiles.append(.init(label: t("sanctions_appeals"), value: "\(appeals)", href: "/staff/sanctions?state=appeals"))
                tools.append(.init(label: t("sanctions_title"), description: t("tool_sanctions"), href: "/staff/sanctions"))
            }
            if context.role == .admin || context.role == .inspector {
                let open = try await SealSighting.query(on: storage.db).filter(\.$ownDomain == false).filter(\.$stateRaw == SealSighting.State.open.rawValue).count()
                tiles.append(.init(label: t("misuse_title"), value: "\(open)", href: "/staff/misuse"))
                tools.append(.init(label: t("misuse_title"), description: t("tool_misuse"), href: "/staff/misuse"))
                tools.append(.init(label: t("site_checks_title"), description: t("tool_site_checks"), href: "/staff/site-checks"))
            }
            tools += [
                .init(label: t("nav_scheme"), description: t("tool_scheme"), href: "/staff/scheme"),
                .init(label: t("nav_record"), description: t("tool_record"), href: "/staff/record"),
                .init(label: t("nav_letters"), description: t("tool_letters"), href: "/staff/letters"),
                .init(label: t("invite_title"), description: t("tool_invite"), href: "/users/invite"),
            ]
            if context.role == .admin {
                let pending = try await User.query(on: storage.db).filter(\.$passwordHash == nil).count()
                let undelivered = try await OutboxMessage.query(on: storage.db).filter(\.$deliveredAt == nil).count()
                let failed = try await Job.query(on: storage.db).filter(\.$statusRaw == Job.Status.failed.rawValue).count()
                tiles.append(.init(label: t("dashboard_invited"), value: "\(pending)", href: "/staff/users"))
                tiles.append(.init(label: t("dashboard_undelivered"), value: "\(undelivered)", href: "/staff/outbox"))
                tiles.append(.init(label: t("dashboard_failed_jobs"), value: "\(failed)", href: "/staff/jobs"))
                tools += [
                    .init(label: t("nav_users"), description: t("tool_users"), href: "/staff/users"),
                    .init(label: t("nav_outbox"), description: t("tool_outbox"), href: "/staff/outbox"),
                    .init(label: t("nav_jobs"), description: t("tool_jobs"), href: "/staff/jobs"),
                    .init(label: t("webhooks_title"), description: t("tool_webhooks"), href: "/staff/integrations"),
                    .init(label: t("import_title"), description: t("tool_import_export"), href: "/staff/import-export"),
                ]
            }
            let pictures = try await charts.charts(for: context.role ?? .mediator, locale: context.locale)
            return dashboard(context, tiles: tiles, tools: tools, charts: pictures, path: "/staff")
        }
        routes.get("/portal", .roles([.member])) { _, context in
            let t = { (key: String) in renderer.localizer.text(key, context.locale) }
            var tiles: [DashboardPage.Tile] = []
            if let organisationID = context.identity?.organisationID, let organisation = try await Organisation.find(organisationID, on: storage.db) {
                let colleagues = try await User.query(on: storage.db).filter(\.$organisation.$id == organisationID).count()
                tiles.append(.init(label: t("dashboard_organisation"), value: organisation.name, href: nil))
                tiles.append(.init(label: t("dashboard_colleagues"), value: "\(colleagues)", href: "/users/invite"))
            }
            var tools: [DashboardPage.Tool] = [
                .init(label: t("nav_membership"), description: t("tool_membership"), href: "/portal/membership"),
                .init(label: t("complaints_title"), description: t("tool_portal_complaints"), href: "/portal/complaints"),
                .init(label: t("sanctions_portal_title"), description: t("tool_portal_sanctions"), href: "/portal/sanctions"),
                .init(label: t("kit_title"), description: t("tool_seal_kit"), href: "/portal/seal"),
                .init(label: t("integrations_title"), description: t("tool_integrations"), href: "/portal/integrations"),
                .init(label: t("nav_rule_changes"), description: t("tool_rule_changes"), href: "/portal/rule-changes"),
                .init(label: t("invite_title"), description: t("tool_invite_colleague"), href: "/users/invite"),
            ]
            if reviews { tools.insert(.init(label: t("reviews_portal_title"), description: t("tool_portal_reviews"), href: "/portal/reviews"), at: 2) }
            return dashboard(context, tiles: tiles, tools: tools, charts: [], path: "/portal")
        }
        routes.get("/staff/outbox", .roles([.admin])) { _, context in
            let messages = try await OutboxMessage.query(on: storage.db).sort(\.$createdAt, .descending).limit(100).all()
            let t = { (key: String, args: [String: String]) in renderer.localizer.text(key, context.locale, args) }
            let rows = messages.map { message in
                OutboxPage.Row(
                    at: DateText.moment(message.createdAt, timeZone: timeZone), recipient: message.recipient, subject: message.subject, kind: message.kind, body: message.body,
                    status: message.deliveredAt.map { t("outbox_delivered", ["at": DateText.moment($0, timeZone: timeZone)]) }
                        ?? t("outbox_waiting", ["attempts": "\(message.attempts)", "error": message.lastError ?? "-"]),
                    delivered: message.deliveredAt != nil)
            }
            return renderer.render("home/outbox", OutboxPage(chrome: renderer.chrome(context, titleKey: "outbox_title", path: "/staff/outbox"), rows: rows), context: context)
        }
    }

    private func dashboard(_ context: AppRequestContext, tiles: [DashboardPage.Tile], tools: [DashboardPage.Tool], charts: [DashboardCharts.Chart], path: String) -> Response {
        let name = context.identity?.displayName ?? ""
        let page = DashboardPage(chrome: renderer.chrome(context, titleKey: path == "/staff" ? "staff_title" : "portal_title", path: path),
                                 greeting: renderer.localizer.text("dashboard_greeting", context.locale, ["name": name]), tiles: tiles, tools: tools, charts: charts, hasCharts: !charts.isEmpty)
        return renderer.render("home/dashboard", page, context: context)
    }
}
