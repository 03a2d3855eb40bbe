import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct SiteCheckDTO: Codable, Sendable {
    let id: UUID
    let shopId: UUID?
    let shop: String?
    let applicationId: UUID?
    let url: String
    let reason: String
    let failure: String?
    let failureDetail: String?
    let certificate: String?
    let found: Int
    let notFound: Int
    let unsure: Int
    let regressions: [String]
    let milliseconds: Int
    let checkedAt: Date
    let pages: [String]?
    let results: [CheckResult]?

    init(_ row: SiteCheck, full: Bool) {
        id = row.id ?? UUID()
        shopId = row.$shop.id
        shop = row.$shop.value??.name
        applicationId = row.applicationID
        url = row.url
        reason = row.reason
        failure = row.failure
        failureDetail = row.failureDetail
        certificate = row.certificate
        found = row.found
        notFound = row.notFound
        unsure = row.unsure
        regressions = row.regressions.split(separator: "\n").map(String.init)
        milliseconds = row.milliseconds
        checkedAt = row.checkedAt
        pages = full ? row.pages.split(separator: "\n").map(String.init) : nil
        results = full ? row.checkResults : nil
    }
}

struct SiteCheckRequest: Codable, Sendable {
    let shopId: UUID?
    let url: String?
}

/// The round of re-checks as staff follow it: member shops, how many were checked within the
/// scheme's interval, how many wait, and the runs that could not read the site.
struct SiteCheckProgress: Codable, Sendable {
    let intervalDays: Int?
    let shops: Int
    let checked: Int
    let toDo: Int
    let dueToday: Int
    let queued: Int
    let couldNotCheck: Int
    let regressions: Int
}

extension SiteCheckService {
    func progress() async throws -> SiteCheckProgress {
        let today = desk.today
        let days = intervalDays(today)
        let members = try await memberShops()
        let shops = members.map(\.0)
        let last = try await lastChecks()
        // Without an interval in the scheme every check counts.
        let since = days.map { today.adding(days: -$0).midday(in: desk.timeZone) } ?? .distantPast
        let checked = shops.filter { (last[$0] ?? .distantPast) > since }.count
        let (due, _) = due(today: today, shops: members, last: last)
        let queued = try await Job.query(on: db).filter(\.$kind == Self.runJob).filter(\.$statusRaw ~~ [Job.Status.queued.rawValue, Job.Status.running.rawValue]).count()
        let failed = try await SiteCheck.query(on: db).filter(\.$checkedAt > since).filter(\.$failure != nil).count()
        let regressed = try await SiteCheck.query(on: db).filter(\.$checkedAt > since).filter(\.$regressions != "").count()
        return SiteCheckProgress(intervalDays: days, shops: shops.count, checked: checked, toDo: shops.count - checked, dueToday: due.count, queued: queued,
                                 couldNotCheck: failed, regressions: regressed)
    }

    func runs(shop: UUID?, failed: Bool, paging: Paging) async throws -> PagedList<SiteCheck> {
        var query = SiteCheck.query(on: db)
        if let shop { query = query.filter(\.$shop.$id == shop) }
        if failed { query = query.filter(\.$failure != nil) }
        let total = try await query.copy().count()
        let rows = try await query.sort(\.$checkedAt, .descending).range(paging.offset..<(paging.offset + paging.size)).with(\.$shop).all()
        return PagedList(items: rows, request: paging, total: total)
    }

    func run(_ id: String?) async throws -> SiteCheck {
        guard let id = id.flatMap(UUID.init(uuidString:)), let row = try await SiteCheck.query(on: db).filter(\.$id == id).with(\.$shop).first() else {
            throw AppError.notFound
        }
        return row
    }

    /// A check staff ask for now: a shop of ours (by id or one of its domains) or any site.
    func checkNow(shop: String?, url: String?) async throws -> SiteCheck {
        if let shop = shop?.trimmingWhitespace(), !shop.isEmpty {
            if let id = UUID(uuidString: shop) { return try await check(shop: id, reason: .manual) }
            guard let domain = try await ShopDomain.query(on: db).filter(\.$domain == DomainName.normalise(shop)).filter(\.$releasedAt == nil).first() else {
                throw AppError.invalid("shop", "sanction_shop_unknown")
            }
            return try await check(shop: domain.$shop.id, reason: .manual)
        }
        return try await check(url: url ?? "")
    }
}

/// `/api/v1/site-checks`: the website checker's runs and the round's progress, for inspectors and
/// administrators.
struct SiteCheckAPI: Sendable {
    let service: SiteCheckService
    static let staff: Set<Role> = [.admin, .inspector]

    func register(on routes: RouteTable) {
        routes.get("/api/v1/site-checks", .roles(Self.staff), api: APIDoc("The website checker's runs, newest first", tag: "site-checks", response: "SiteCheckList",
                                                                         query: ["shopId", "failed", "page", "size"], errors: [401, 403])) { request, _ in
            let query = request.uri.queryParameters
            let list = try await service.runs(shop: query["shopId"].flatMap { UUID(uuidString: String($0)) }, failed: query["failed"] == "true",
                                              paging: Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) }))
            return JSONBody.response(ListDTO(items: list.items.map { SiteCheckDTO($0, full: false) }, page: list.page, size: list.size, total: list.total,
                                             pageCount: list.pageCount))
        }
        routes.get("/api/v1/site-checks/progress", .roles(Self.staff), api: APIDoc("The round of re-checks: shops checked within the scheme's interval, to do, failures",
                                                                                  tag: "site-checks", response: "SiteCheckProgress", errors: [401, 403])) { _, _ in
            JSONBody.response(try await service.progress())
        }
        routes.get("/api/v1/site-checks/{id}", .roles(Self.staff), api: APIDoc("One run with every check's outcome and evidence", tag: "site-checks",
                                                                              response: "SiteCheck", errors: [401, 403, 404])) { _, context in
            JSONBody.response(SiteCheckDTO(try await service.run(context.parameters.get("id")), full: true))
        }
        routes.post("/api/v1/misuse-scans", .roles(Self.staff), api: APIDoc("Look at a page for the trustmark's seal or logo now; a seal of one of our shops opens its misuse case",
                                                                           tag: "seal", request: "MisuseScanRequest", response: "MisuseScan", status: 201,
                                                                           errors: [401, 403, 422])) { request, context in
            let body = try await JSONBody.decode(MisuseScanRequest.self, from: request, context: context)
            return JSONBody.response(try await service.scanMisuse(url: body.url), status: .created)
        }
        routes.post("/api/v1/site-checks", .roles(Self.staff), api: APIDoc("Check a shop (shopId) or any site (url) now; answers when the run is done",
                                                                          tag: "site-checks", request: "SiteCheckRequest", response: "SiteCheck", status: 201,
                                                                          errors: [401, 403, 404, 422])) { request, context in
            let body = try await JSONBody.decode(SiteCheckRequest.self, from: request, context: context)
            let row = try await service.checkNow(shop: body.shopId?.uuidString, url: body.url)
            return JSONBody.response(SiteCheckDTO(row, full: true), status: .created)
        }
    }
}
