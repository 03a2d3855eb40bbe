import FluentKit
import Foundation
import TrustmarkCore

/// Long work and how far it got, for the staff who wait on it: member imports started on the import
/// page (run as a job that writes its progress as it goes, so any instance can show it), the
/// website checker's re-check round, and the mail of the last day.
struct WorkProgress: Sendable {
    static let importJob = "work.import_members"
    static let importKind = "import.members"

    /// One line of progress as a page shows it.
    struct Item: Encodable, Sendable {
        let label: String
        let done: Int
        let total: Int
        /// "340 of 2,000 rows"; "waiting to start" before the size is known.
        let text: String
        let href: String?
        let finished: Bool
        let failed: Bool
    }

    let storage: Storage
    let clock: any TrustmarkClock
    let localizer: Localizer
    let importer: MemberImporter

    // MARK: member imports

    /// Keeps the file and queues the import; the page of the returned run shows how far it got.
    func startImport(_ data: Data, name: String, dryRun: Bool, locale: AppLocale, by identity: Identity) async throws -> UUID {
        let run = WorkRun()
        run.kind = Self.importKind
        run.label = name.isEmpty ? "members.csv" : String(name.prefix(200))
        run.done = 0
        run.total = 0
        run.locale = locale.rawValue
        run.startedBy = identity.userID
        run.startedAt = clock.now()
        run.input = data
        run.options = dryRun ? "dry-run" : ""
        try await storage.db.transaction { db in
            try await run.create(on: db)
            _ = try await JobQueue.enqueue(Self.importJob, payload: try run.requireID().uuidString, at: clock.now(), maxAttempts: 1, now: clock.now(), on: db)
        }
        return try run.requireID()
    }

    /// The job: imports the kept file, writing progress about every 2%, then the report (or why it
    /// could not read the file), and lets go of the file.
    func runImport(_ context: JobContext) async throws {
        guard let id = UUID(uuidString: context.payload), let run = try await WorkRun.find(id, on: storage.db), run.finishedAt == nil else { return }
        let input = run.input ?? Data()
        let locale = AppLocale(rawValue: run.locale) ?? .fallback
        var role = Role.admin.rawValue
        if let user = run.startedBy, let found = try await User.find(user, on: storage.db) { role = found.role.rawValue }
        // Written at the start, the end and every 2% between.
        let marks = ProgressSteps(steps: 50)
        do {
            let report = try await importer.run(input, dryRun: run.options == "dry-run", locale: locale, actor: .init(userID: run.startedBy, role: role)) { done, total in
                guard marks.due(done, total) else { return }
                Task { try? await self.note(id, done: done, total: total) }
            }
            run.result = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            run.total = max(run.total, report.rows)
            run.done = run.total
        } catch {
            run.error = (error as? AppError).map { localizer.text($0.messageKey, locale, $0.arguments) } ?? localizer.text("work_failed", locale)
        }
        run.input = nil
        run.finishedAt = clock.now()
        try await run.save(on: storage.db)
    }

    /// Writes are not ordered among themselves, so an older count never replaces a newer one (the
    /// first, with the size, always lands).
    private func note(_ id: UUID, done: Int, total: Int) async throws {
        try await WorkRun.query(on: storage.db).filter(\.$id == id).filter(\.$finishedAt == nil)
            .group(.or) { $0.filter(\.$done < done).filter(\.$total == 0) }
            .set(\.$done, to: done).set(\.$total, to: total).update()
    }

    func run(_ raw: String?) async throws -> WorkRun {
        guard let id = raw.flatMap(UUID.init(uuidString:)), let run = try await WorkRun.find(id, on: storage.db), run.kind == Self.importKind else {
            throw AppError.notFound
        }
        return run
    }

    func report(of run: WorkRun) -> MemberImportReport? {
        run.result.flatMap { try? JSONDecoder().decode(MemberImportReport.self, from: Data($0.utf8)) }
    }

    // MARK: what is under way

    /// Imports of the last day, the re-check round while it runs (and a day after), and the mail of the
    /// last day while any of it waits.
    func items(locale: AppLocale) async throws -> [Item] {
        let t = { (key: String, values: [String: String]) in localizer.text(key, locale, values) }
        let now = clock.now(), dayAgo = now.addingTimeInterval(-86400)
        var items: [Item] = []
        for run in try await WorkRun.query(on: storage.db).filter(\.$startedAt >= dayAgo).sort(\.$startedAt, .descending).limit(20).all() {
            items.append(item(run, locale: locale))
        }
        // The round: website checks queued for it in the last two weeks.
        let round = try await Job.query(on: storage.db).filter(\.$kind == SiteCheckService.runJob).filter(\.$payload =~ "\(SiteCheck.Reason.recheck.rawValue):")
            .filter(\.$createdAt >= now.addingTimeInterval(-14 * 86400)).field(\.$statusRaw).field(\.$finishedAt).all()
        let waiting = round.filter { $0.statusRaw == Job.Status.queued.rawValue || $0.statusRaw == Job.Status.running.rawValue }.count
        let lastFinished = round.compactMap(\.finishedAt).max()
        if !round.isEmpty, waiting > 0 || (lastFinished ?? .distantPast) >= dayAgo {
            let failed = round.filter { $0.statusRaw == Job.Status.failed.rawValue }.count
            items.append(.init(label: t("work_recheck_round", [:]), done: round.count - waiting, total: round.count,
                               text: t("work_sites", ["done": "\(round.count - waiting)", "total": "\(round.count)"]) + (failed > 0 ? " · " + t("work_failed_count", ["count": "\(failed)"]) : ""),
                               href: "/staff/site-checks", finished: waiting == 0, failed: false))
        }
        let mails = try await OutboxMessage.query(on: storage.db).filter(\.$createdAt >= dayAgo).count()
        let unsent = try await OutboxMessage.query(on: storage.db).filter(\.$createdAt >= dayAgo).filter(\.$deliveredAt == nil).count()
        if unsent > 0 {
            items.append(.init(label: t("work_mail", [:]), done: mails - unsent, total: mails, text: t("work_mails", ["done": "\(mails - unsent)", "total": "\(mails)"]),
                               href: "/staff/outbox", finished: false, failed: false))
        }
        return items
    }

    func item(_ run: WorkRun, locale: AppLocale) -> Item {
        let t = { (key: String, values: [String: String]) in localizer.text(key, locale, values) }
        let text: String
        if let error = run.error {
            text = error
        } else if run.total == 0 && run.finishedAt == nil {
            text = t("work_waiting", [:])
        } else {
            text = t("work_rows", ["done": "\(run.done)", "total": "\(run.total)"])
        }
        return .init(label: t(run.options == "dry-run" ? "work_import_check" : "work_import", ["file": run.label]), done: run.done, total: run.total, text: text,
                     href: "/staff/import-export/runs/\(run.id?.uuidString ?? "")", finished: run.finishedAt != nil, failed: run.error != nil)
    }
}
