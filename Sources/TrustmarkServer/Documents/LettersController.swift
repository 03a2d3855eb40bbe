import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct LettersPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let id: String
        let created: String
        let kind: String
        let recipient: String
        let subject: String
        let registered: Bool
        let sentOn: String?
        let awaitingPost: Bool
        let error: String?
    }

    let chrome: PageChrome
    let rows: [Row]
    let canTest: Bool
    let today: String
}

/// Staff see every official letter, download its PDF, and record when registered post left.
struct LettersController: Sendable {
    let letters: LettersService
    let renderer: Renderer
    let scheme: Scheme

    func register(on routes: RouteTable) {
        routes.get("/staff/letters", .roles(Role.staff)) { _, context in try await page(context, errors: [:]) }
        routes.get("/staff/letters/{id}/pdf", .roles(Role.staff)) { _, context in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let row = try await LetterRow.find(id, on: letters.storage.db) else {
                throw AppError.notFound
            }
            return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"letter-\(id.uuidString.prefix(8)).pdf\"", .cacheControl: "private, no-store"],
                            body: .init(byteBuffer: .init(data: row.pdf)))
        }
        // A member reads the letters addressed to its own organisation.
        routes.get("/portal/letters/{id}/pdf", .roles([.member])) { _, context in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let row = try await LetterRow.find(id, on: letters.storage.db),
                  let organisation = row.organisationID, organisation == context.identity?.organisationID else { throw AppError.notFound }
            return Response.download([UInt8](row.pdf), type: "application/pdf", name: "\(row.kind)-\(id.uuidString.prefix(8)).pdf")
        }
        routes.post("/staff/letters/{id}/sent", .roles(Role.staff)) { request, context in
            let input = try await FormInput.parse(request, context: context)
            guard let identity = context.identity, let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
            do {
                try await letters.markSent(id, on: input.fields["sent_on"] ?? "", by: identity)
                return .seeOther("/staff/letters")
            } catch let error as AppError where error.field != nil {
                return try await page(context, errors: [id.uuidString: renderer.localizer.text(error.messageKey, context.locale, error.arguments)], status: .unprocessableContent)
            }
        }
        routes.post("/staff/letters/test", .roles([.admin])) { request, context in
            _ = try await FormInput.parse(request, context: context)
            guard let identity = context.identity else { throw AppError.unauthenticated }
            let t = { (key: String) in renderer.localizer.text(key, context.locale, ["scheme": scheme.name]) }
            let letter = DocumentWriter.Letter(recipient: identity.displayName, address: [identity.email], subject: t("letter_test_subject"),
                                               paragraphs: [t("letter_test_body")], registered: true, date: letters.clock.now())
            try await letters.storage.db.transaction { db in
                _ = try await letters.create(kind: "test", letter: letter, locale: context.locale, organisationID: nil, by: .init(identity), on: db)
            }
            return .seeOther("/staff/letters")
        }
    }

    private func page(_ context: AppRequestContext, errors: [String: String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let rows = try await LetterRow.query(on: letters.storage.db).sort(\.$createdAt, .descending).limit(200).all()
        let day = { (date: Date) in DateText.day(date, locale: context.locale, timeZone: letters.timeZone) }
        let page = LettersPage(
            chrome: renderer.chrome(context, titleKey: "letters_title", path: "/staff/letters"),
            rows: rows.map { row in
                LettersPage.Row(id: row.id?.uuidString ?? "", created: day(row.createdAt), kind: row.kind, recipient: row.recipient, subject: row.subject,
                                registered: row.registered, sentOn: row.sentOn, awaitingPost: row.registered && row.sentOn == nil, error: errors[row.id?.uuidString ?? ""])
            },
            canTest: context.role == .admin, today: Day(letters.clock.now(), in: letters.timeZone).description)
        return renderer.render("letters/list", page, context: context, status: status)
    }
}
