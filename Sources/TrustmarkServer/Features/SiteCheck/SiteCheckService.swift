import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// Where the website checker runs and what it keeps: a pre-check of every shop of a new application
/// (shown on the audit screen), every member shop on the scheme's `recheck_every` and before its
/// renewal, spread evenly over the days, and a run on demand. A check that passed the time before
/// and fails now opens a re-check for an inspector; nothing is sanctioned by the checker.
struct SiteCheckService: Sendable {
    static let runJob = "site_checks.run"
    static let dailyKind = "site_checks.daily"

    let desk: MembershipDesk
    let applications: ApplicationsService
    let runner: SiteCheckRunner
    /// The address of a shop's home page from its domain (`https://{domain}/`; tests point elsewhere).
    let siteURL: @Sendable (String) -> String
    /// The seal's tally of where it was seen: a misuse scan that finds a seal counts it there.
    var sightings: SealSightings? = nil

    var db: any Database { desk.storage.db }

    /// The checks the scheme names.
    var checks: [String] { SiteCheckRunner.checks(of: desk.scheme) }

    // MARK: running

    /// Checks one shop now and keeps the run.
    @discardableResult
    func check(shop shopID: UUID, reason: SiteCheck.Reason, application: UUID? = nil) async throws -> SiteCheck {
        guard let shop = try await Shop.query(on: db).filter(\.$id == shopID).with(\.$domains).first() else { throw AppError.notFound }
        let domains = shop.domains.filter { $0.releasedAt == nil }.map(\.domain)
        guard let first = domains.first ?? shop.domains.first?.domain else { throw AppError.invalid("shopId", "site_check_no_domain") }
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == shop.$organisation.id).first()
        let facts = SiteFacts(legalName: registration?.legalName, street: registration?.street, postcode: registration?.postcode, kvk: registration?.kvk,
                              vat: registration?.vatNumber, business: shop.variant == "b2b",
                              sealPath: shop.slug.map { "/seal/\($0).svg" }, verificationPath: shop.slug.map { "/shops/\($0)" })
        let report = await runner.run(siteURL(first), domains: domains, checks: checks, facts: facts)
        return try await keep(report, shop: shop, reason: reason, application: application)
    }

    /// Checks a site staff name (no shop of ours): nothing is compared with registered data.
    func check(url: String) async throws -> SiteCheck {
        guard let parsed = SiteFetcher.webAddress(url) else { throw AppError.invalid("url", "site_check_url") }
        let report = await runner.run(parsed.absoluteString, checks: checks, facts: SiteFacts())
        return try await keep(report, shop: nil, reason: .manual, application: nil)
    }

    private func keep(_ report: SiteReport, shop: Shop?, reason: SiteCheck.Reason, application: UUID?) async throws -> SiteCheck {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await db.transaction { db in
            var regressions: [String] = []
            if let shopID = shop?.id, report.failure == nil,
               let before = try await SiteCheck.query(on: db).filter(\.$shop.$id == shopID).filter(\.$failure == nil).sort(\.$checkedAt, .descending).first() {
                let found = Set(before.checkResults.filter { $0.outcome == .found }.map(\.check))
                regressions = report.results.filter { $0.outcome == .notFound && found.contains($0.check) }.map(\.check)
            }
            let row = SiteCheck()
            row.$shop.id = shop?.id
            row.applicationID = application
            row.url = report.url
            row.reason = reason.rawValue
            row.failure = report.failure
            row.failureDetail = report.failureDetail.map { String($0.prefix(500)) }
            row.certificate = report.certificate
            row.pages = report.pages.joined(separator: "\n")
            row.results = String(decoding: try encoder.encode(report.results), as: UTF8.self)
            let counts = report.counts
            row.found = counts[.found] ?? 0
            row.notFound = counts[.notFound] ?? 0
            row.unsure = counts[.unsure] ?? 0
            row.regressions = regressions.joined(separator: "\n")
            row.milliseconds = report.milliseconds
            row.checkedAt = desk.clock.now()
            try await row.create(on: db)
            let id = try row.requireID().uuidString
            try await Record.append(on: db, at: row.checkedAt, actor: .system, action: "site_check.run", subjectType: shop == nil ? "site" : "shop",
                                    subjectID: shop?.id?.uuidString ?? report.url,
                                    after: ["check": id, "reason": reason.rawValue, "failure": report.failure ?? "-", "found": "\(row.found)",
                                            "not_found": "\(row.notFound)", "unsure": "\(row.unsure)", "regressions": regressions.joined(separator: ",")])
            if let shop, !regressions.isEmpty { try await openRecheck(shop, regressions: regressions, check: id, on: db) }
            row.$shop.value = shop
            return row
        }
    }

    /// A regression opens the member's re-check for an inspector, unless one is open already.
    private func openRecheck(_ shop: Shop, regressions: [String], check: String, on db: any Database) async throws {
        let organisation = shop.$organisation.id
        guard let membership = try await Membership.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$endedOn == nil).first(), membership.id != nil else { return }
        let open = ApplicationState.allCases.filter(\.isOpen).map(\.rawValue)
        if try await MembershipApplication.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$kindRaw == ApplicationKind.recheck.rawValue)
            .filter(\.$stateRaw ~~ open).first() != nil { return }
        let application = try await applications.create(kind: .recheck, organisation: organisation, shops: [], on: db)
        try await desk.note("application.submitted", organisation: organisation, application: application.id, actor: .system,
                            detail: ["kind": "recheck", "site_check": check, "regressions": regressions.joined(separator: ", "), "shop": shop.name], on: db)
    }

    // MARK: the schedule

    /// The days of the scheme's re-check interval, counted from `today`.
    func intervalDays(_ today: Day) -> Int? {
        desk.scheme.membership?.recheckEvery.map { max(1, today.adding($0).julian - today.julian) }
    }

    struct Due: Sendable {
        let shop: UUID
        let reason: SiteCheck.Reason
    }

    /// Every member shop whose last check is older than the interval (or that renews soon and was not
    /// checked since the renewal window opened), oldest first; today's share is the total spread
    /// evenly over the interval's days, and the renewals, which cannot wait.
    func due(today: Day) async throws -> (today: [Due], total: Int) {
        guard desk.scheme.membership?.recheckEvery != nil else { return ([], 0) }
        return due(today: today, shops: try await memberShops(), last: try await lastChecks())
    }

    /// The same from the member shops (with the day each is paid through) and their latest checks.
    func due(today: Day, shops: [(UUID, String?)], last: [UUID: Date]) -> (today: [Due], total: Int) {
        guard let rules = desk.scheme.membership, let days = intervalDays(today) else { return ([], 0) }
        let windowStart = today.adding(days: -days)
        var renewals: [Due] = [], regular: [(Due, Date?)] = []
        for (shop, paidThrough) in shops {
            let checked = last[shop]
            if rules.recheckBeforeRenewal, let paid = paidThrough.flatMap(Day.init), today >= paid.subtracting(rules.renewalInvoiceBefore), today < paid,
               checked.map({ Day($0, in: desk.timeZone) < paid.subtracting(rules.renewalInvoiceBefore) }) ?? true {
                renewals.append(Due(shop: shop, reason: .renewal))
            } else if checked.map({ Day($0, in: desk.timeZone) <= windowStart }) ?? true {
                regular.append((Due(shop: shop, reason: .recheck), checked))
            }
        }
        regular.sort { ($0.1 ?? .distantPast) < ($1.1 ?? .distantPast) }
        let share = Int((Double(shops.count) / Double(days)).rounded(.up))
        return (renewals + regular.prefix(max(0, share)).map(\.0), shops.count)
    }

    /// The daily run: today's shops are queued, spread over the next 24 hours.
    @discardableResult
    func schedule() async throws -> Int {
        let now = desk.clock.now()
        let today = desk.today
        let (due, _) = try await due(today: today)
        guard !due.isEmpty else { return 0 }
        let step = 86_400.0 / Double(due.count)
        var queued = 0
        for (index, item) in due.enumerated() {
            if try await JobQueue.enqueue(Self.runJob, payload: "\(item.reason.rawValue):\(item.shop.uuidString)", at: now.addingTimeInterval(step * Double(index)),
                                          maxAttempts: 2, uniqueKey: "site-check:\(item.shop.uuidString):\(today)", now: now, on: db) {
                queued += 1
            }
        }
        return queued
    }

    /// Queues the pre-check of a new application's shops (inside the caller's transaction).
    static func queuePreCheck(shops: [UUID], application: UUID, now: Date, on db: any Database) async throws {
        for shop in shops {
            try await JobQueue.enqueue(runJob, payload: "\(SiteCheck.Reason.preCheck.rawValue):\(shop.uuidString):\(application.uuidString)", at: now,
                                       maxAttempts: 2, uniqueKey: "site-check:\(shop.uuidString):pre", now: now, on: db)
        }
    }

    /// Runs a queued check: `reason:shop[:application]`.
    func runQueued(_ payload: String) async throws {
        let parts = payload.split(separator: ":").map(String.init)
        guard parts.count >= 2, let reason = SiteCheck.Reason(rawValue: parts[0]), let shop = UUID(uuidString: parts[1]) else { return }
        try await check(shop: shop, reason: reason, application: parts.count > 2 ? UUID(uuidString: parts[2]) : nil)
    }

    // MARK: reading

    /// The latest check of each shop.
    func lastChecks() async throws -> [UUID: Date] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        struct Row: Decodable { let shop_id: UUID; let last: Date }
        let rows = try await sql.raw("SELECT shop_id, MAX(checked_at) AS last FROM site_checks WHERE shop_id IS NOT NULL GROUP BY shop_id").all(decoding: Row.self)
        return Dictionary(rows.map { ($0.shop_id, $0.last) }) { first, _ in first }
    }

    /// The approved shops of running memberships, with the day the membership is paid through.
    func memberShops() async throws -> [(UUID, String?)] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { let shop_id: UUID; let paid_through: String? }
        let rows = try await sql.raw("""
            SELECT s.id AS shop_id, m.paid_through AS paid_through FROM shops s JOIN memberships m ON m.organisation_id = s.organisation_id
            WHERE s.state = 'approved' AND m.ended_on IS NULL
            """).all(decoding: Row.self)
        return rows.map { ($0.shop_id, $0.paid_through) }
    }
}

/// What the audit screen says of the website checker's latest run on a shop.
extension SiteChecks {
    /// The latest run of each shop.
    static func latest(of shops: [UUID], on db: any Database) async throws -> [UUID: SiteCheck] {
        guard !shops.isEmpty else { return [:] }
        let rows = try await SiteCheck.query(on: db).filter(\.$shop.$id ~~ shops).sort(\.$checkedAt, .descending).all()
        var latest: [UUID: SiteCheck] = [:]
        for row in rows { if let shop = row.$shop.id, latest[shop] == nil { latest[shop] = row } }
        return latest
    }

    /// One check's outcome in words, with the words it rests on; 'no result yet' without a run.
    static func describe(_ run: SiteCheck?, check: String, localizer: Localizer, locale: AppLocale, timeZone: TimeZone) -> String {
        guard let run else { return localizer.text("audit_automated_pending", locale, ["check": check]) }
        let result = run.checkResults.first { $0.check == check }
        let outcome = result?.outcome ?? (run.failure == nil ? .unsure : .couldNotCheck)
        var text = localizer.text("site_check_line", locale, ["date": DateText.dateTime(run.checkedAt, locale: locale, timeZone: timeZone),
                                                              "outcome": localizer.text("site_check_outcome_\(outcome.rawValue)", locale)])
        if let reason = result?.reason ?? run.failure { text += " (" + localizer.text("site_check_reason_\(reason)", locale) + ")" }
        if let evidence = result?.evidence.first, !evidence.text.isEmpty { text += ": “" + evidence.text + "”" }
        return text
    }
}

extension SiteCheckService {
    /// The service with the fetcher the settings describe: the checker names itself with the
    /// trustmark's website (or this server) as the contact address.
    static func make(desk: MembershipDesk, applications: ApplicationsService, settings: SiteCheckerSettings, sightings: SealSightings? = nil) -> SiteCheckService {
        var rules = SiteFetcher.Rules()
        rules.contactURL = desk.scheme.website ?? desk.baseURL
        rules.perHost = .milliseconds(settings.intervalMilliseconds)
        rules.resolveAll = settings.resolve
        if settings.resolve != nil { rules.connectTimeout = .seconds(1) }
        let template = settings.urlTemplate
        return SiteCheckService(desk: desk, applications: applications, runner: SiteCheckRunner(fetcher: SiteFetcher(rules: rules)),
                                siteURL: { domain in template.replacingOccurrences(of: "{domain}", with: domain) }, sightings: sightings)
    }
}
