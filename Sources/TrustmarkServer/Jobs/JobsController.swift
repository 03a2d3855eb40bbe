import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct JobsPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let id: String
        let kind: String
        let status: String
        let runAt: String
        let attempts: String
        let error: String
        let failed: Bool
    }

    let chrome: PageChrome
    let counts: [SchemeFacts.Fact]
    let failed: [Row]
    let hasFailed: Bool
    let upcoming: [Row]
    let progress: [WorkProgress.Item]
    let hasProgress: Bool
    /// Something is still running: the progress part follows it.
    let following: Bool
}

/// Administrators see the queue: what is waiting, what failed and why, and retry a failed job.
struct JobsController: Sendable {
    let queue: JobQueue
    let progress: WorkProgress
    let renderer: Renderer
    let timeZone: TimeZone

    func register(on routes: RouteTable) {
        routes.get("/staff/jobs", .roles([.admin])) { _, context in
            let db = queue.storage.db
            let t = { (key: String) in renderer.localizer.text(key, context.locale) }
            var counts: [SchemeFacts.Fact] = []
            for status in ["queued", "running", "done", "failed"] {
                counts.append(.init(label: t("jobs_status_\(status)"), value: "\(try await Job.query(on: db).filter(\.$statusRaw == status).count())"))
            }
            func row(_ job: Job) -> JobsPage.Row {
                .init(id: job.id?.uuidString ?? "", kind: job.kind, status: t("jobs_status_\(job.statusRaw)"), runAt: DateText.moment(job.runAt, timeZone: timeZone),
                      attempts: "\(job.attempts)/\(job.maxAttempts)", error: job.lastError ?? "", failed: job.status == .failed)
            }
            let failed = try await Job.query(on: db).filter(\.$statusRaw == "failed").sort(\.$finishedAt, .descending).limit(100).all().map(row)
            let upcoming = try await Job.query(on: db).filter(\.$statusRaw ~~ ["queued", "running"]).sort(\.$runAt).limit(50).all().map(row)
            let underWay = try await progress.items(locale: context.locale)
            var chrome = renderer.chrome(context, titleKey: "jobs_title", path: "/staff/jobs")
            // While something runs, the bars follow it (a small script; without it, the link reloads).
            chrome.follows = underWay.contains { !$0.finished }
            return renderer.render("jobs/list", JobsPage(chrome: chrome, counts: counts, failed: failed, hasFailed: !failed.isEmpty, upcoming: upcoming,
                                                         progress: underWay, hasProgress: !underWay.isEmpty, following: chrome.follows), context: context)
        }
        routes.post("/staff/jobs/{id}/retry", .roles([.admin])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
            try await queue.retry(id)
            return .seeOther("/staff/jobs")
        }
    }
}
