import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

struct PasswordChangeRequest: Codable, Sendable {
    let currentPassword: String
    let newPassword: String
}

struct PasswordResetRequest: Codable, Sendable { let email: String }
struct LetterSentRequest: Codable, Sendable { let sentOn: String }
struct ComplaintTemplateRequest: Codable, Sendable {
    let title: String
    let locale: String
    let body: String
}

struct JobDTO: Codable, Sendable {
    let id: UUID
    let kind: String
    let status: String
    let runAt: Date
    let attempts: Int
    let maxAttempts: Int
    let lastError: String?
}

struct LetterDTO: Codable, Sendable {
    let id: UUID
    let kind: String
    let organisationId: UUID?
    let recipient: String
    let subject: String
    let locale: String
    let registered: Bool
    let sha256: String
    let createdAt: Date
    let sentOn: String?
}

struct OutboxDTO: Codable, Sendable {
    let id: UUID
    let createdAt: Date
    let recipient: String
    let subject: String
    let kind: String
    let locale: String
    let deliveredAt: Date?
    let attempts: Int
    let lastError: String?
}

struct RecordEntryDTO: Codable, Sendable {
    let sequence: Int
    let at: Date
    let actorId: UUID?
    let actorRole: String
    let action: String
    let subjectType: String
    let subjectId: String
    let before: String?
    let after: String?
    let entryHash: String?
}

struct ComplaintTemplateDTO: Codable, Sendable {
    let id: UUID
    let title: String
    let locale: String
    let body: String
}

/// The desk work people do on the staff and account pages, for programs: a password change and
/// reset, the job queue, letters and their posting day, the outbox, the record, answer templates.
struct DeskAPI: Sendable {
    let accounts: AccountsService
    let queue: JobQueue
    let letters: LettersService
    let complaints: ComplaintsService

    var db: any Database { accounts.storage.db }

    func register(on routes: RouteTable) {
        routes.post("/api/v1/me/password", .signedIn, api: APIDoc("Change your password (the current one is needed)", tag: "users",
                                                                  request: "PasswordChangeRequest", response: "User", errors: [422])) { request, context in
            let body = try await JSONBody.decode(PasswordChangeRequest.self, from: request, context: context)
            let identity = try context.requireIdentity()
            guard identity.apiKey == nil else { throw AppError.forbidden }
            try await accounts.changePassword(identity: identity, current: body.currentPassword, new: body.newPassword, confirmation: body.newPassword)
            guard let user = try await User.find(identity.userID, on: db) else { throw AppError.unauthenticated }
            return JSONBody.response(UserDTO(user))
        }
        routes.post("/api/v1/auth/password-reset", .everyone, api: APIDoc("Mail a reset link to this address if it has an account (the answer is the same either way)",
                                                                          tag: "users", request: "PasswordResetRequest", response: "Accepted", status: 202,
                                                                          errors: [422])) { request, context in
            let body = try await JSONBody.decode(PasswordResetRequest.self, from: request, context: context)
            let email = EmailAddress.normalise(body.email)
            guard EmailAddress.isValid(email) else { throw AppError.invalid("email", "validation_email") }
            try await accounts.requestPasswordReset(email: email, locale: context.locale)
            return JSONBody.response(["status": "accepted"], status: .accepted)
        }
        routes.get("/api/v1/jobs", .roles([.admin]), api: APIDoc("The job queue: failed (newest first) or waiting (next first)", tag: "operations",
                                                                response: "JobList", query: ["status"], errors: [422])) { request, _ in
            let status = request.uri.queryParameters["status"].map(String.init) ?? "failed"
            guard let wanted = Job.Status(rawValue: status) else { throw AppError.invalid("status", "validation_choice") }
            let query = Job.query(on: db).filter(\.$statusRaw == wanted.rawValue)
            let rows = wanted == .failed ? try await query.sort(\.$finishedAt, .descending).limit(100).all() : try await query.sort(\.$runAt).limit(100).all()
            return JSONBody.response(ListDTO(all: rows.map {
                JobDTO(id: $0.id ?? UUID(), kind: $0.kind, status: $0.statusRaw, runAt: $0.runAt, attempts: $0.attempts, maxAttempts: $0.maxAttempts, lastError: $0.lastError)
            }))
        }
        routes.post("/api/v1/jobs/{id}/retry", .roles([.admin]), api: APIDoc("Run a failed job again now", tag: "operations", response: "Accepted",
                                                                            status: 202, errors: [404])) { _, context in
            try await queue.retry(try context.requireID())
            return JSONBody.response(["status": "queued"], status: .accepted)
        }
        routes.get("/api/v1/letters", .roles(Role.staff), api: APIDoc("Letters made, newest first; registered ones with their posting day", tag: "operations",
                                                                     response: "LetterList")) { _, _ in
            let rows = try await LetterRow.query(on: db).sort(\.$createdAt, .descending).limit(200).all()
            return JSONBody.response(ListDTO(all: rows.map {
                LetterDTO(id: $0.id ?? UUID(), kind: $0.kind, organisationId: $0.organisationID, recipient: $0.recipient, subject: $0.subject, locale: $0.locale,
                          registered: $0.registered, sha256: $0.sha256, createdAt: $0.createdAt, sentOn: $0.sentOn)
            }))
        }
        routes.get("/api/v1/letters/{id}/pdf", .roles(Role.staff), api: APIDoc("A letter as it was made (PDF)", tag: "operations", errors: [404])) { _, context in
            guard let row = try await LetterRow.find(try context.requireID(), on: db) else { throw AppError.notFound }
            return Response.download([UInt8](row.pdf), type: "application/pdf", name: "\(row.kind)-\(row.id?.uuidString.prefix(8) ?? "").pdf")
        }
        routes.post("/api/v1/letters/{id}/sent", .roles(Role.staff), api: APIDoc("Record the day a registered letter was posted", tag: "operations",
                                                                                request: "LetterSentRequest", response: "Accepted", errors: [404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(LetterSentRequest.self, from: request, context: context)
            try await letters.markSent(try context.requireID(), on: body.sentOn, by: try context.requireIdentity())
            return JSONBody.response(["status": "sent"])
        }
        routes.get("/api/v1/outbox", .roles([.admin]), api: APIDoc("Mail made, newest first, with delivery and the last error", tag: "operations",
                                                                  response: "OutboxList")) { _, _ in
            let rows = try await OutboxMessage.query(on: db).sort(\.$createdAt, .descending).limit(100).all()
            return JSONBody.response(ListDTO(all: rows.map {
                OutboxDTO(id: $0.id ?? UUID(), createdAt: $0.createdAt, recipient: $0.recipient, subject: $0.subject, kind: $0.kind, locale: $0.locale,
                          deliveredAt: $0.deliveredAt, attempts: $0.attempts, lastError: $0.lastError)
            }))
        }
        routes.get("/api/v1/record", .roles(Role.staff), api: APIDoc("The record of decisions, newest first; by subject", tag: "operations", response: "RecordList",
                                                                    query: ["subjectType", "subjectId", "page", "size"])) { request, _ in
            let query = request.uri.queryParameters
            let paging = Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) })
            let (rows, total) = try await RecordController.entries(subjectType: query["subjectType"].map(String.init) ?? "",
                                                                  subjectID: query["subjectId"].map(String.init) ?? "", paging: paging, on: db)
            return JSONBody.response(ListDTO(PagedList(items: rows.map {
                RecordEntryDTO(sequence: $0.sequence ?? 0, at: $0.at, actorId: $0.actorID, actorRole: $0.actorRole, action: $0.action, subjectType: $0.subjectType,
                               subjectId: $0.subjectID, before: $0.before, after: $0.after, entryHash: $0.entryHash)
            }, request: paging, total: total)))
        }
        routes.get("/api/v1/complaint-templates", .roles([.admin, .mediator]), api: APIDoc("Answer templates for mediators", tag: "complaints",
                                                                                         response: "ComplaintTemplateList")) { _, _ in
            JSONBody.response(ListDTO(all: try await complaints.templates().map(Self.template)))
        }
        routes.post("/api/v1/complaint-templates", .roles([.admin, .mediator]), api: APIDoc("Add an answer template", tag: "complaints",
                                                                                          request: "ComplaintTemplateRequest", response: "ComplaintTemplateList",
                                                                                          status: 201, errors: [422])) { request, context in
            let body = try await JSONBody.decode(ComplaintTemplateRequest.self, from: request, context: context)
            try await complaints.addTemplate(title: body.title, locale: body.locale, body: body.body, staff: try context.requireIdentity())
            return JSONBody.response(ListDTO(all: try await complaints.templates().map(Self.template)), status: .created)
        }
        routes.post("/api/v1/complaint-templates/{id}/deletion", .roles([.admin, .mediator]), api: APIDoc("Remove an answer template", tag: "complaints",
                                                                                                        response: "ComplaintTemplateList", errors: [404])) { _, context in
            try await complaints.removeTemplate(context.parameters.get("id"), staff: try context.requireIdentity())
            return JSONBody.response(ListDTO(all: try await complaints.templates().map(Self.template)))
        }
    }

    static func template(_ row: ComplaintTemplate) -> ComplaintTemplateDTO {
        ComplaintTemplateDTO(id: row.id ?? UUID(), title: row.title, locale: row.locale, body: row.body)
    }
}
