import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct RecordPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let sequence: Int
        let at: String
        let actor: String
        let role: String
        let action: String
        let subject: String
        let subjectLink: String
        let before: String
        let after: String
        let schemeVersion: String
    }

    let chrome: PageChrome
    let rows: [Row]
    let subjectType: String
    let subjectID: String
    let filtered: Bool
    let pager: Pager
}

/// Staff browse the record, all of it or one subject's (a user, an organisation, a rule change;
/// shops, complaints and reviews join as those features arrive).
struct RecordController: Sendable {
    let storage: Storage
    let renderer: Renderer
    let timeZone: TimeZone

    func register(on routes: RouteTable) {
        routes.get("/staff/record", .roles(Role.staff)) { request, context in
            let type = request.uri.queryParameters["subject_type"].map(String.init) ?? ""
            let id = request.uri.queryParameters["subject_id"].map(String.init) ?? ""
            let paging = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: 50)
            var query = AuditEntry.query(on: storage.db)
            if !type.isEmpty { query = query.filter(\.$subjectType == type) }
            if !id.isEmpty { query = query.filter(\.$subjectID == id) }
            let total = try await query.count()
            let entries = try await query.sort(\.$sequence, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
            let actorIDs = Set(entries.compactMap(\.actorID))
            let actors = try await User.query(on: storage.db).filter(\.$id ~~ actorIDs).all()
            let versions = try await SchemeVersion.query(on: storage.db).all()
            let rows = entries.map { entry in
                RecordPage.Row(
                    sequence: entry.sequence ?? 0, at: DateText.moment(entry.at, timeZone: timeZone),
                    actor: actors.first { $0.id == entry.actorID }?.email ?? "-", role: entry.actorRole, action: entry.action,
                    subject: "\(entry.subjectType) \(entry.subjectID.prefix(8))",
                    subjectLink: "/staff/record?subject_type=\(entry.subjectType)&subject_id=\(entry.subjectID)",
                    before: entry.before ?? "", after: entry.after ?? "",
                    schemeVersion: versions.first { $0.id == entry.schemeVersionID }.map { "#\($0.sequence)" } ?? "")
            }
            let result = PagedList(items: rows, request: paging, total: total)
            let base = "/staff/record?subject_type=\(type)&subject_id=\(id)&page="
            let page = RecordPage(
                chrome: renderer.chrome(context, titleKey: "record_title", path: "/staff/record"), rows: rows, subjectType: type, subjectID: id,
                filtered: !type.isEmpty || !id.isEmpty,
                pager: Pager(result, base: base))
            return renderer.render("record/list", page, context: context)
        }
    }
}
