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

    /// A page of the record, newest first, of one subject when named (the staff page and the API).
    static func entries(subjectType: String, subjectID: String, paging: Paging, on db: any Database) async throws -> (entries: [AuditEntry], total: Int) {
        var query = AuditEntry.query(on: db)
        if !subjectType.isEmpty { query = query.filter(\.$subjectType == subjectType) }
        if !subjectID.isEmpty { query = query.filter(\.$subjectID == subjectID) }
        let total = try await query.count()
        return (try await query.sort(\.$sequence, .descending).range(paging.offset..<(paging.offset + paging.size)).all(), total)
    }

    func register(on routes: RouteTable) {
        routes.get("/staff/record", .roles(Role.staff)) { request, context in
            let type = request.uri.queryParameters["subject_type"].map(String.init) ?? ""
            let id = request.uri.queryParameters["subject_id"].map(String.init) ?? ""
            let paging = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: 50)
            let (entries, total) = try await Self.entries(subjectType: type, subjectID: id, paging: paging, on: storage.db)
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
