import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

/// `/staff/site-checks`: the round's progress, a check on demand, the latest runs; one run's page
/// with every check's outcome and the words it rests on, to confirm with one click.
struct SiteCheckPages: Sendable {
    let service: SiteCheckService
    let renderer: Renderer

    struct Row: Encodable, Sendable {
        let id: String
        let subject: String
        let url: String
        let reason: String
        let when: String
        let summary: String
        let failure: String?
        let regressions: String?
        let certificate: String?
    }

    struct ListPage: Encodable, Sendable {
        let chrome: PageChrome
        let error: String?
        let progress: SiteCheckProgress
        let interval: String
        let rows: [Row]
        let hasRows: Bool
        let pager: Pager
    }

    struct ResultRow: Encodable, Sendable {
        let check: String
        let outcome: String
        let outcomeCode: String
        let reason: String?
        let evidence: [CheckEvidence]
    }

    struct DetailPage: Encodable, Sendable {
        let chrome: PageChrome
        let run: Row
        let pages: [String]
        let results: [ResultRow]
    }

    func register(on routes: RouteTable) {
        routes.get("/staff/site-checks", .roles(SiteCheckAPI.staff)) { request, context in try await list(request, context) }
        routes.post("/staff/site-checks", .roles(SiteCheckAPI.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                let row = try await service.checkNow(shop: input.fields["shop"], url: input.fields["url"])
                return .seeOther("/staff/site-checks/\(try row.requireID().uuidString)")
            } catch {
                guard let refusal = renderer.refusal(error, context) else { throw error }
                return try await list(request, context, error: refusal.text, status: refusal.status)
            }
        }
        routes.post("/staff/misuse-scans", .roles(SiteCheckAPI.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            do {
                let scan = try await service.scanMisuse(url: input.fields["url"] ?? "")
                return .seeOther("/staff/misuse?scanned=\(scan.caseId == nil ? scan.outcome : "case")")
            } catch let error as AppError where error.status == .unprocessableContent {
                return .seeOther("/staff/misuse?scanned=invalid")
            }
        }
        routes.get("/staff/site-checks/{id}", .roles(SiteCheckAPI.staff)) { _, context in
            let run = try await service.run(context.parameters.get("id"))
            let t = { (key: String) in renderer.localizer.text(key, context.locale) }
            let results = run.checkResults.map {
                ResultRow(check: t("site_check_\($0.check)"), outcome: t("site_check_outcome_\($0.outcome.rawValue)"), outcomeCode: $0.outcome.rawValue,
                          reason: $0.reason.map { t("site_check_reason_\($0)") }, evidence: $0.evidence)
            }
            let page = DetailPage(chrome: renderer.chrome(context, titleKey: "site_checks_title", path: "/staff/site-checks"), run: row(run, context),
                                  pages: run.pages.split(separator: "\n").map(String.init), results: results)
            return renderer.render("sitecheck/detail", page, context: context)
        }
    }

    private func row(_ run: SiteCheck, _ context: AppRequestContext) -> Row {
        let t = { (key: String, values: [String: String]) in renderer.localizer.text(key, context.locale, values) }
        return Row(id: run.id?.uuidString ?? "", subject: run.$shop.value??.name ?? run.url, url: run.url, reason: t("site_check_why_\(run.reason)", [:]),
                   when: DateText.dateTime(run.checkedAt, locale: context.locale, timeZone: service.desk.timeZone),
                   summary: t("site_check_summary", ["found": "\(run.found)", "not_found": "\(run.notFound)", "unsure": "\(run.unsure)"]),
                   failure: run.failure.map { t("site_check_reason_\($0)", [:]) },
                   regressions: run.regressions.isEmpty ? nil : run.regressions.split(separator: "\n").map { t("site_check_\($0)", [:]) }.joined(separator: ", "),
                   certificate: run.certificate.map { t("site_check_certificate_\($0)", [:]) })
    }

    private func list(_ request: Request, _ context: AppRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let query = request.uri.queryParameters
        let paging = Paging(page: query["page"].flatMap { Int($0) }, size: 50)
        let failed = query["failed"] == "true"
        let runs = try await service.runs(shop: nil, failed: failed, paging: paging)
        let progress = try await service.progress()
        let rows = runs.items.map { row($0, context) }
        let interval = renderer.localizer.text("site_checks_interval", context.locale, ["days": progress.intervalDays.map(String.init) ?? "-"])
        let page = ListPage(chrome: renderer.chrome(context, titleKey: "site_checks_title", path: "/staff/site-checks"), error: error, progress: progress,
                            interval: interval, rows: rows, hasRows: !rows.isEmpty, pager: Pager(runs, base: "/staff/site-checks?failed=\(failed)&page="))
        return renderer.render("sitecheck/list", page, context: context, status: status)
    }
}
