import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// The colours of the charts: what is fine, what needs care, what went wrong, what is neither. Each
/// has at least 3:1 contrast against the white page.
enum ChartColours {
    static let good = "#1b7a4b"
    static let care = "#b26a00"
    static let bad = "#b00020"
    static let neutral = "#6b7682"
    static let calm = "#1d5fa8"
}

/// The pictures on the staff dashboard, each for the roles whose work it shows: applications by
/// state and age, complaints by whose deadline runs and how close it is, sanctions by kind,
/// misuse cases by state, and the last twelve months' invoices paid, open and overdue.
struct DashboardCharts: Sendable {
    struct Chart: Encodable, Sendable {
        let title: String
        let svg: String
        let href: String
        let linkText: String
    }

    let storage: Storage
    let desk: MembershipDesk

    func charts(for role: Role, locale: AppLocale) async throws -> [Chart] {
        let t = { (key: String) in desk.localizer.text(key, locale) }
        var charts: [Chart] = []
        if role == .admin || role == .inspector {
            charts.append(.init(title: t("chart_applications_title"), svg: try await applications(locale).svg(), href: "/staff/applications", linkText: t("nav_applications")))
        }
        if role == .admin || role == .mediator {
            charts.append(.init(title: t("chart_deadlines_title"), svg: try await complaintDeadlines(locale).svg(), href: "/staff/complaints?queue=overdue", linkText: t("complaints_title")))
        }
        if role == .admin {
            charts.append(.init(title: t("chart_sanctions_title"), svg: try await sanctions(locale).svg(), href: "/staff/sanctions", linkText: t("sanctions_title")))
        }
        if role == .admin || role == .inspector {
            charts.append(.init(title: t("misuse_title"), svg: try await misuse(locale).svg(), href: "/staff/misuse", linkText: t("misuse_title")))
        }
        if role == .admin || role == .finance {
            charts.append(.init(title: t("chart_invoices_title"), svg: try await invoices(locale).svg(), href: "/staff/invoices?open=1", linkText: t("nav_invoices")))
        }
        return charts
    }

    /// Open applications per state, split by how long ago they came in.
    func applications(_ locale: AppLocale) async throws -> BarChart {
        let t = { (key: String) in desk.localizer.text(key, locale) }
        let states = ApplicationState.allCases.filter(\.isOpen)
        let open = try await MembershipApplication.query(on: storage.db).filter(\.$stateRaw ~~ states.map(\.rawValue)).field(\.$stateRaw).field(\.$submittedAt).all()
        let now = desk.clock.now()
        let week: TimeInterval = 7 * 86400
        let rows = states.map { state -> BarChart.Row in
            let ages = open.filter { $0.stateRaw == state.rawValue }.map { now.timeIntervalSince($0.submittedAt) }
            let values = [ages.filter { $0 < week }.count, ages.filter { $0 >= week && $0 < 4 * week }.count, ages.filter { $0 >= 4 * week }.count]
            return .init(label: t("state_\(state.rawValue)"), values: values, valueText: "\(ages.count)")
        }
        return BarChart(id: "chart-applications", title: t("chart_applications_title"),
                        series: [.init(name: t("chart_age_week"), colour: ChartColours.calm), .init(name: t("chart_age_month"), colour: ChartColours.care),
                                 .init(name: t("chart_age_older"), colour: ChartColours.bad)], rows: rows)
    }

    /// The running deadlines of complaints per party, split into overdue, due by the end of tomorrow, later.
    func complaintDeadlines(_ locale: AppLocale) async throws -> BarChart {
        let t = { (key: String) in desk.localizer.text(key, locale) }
        let open = try await Deadline.query(on: storage.db).filter(\.$subjectType == ComplaintsService.subjectType).filter(\.$closedAt == nil)
            .field(\.$kind).field(\.$dueAt).all()
        let now = desk.clock.now()
        let soon = desk.today.adding(days: 1).end(in: desk.timeZone)
        let kinds = ["complaint.shop_answer", "complaint.handling", "complaint.consumer_reply"]
        let rows = (kinds + Set(open.map(\.kind)).subtracting(kinds).sorted()).map { kind -> BarChart.Row in
            let due = open.filter { $0.kind == kind }.map(\.dueAt)
            return .init(label: t("deadline_" + kind.replacingOccurrences(of: ".", with: "_")), values: [due.filter { $0 <= now }.count, due.filter { $0 > now && $0 <= soon }.count, due.filter { $0 > soon }.count],
                         valueText: "\(due.count)")
        }
        return BarChart(id: "chart-deadlines", title: t("chart_deadlines_title"),
                        series: [.init(name: t("deadline_state_overdue"), colour: ChartColours.bad), .init(name: t("chart_due_tomorrow"), colour: ChartColours.care),
                                 .init(name: t("deadline_state_running"), colour: ChartColours.calm)], rows: rows)
    }

    /// Sanctions decided in the last twelve months per kind: still running, and ended.
    func sanctions(_ locale: AppLocale) async throws -> BarChart {
        let t = { (key: String) in desk.localizer.text(key, locale) }
        let since = desk.today.adding(days: -365).description
        let decided = try await Sanction.query(on: storage.db).filter(\.$decidedOn >= since).field(\.$kindRaw).field(\.$stateRaw).all()
        let running: Set<String> = [SanctionState.proposed.rawValue, SanctionState.awaitingConfirmation.rawValue, SanctionState.inForce.rawValue]
        let rows = SanctionKind.allCases.map { kind -> BarChart.Row in
            let mine = decided.filter { $0.kindRaw == kind.rawValue }
            let now = mine.filter { running.contains($0.stateRaw) }.count
            return .init(label: t("sanction_kind_\(kind.rawValue)"), values: [now, mine.count - now], valueText: "\(mine.count)")
        }
        return BarChart(id: "chart-sanctions", title: t("chart_sanctions_title"),
                        series: [.init(name: t("chart_running"), colour: ChartColours.care), .init(name: t("chart_ended"), colour: ChartColours.neutral)], rows: rows)
    }

    /// Seals seen on websites that are not the shop's, per case state.
    func misuse(_ locale: AppLocale) async throws -> BarChart {
        let t = { (key: String) in desk.localizer.text(key, locale) }
        var rows: [BarChart.Row] = []
        for state in [SealSighting.State.open, .pursued, .dismissed] {
            let count = try await SealSighting.query(on: storage.db).filter(\.$ownDomain == false).filter(\.$stateRaw == state.rawValue).count()
            rows.append(.init(label: t("misuse_state_\(state.rawValue)"), values: [count], valueText: "\(count)"))
        }
        return BarChart(id: "chart-misuse", title: t("misuse_title"), series: [.init(name: t("misuse_title"), colour: ChartColours.bad)], rows: rows)
    }

    /// The invoices of each of the last twelve months by the day they were issued: paid, open and
    /// not yet due, open and overdue (credit notes left out). One grouped query.
    func invoices(_ locale: AppLocale) async throws -> BarChart {
        let t = { (key: String) in desk.localizer.text(key, locale) }
        let today = desk.today
        var first = Day(year: today.year, month: today.components.month, day: 1) ?? today
        for _ in 0..<11 { first = first.adding(days: -1); first = Day(year: first.year, month: first.components.month, day: 1) ?? first }
        struct Sum: Decodable { let month: String; let status: String; let late: Int; let cents: Int }
        var sums: [Sum] = []
        if let sql = storage.db as? any SQLDatabase {
            sums = try await sql.raw("""
                SELECT substr(issued_on, 1, 7) AS month, status, CASE WHEN due_on < \(bind: today.description) THEN 1 ELSE 0 END AS late,
                       CAST(SUM(gross_cents) AS BIGINT) AS cents
                FROM invoices WHERE issued_on >= \(bind: first.description) AND kind <> \(bind: Invoice.Kind.creditNote.rawValue)
                GROUP BY 1, 2, 3
                """).all(decoding: Sum.self)
        }
        var rows: [BarChart.Row] = []
        var month = first
        while month <= today {
            let key = String(month.description.prefix(7))
            let mine = sums.filter { $0.month == key }
            let paid = mine.filter { $0.status == Invoice.Status.paid.rawValue }.reduce(0) { $0 + $1.cents }
            let open = mine.filter { $0.status == Invoice.Status.open.rawValue && $0.late == 0 }.reduce(0) { $0 + $1.cents }
            let overdue = mine.filter { $0.status == Invoice.Status.open.rawValue && $0.late == 1 }.reduce(0) { $0 + $1.cents }
            rows.append(.init(label: DateText.month(month.midday(in: desk.timeZone), locale: locale, timeZone: desk.timeZone), values: [paid, open, overdue], valueText: desk.money(paid + open + overdue, locale)))
            month = month.firstOfNextMonth
        }
        return BarChart(id: "chart-invoices", title: t("chart_invoices_title"),
                        series: [.init(name: t("chart_paid"), colour: ChartColours.good), .init(name: t("chart_open"), colour: ChartColours.calm),
                                 .init(name: t("invoice_overdue"), colour: ChartColours.bad)], rows: rows)
    }
}
