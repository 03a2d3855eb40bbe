import Foundation
import Hummingbird
import TrustmarkCore

/// A complaint sent through the API; files come base64-encoded.
struct ComplaintRequest: Codable, Sendable {
    struct File: Codable, Sendable {
        let filename: String
        let data: String
    }

    var about: String?
    var shop: String?
    let consumerName: String
    let consumerEmail: String
    let consumerCountry: String
    var language: String?
    var sector: String?
    var orderNumber: String?
    var orderDate: String?
    var contactedShopOn: String?
    var contactChannel: String?
    var shopAnswered: Bool?
    let description: String
    var wish: String?
    var attachments: [File]?
}

struct ComplaintMessageRequest: Codable, Sendable {
    let body: String
    var internalNote: Bool?
    var proposal: Bool?
    var attachments: [ComplaintRequest.File]?
}

struct ComplaintConfirmRequest: Codable, Sendable { let token: String }
struct ComplaintAssignRequest: Codable, Sendable { let mediatorId: UUID? }
struct ComplaintConsumerStepRequest: Codable, Sendable {
    let to: String
    var reason: String?
}

struct ComplaintConfirmed: Codable, Sendable {
    let id: UUID
    let reference: String
    let state: String
}

struct SanctionProposalDTO: Codable, Sendable {
    let id: UUID
    let shop: String?
    let organisationId: UUID
    let source: String
    let reason: String
    let evidence: [String]
    let raisedAt: Date
}

/// `/api/v1/complaints`: intake and confirmation for consumers; lists, details, answers, messages
/// and steps for the shop (its own complaints) and the mediators; the consumer's own operations
/// with the key from their link.
struct ComplaintsAPI: Sendable {
    let complaints: ComplaintsService

    static let staff: Set<Role> = [.admin, .mediator]
    static let parties: Set<Role> = [.admin, .mediator, .member]

    var bodyLimit: Int { complaints.files.jsonLimit }

    static func files(_ list: [ComplaintRequest.File]?) throws -> [IncomingFile] {
        try (list ?? []).enumerated().map { index, file in
            guard let data = Data(base64Encoded: file.data, options: .ignoreUnknownCharacters) else {
                throw AppError.invalid("attachments.\(index).data", "attachment_base64")
            }
            return IncomingFile(filename: file.filename, declaredType: nil, data: Array(data))
        }
    }

    static func viewer(_ context: AppRequestContext) throws -> ComplaintsService.Viewer {
        let identity = try context.requireIdentity()
        return identity.role == .member ? .member(identity) : .staff(identity)
    }

    func register(on routes: RouteTable) {
        routes.post("/api/v1/complaints", .everyone, api: APIDoc("File a complaint (a confirmation mail goes to the consumer)", tag: "complaints",
                                                                 request: "ComplaintRequest", response: "ComplaintIntakeReceipt", status: 202,
                                                                 errors: [413, 415, 422])) { request, context in
            let body = try await JSONBody.decode(ComplaintRequest.self, from: request, context: context, limit: bodyLimit)
            var filing = ComplaintFiling()
            guard let subject = ComplaintSubject(rawValue: body.about ?? "shop") else { throw AppError.invalid("about", "validation_choice") }
            filing.subject = subject
            filing.shop = body.shop ?? ""
            filing.consumerName = body.consumerName
            filing.consumerEmail = body.consumerEmail
            filing.consumerCountry = body.consumerCountry
            filing.locale = body.language.flatMap(AppLocale.init) ?? context.locale
            filing.readerLocale = context.locale
            filing.sector = body.sector
            filing.orderNumber = body.orderNumber ?? ""
            filing.orderDate = body.orderDate ?? ""
            filing.contactedShopOn = body.contactedShopOn ?? ""
            filing.contactChannel = body.contactChannel ?? ""
            filing.shopAnswered = body.shopAnswered ?? false
            filing.description = body.description
            filing.wish = body.wish ?? ""
            filing.files = try Self.files(body.attachments)
            return JSONBody.response(try await complaints.file(filing, source: "api"), status: .accepted)
        }
        routes.post("/api/v1/complaints/confirmations", .everyone, api: APIDoc("Confirm a complaint with the token from the mail", tag: "complaints",
                                                                               request: "ComplaintConfirmRequest", response: "ComplaintConfirmed",
                                                                               errors: [404, 409, 410])) { request, context in
            let body = try await JSONBody.decode(ComplaintConfirmRequest.self, from: request, context: context)
            let complaint = try await complaints.confirm(token: body.token)
            return JSONBody.response(ComplaintConfirmed(id: try complaint.requireID(), reference: complaint.reference ?? "", state: complaint.stateRaw))
        }
        routes.get("/api/v1/complaints", .roles(Self.parties), api: APIDoc("Complaints: a member's own, or the staff queues", tag: "complaints",
                                                                          response: "ComplaintList", query: ["state", "queue", "page", "size"], scope: .complaintsRead)) { request, context in
            let query = request.uri.queryParameters
            let list = try await complaints.list(for: try Self.viewer(context), state: query["state"].map(String.init), queue: query["queue"].map(String.init),
                                                 paging: Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) }), locale: context.locale)
            return JSONBody.response(ListDTO(list))
        }
        routes.get("/api/v1/complaints/{id}", .roles(Self.parties), api: APIDoc("One complaint with its thread, deadlines and timeline", tag: "complaints",
                                                                              response: "Complaint", errors: [404], scope: .complaintsRead)) { _, context in
            try await detail(context.parameters.get("id"), viewer: try Self.viewer(context), context: context)
        }
        routes.post("/api/v1/complaints/{id}/messages", .roles(Self.parties), api: APIDoc("Add a message (staff: also internal notes)", tag: "complaints",
                                                                                        request: "ComplaintMessageRequest", response: "Complaint", status: 201,
                                                                                        errors: [404, 409, 413, 415, 422], scope: .complaintsAnswer)) { request, context in
            let body = try await JSONBody.decode(ComplaintMessageRequest.self, from: request, context: context, limit: bodyLimit)
            let viewer = try Self.viewer(context)
            if viewer.party == .shop, body.proposal == true {
                _ = try await complaints.answer(context.parameters.get("id"), member: try context.requireIdentity(), body: body.body, proposal: true,
                                                files: try Self.files(body.attachments))
            } else {
                try await complaints.post(context.parameters.get("id"), as: viewer, body: body.body, staffOnly: body.internalNote ?? false,
                                          files: try Self.files(body.attachments))
            }
            return try await detail(context.parameters.get("id"), viewer: viewer, context: context, status: .created)
        }
        routes.post("/api/v1/complaints/{id}/answer", .roles([.member]), api: APIDoc("The shop's answer (moves a forwarded complaint to answered)",
                                                                                     tag: "complaints", request: "ComplaintMessageRequest", response: "Complaint",
                                                                                     errors: [404, 409, 413, 415, 422], scope: .complaintsAnswer)) { request, context in
            let body = try await JSONBody.decode(ComplaintMessageRequest.self, from: request, context: context, limit: bodyLimit)
            let identity = try context.requireIdentity()
            _ = try await complaints.answer(context.parameters.get("id"), member: identity, body: body.body, proposal: body.proposal ?? false,
                                            files: try Self.files(body.attachments))
            return try await detail(context.parameters.get("id"), viewer: .member(identity), context: context)
        }
        routes.post("/api/v1/complaints/{id}/transitions", .roles(Self.staff), api: APIDoc("A mediator's step; a step the workflow forbids is a 409 naming the allowed ones",
                                                                                          tag: "complaints", request: "ComplaintTransitionRequest", response: "Complaint",
                                                                                          errors: [404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(ComplaintTransitionRequest.self, from: request, context: context)
            let identity = try context.requireIdentity()
            _ = try await complaints.mediatorStep(context.parameters.get("id"), staff: identity, request: body)
            return try await detail(context.parameters.get("id"), viewer: .staff(identity), context: context)
        }
        routes.post("/api/v1/complaints/{id}/assignment", .roles(Self.staff), api: APIDoc("Assign the complaint to a mediator (null: nobody)", tag: "complaints",
                                                                                         request: "ComplaintAssignRequest", status: 204, errors: [404, 422])) { request, context in
            let body = try await JSONBody.decode(ComplaintAssignRequest.self, from: request, context: context)
            try await complaints.assign(context.parameters.get("id"), staff: try context.requireIdentity(), to: body.mediatorId)
            return Response(status: .noContent)
        }
        routes.post("/api/v1/complaints/{id}/questions", .roles(Self.staff), api: APIDoc("Ask the consumer something; the trustmark's deadline pauses until they answer",
                                                                                        tag: "complaints", request: "ComplaintMessageRequest", response: "Complaint",
                                                                                        errors: [404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(ComplaintMessageRequest.self, from: request, context: context)
            let identity = try context.requireIdentity()
            try await complaints.askConsumer(context.parameters.get("id"), staff: identity, body: body.body)
            return try await detail(context.parameters.get("id"), viewer: .staff(identity), context: context)
        }
        routes.get("/api/v1/complaints/{id}/dossier.pdf", .roles(Self.staff), api: APIDoc("The dossier for the dispute committee (PDF)", tag: "complaints",
                                                                                         errors: [404])) { _, context in
            let (name, pdf) = try await complaints.dossier(context.parameters.get("id"), staff: try context.requireIdentity())
            return Response.download(Array(pdf), type: "application/pdf", name: name)
        }
        routes.get("/api/v1/complaints/{id}/attachments.zip", .roles(Self.staff), api: APIDoc("Every shared attachment as one ZIP", tag: "complaints",
                                                                                             errors: [404])) { _, context in
            let (name, zip) = try await complaints.attachmentsArchive(context.parameters.get("id"), staff: try context.requireIdentity())
            return Response.download(zip, type: "application/zip", name: name)
        }
        routes.get("/api/v1/complaints/{id}/files/{file}", .roles(Self.parties), api: APIDoc("An attached file", tag: "complaints", errors: [404], scope: .complaintsRead)) { _, context in
            let (row, bytes) = try await complaints.attachment(context.parameters.get("id"), file: context.parameters.get("file"), for: try Self.viewer(context))
            return Response.download(bytes, type: row.mediaType, name: row.filename)
        }
        routes.post("/api/v1/complaints/registrations", .roles(Self.staff), api: APIDoc("Register a complaint from a forwarded mail (body: the .eml as message/rfc822 or text/plain)",
                                                                                       tag: "complaints", request: "message/rfc822|text/plain", response: "Complaint", status: 201, query: ["shop"],
                                                                                       errors: [413, 415, 422])) { request, context in
            guard ["message/rfc822", "text/plain"].contains(MIMEReader.mainValue(request.headers[.contentType] ?? "").lowercased()) else {
                throw AppError.unsupportedMediaType
            }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: bodyLimit) } catch { throw AppError.tooLarge }
            let identity = try context.requireIdentity()
            let complaint = try await complaints.register(mail: Array(buffer.readableBytesView), shop: request.uri.queryParameters["shop"].map(String.init) ?? "",
                                                          staff: identity)
            return try await detail(try complaint.requireID().uuidString, viewer: .staff(identity), context: context, status: .created)
        }
        // The consumer's own operations, with the key from the link in their mails.
        routes.get("/api/v1/complaints/{id}/consumer", .everyone, api: APIDoc("The consumer's view of their complaint (key from the mail)", tag: "complaints",
                                                                             response: "Complaint", query: ["key"], errors: [404])) { request, context in
            let id = context.parameters.get("id")
            let key = request.uri.queryParameters["key"].map(String.init)
            try complaints.checkConsumerKey(key, id: id)
            return try await detail(id, viewer: .consumer, context: context, key: key)
        }
        routes.post("/api/v1/complaints/{id}/consumer/steps", .everyone, api: APIDoc("The consumer accepts the answer (resolved), asks for mediation, or withdraws (closed)",
                                                                                     tag: "complaints", request: "ComplaintConsumerStepRequest", response: "Complaint",
                                                                                     query: ["key"], errors: [404, 409, 422])) { request, context in
            let id = context.parameters.get("id")
            try complaints.checkConsumerKey(request.uri.queryParameters["key"].map(String.init), id: id)
            let body = try await JSONBody.decode(ComplaintConsumerStepRequest.self, from: request, context: context)
            guard let next = ComplaintState(rawValue: body.to) else { throw AppError.invalid("to", "validation_choice") }
            _ = try await complaints.consumerStep(id, to: next, reason: body.reason)
            return try await detail(id, viewer: .consumer, context: context, key: request.uri.queryParameters["key"].map(String.init))
        }
        routes.post("/api/v1/complaints/{id}/consumer/messages", .everyone, api: APIDoc("The consumer's message", tag: "complaints", request: "ComplaintMessageRequest",
                                                                                        response: "Complaint", status: 201, query: ["key"],
                                                                                        errors: [404, 409, 413, 415, 422])) { request, context in
            let id = context.parameters.get("id")
            try complaints.checkConsumerKey(request.uri.queryParameters["key"].map(String.init), id: id)
            let body = try await JSONBody.decode(ComplaintMessageRequest.self, from: request, context: context, limit: bodyLimit)
            try await complaints.post(id, as: .consumer, body: body.body, files: try Self.files(body.attachments))
            return try await detail(id, viewer: .consumer, context: context, key: request.uri.queryParameters["key"].map(String.init), status: .created)
        }
        routes.get("/api/v1/sanction-proposals", .roles([.admin]), api: APIDoc("Open sanction proposals with their evidence", tag: "complaints",
                                                                              response: "SanctionProposalList")) { _, _ in
            let items = try await complaints.proposals().map { row in
                SanctionProposalDTO(id: row.id ?? UUID(), shop: row.shop?.name, organisationId: row.organisationID, source: row.source, reason: row.reason,
                                    evidence: row.evidence.split(separator: "\n").map(String.init), raisedAt: row.raisedAt)
            }
            return JSONBody.response(ListDTO(all: items))
        }
    }

    /// The complaint as `viewer` sees it; the consumer's files are linked on their own page, with their key.
    func detail(_ id: String?, viewer: ComplaintsService.Viewer, context: AppRequestContext, key: String? = nil,
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let complaint = try await complaints.load(id, for: viewer, on: complaints.desk.storage.db)
        let lower = try complaint.requireID().uuidString.lowercased()
        let base = viewer.party == .consumer ? complaints.desk.baseURL + "/complaints/\(lower)" : "/api/v1/complaints/\(lower)"
        let view = try await complaints.view(complaint, for: viewer, locale: context.locale, attachmentBase: base, attachmentQuery: key.map { "?key=\($0)" } ?? "")
        return JSONBody.response(view, status: status)
    }
}
