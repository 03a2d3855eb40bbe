import FluentKit
import Foundation
import TrustmarkCore

/// The mediators' standard answers, one per language, picked on the complaint page.
extension ComplaintsService {
    func templates(locale: AppLocale? = nil) async throws -> [ComplaintTemplate] {
        var query = ComplaintTemplate.query(on: desk.storage.db)
        if let locale { query = query.filter(\.$locale == locale.rawValue) }
        return try await query.sort(\.$title).all()
    }

    func addTemplate(title rawTitle: String, locale rawLocale: String, body rawBody: String, staff: Identity) async throws {
        var errors = FormErrors()
        let title = rawTitle.trimmingWhitespace(), body = rawBody.trimmingWhitespace()
        if title.isEmpty { errors.add(.invalid("title", "validation_required")) }
        if title.count > 120 { errors.add(.invalid("title", "validation_too_long", ["max": "120"])) }
        if body.isEmpty { errors.add(.invalid("body", "validation_required")) }
        if body.count > 10_000 { errors.add(.invalid("body", "validation_too_long", ["max": "10000"])) }
        guard let locale = AppLocale(rawValue: rawLocale) else { throw AppError.invalid("locale", "validation_choice") }
        try errors.throwIfAny()
        let row = ComplaintTemplate()
        row.title = title
        row.locale = locale.rawValue
        row.body = body
        row.createdAt = desk.clock.now()
        try await desk.storage.db.transaction { db in
            try await row.create(on: db)
            try await Record.append(on: db, at: row.createdAt, actor: Record.Actor(staff), action: "complaint_template.added", subjectType: "complaint_template",
                                    subjectID: try row.requireID().uuidString, after: ["title": title, "locale": locale.rawValue])
        }
    }

    func removeTemplate(_ rawID: String?, staff: Identity) async throws {
        guard let id = rawID.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        try await desk.storage.db.transaction { db in
            guard let row = try await ComplaintTemplate.find(id, on: db) else { throw AppError.notFound }
            try await row.delete(on: db)
            try await Record.append(on: db, at: desk.clock.now(), actor: Record.Actor(staff), action: "complaint_template.removed",
                                    subjectType: "complaint_template", subjectID: id.uuidString, after: ["title": row.title])
        }
    }
}
