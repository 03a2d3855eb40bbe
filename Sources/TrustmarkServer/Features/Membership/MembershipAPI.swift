import FluentKit
import Foundation
import Hummingbird
import Logging
import TrustmarkCore

struct AssignmentRequest: Codable, Sendable { let inspectorId: UUID }
struct DeclarationRequest: Codable, Sendable { let conflict: Bool; let note: String? }
struct FindingsRequest: Codable, Sendable { let findings: [ApplicationsService.FindingInput] }
struct ReportRequest: Codable, Sendable { let summary: String }
struct DecisionRequest: Codable, Sendable { let decision: String; let note: String? }
struct SignatureRequest: Codable, Sendable { let name: String }
struct PaymentRequest: Codable, Sendable { let amount: String; let paidOn: String; let reference: String? }
struct CreditNoteRequest: Codable, Sendable { let reason: String }
struct WebhookPayment: Codable, Sendable { let invoiceNumber: String; let amount: String; let paidOn: String; let reference: String }

/// `/api/v1` for applications, audits, decisions, memberships, invoices and payments: the same use
/// cases as the pages, with the same checks.
struct MembershipAPI: Sendable {
    let applications: ApplicationsService
    let memberships: MembershipsService
    let views: MembershipViews
    let webhookSecret: String?
    let logger: Logger

    var desk: MembershipDesk { memberships.desk }
    var db: any Database { desk.storage.db }

    static let applicationReaders: Set<Role> = [.admin, .inspector, .finance, .member]
    static let invoiceReaders: Set<Role> = [.admin, .finance, .member]

    func register(on routes: RouteTable) {
        routes.post("/api/v1/applications", .everyone, api: APIDoc("Apply for the trustmark: organisation, contact, shops, acceptance of the code", tag: "membership", request: "ApplicationRequest", response: "Submitted", status: 201, errors: [400, 409, 422])) { request, context in
            let body = try await JSONBody.decode(ApplicationRequest.self, from: request, context: context)
            let submitted = try await applications.apply(body, locale: context.locale)
            let identity = Identity(userID: UUID(), email: "", displayName: "", role: .member, organisationID: submitted.organisation.id, proof: .bearerToken, credentialDigest: "")
            let dto = try await views.application(submitted.application, for: identity, on: db)
            return JSONBody.response(SubmittedDTO(application: dto, next: ApplicationPages.nextSteps(desk, context.locale)), status: .created)
        }
        routes.get("/api/v1/applications", .roles([.admin, .inspector, .finance]), api: APIDoc("Applications, oldest first; filter by state", tag: "membership", response: "ApplicationList", query: ["state", "page", "size"], errors: [401, 403])) { request, context in
            let actor = try context.requireIdentity()
            var query = MembershipApplication.query(on: db).sort(\.$stateChangedAt)
            if let state = request.uri.queryParameters["state"].map(String.init) { query = query.filter(\.$stateRaw == state) }
            if actor.role == .inspector { query = query.filter(\.$inspector.$id == actor.userID) }
            let paging = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: request.uri.queryParameters["size"].flatMap { Int($0) })
            let total = try await query.count()
            var items: [ApplicationDTO] = []
            for row in try await query.range(paging.offset..<(paging.offset + paging.size)).all() { items.append(try await views.application(row, for: actor, on: db)) }
            return JSONBody.response(ListDTO(items: items, page: paging.page, size: paging.size, total: total, pageCount: PagedList(items: items, request: paging, total: total).pageCount))
        }
        routes.get("/api/v1/applications/{id}", .roles(Self.applicationReaders), api: APIDoc("One application with its shops, findings and history", tag: "membership", response: "Application", errors: [401, 403, 404])) { _, context in
            let (application, actor) = try await readable(context)
            return JSONBody.response(try await views.application(application, for: actor, on: db))
        }
        routes.post("/api/v1/applications/{id}/assignment", .roles([.admin]), api: APIDoc("Assign an inspector", tag: "audit", request: "AssignmentRequest", status: 204, errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(AssignmentRequest.self, from: request, context: context)
            try await applications.assign(try context.requireID(), inspector: body.inspectorId, by: try context.requireIdentity())
            return Response(status: .noContent)
        }
        routes.post("/api/v1/applications/{id}/declaration", .roles([.inspector]), api: APIDoc("The assigned inspector declares a tie with the applicant, or none", tag: "audit", request: "DeclarationRequest", status: 204, errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(DeclarationRequest.self, from: request, context: context)
            try await applications.declare(try context.requireID(), conflict: body.conflict, note: body.note ?? "", by: try context.requireIdentity())
            return Response(status: .noContent)
        }
        routes.post("/api/v1/applications/{id}/findings", .roles([.inspector]), api: APIDoc("Record findings per shop and criterion", tag: "audit", request: "FindingsRequest", status: 204, errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(FindingsRequest.self, from: request, context: context)
            try await applications.record(try context.requireID(), findings: body.findings, by: try context.requireIdentity())
            return Response(status: .noContent)
        }
        routes.post("/api/v1/applications/{id}/report", .roles([.inspector]), api: APIDoc("Close the audit round with a report; failed criteria go to the applicant as a fix list", tag: "audit", request: "ReportRequest", response: "Application", errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(ReportRequest.self, from: request, context: context)
            let actor = try context.requireIdentity()
            _ = try await applications.completeReport(try context.requireID(), summary: body.summary, by: actor)
            return JSONBody.response(try await views.application(try await applications.find(try context.requireID(), on: db), for: actor, on: db))
        }
        routes.post("/api/v1/applications/{id}/recheck", .roles([.member]), api: APIDoc("The applicant has fixed the findings and asks for the free re-check", tag: "audit", status: 204, errors: [401, 403, 404, 409])) { _, context in
            try await applications.requestRecheck(try context.requireID(), by: try context.requireIdentity())
            return Response(status: .noContent)
        }
        routes.post("/api/v1/applications/{id}/decision", .roles([.admin, .inspector]), api: APIDoc("Approve, request changes or reject (rejection is never public)", tag: "membership", request: "DecisionRequest", response: "Application", errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(DecisionRequest.self, from: request, context: context)
            guard let decision = ApplicationsService.Decision(rawValue: body.decision) else { throw AppError.invalid("decision", "validation_choice") }
            let actor = try context.requireIdentity()
            let application = try await applications.decide(try context.requireID(), decision, note: body.note ?? "", by: actor)
            return JSONBody.response(try await views.application(application, for: actor, on: db))
        }
        routes.post("/api/v1/applications/{id}/cancellation", .roles([.admin, .member]), api: APIDoc("Cancel an approved application before membership starts (the scheme's listing and fee apply)", tag: "membership", status: 204, errors: [401, 403, 404, 409])) { _, context in
            let actor = try context.requireIdentity()
            try await desk.storage.db.transaction { db in
                let application = try await applications.find(try context.requireID(), on: db)
                try desk.checkOwn(application.$organisation.id, actor)
                try await memberships.cancel(application, event: .applicationCancelled, by: .init(actor), on: db)
            }
            return Response(status: .noContent)
        }
        routes.get("/api/v1/memberships/{id}", .roles([.admin, .finance, .member]), api: APIDoc("A membership: standing, contract, shops and whether each may show the seal", tag: "membership", response: "Membership", errors: [401, 403, 404])) { _, context in
            let membership = try await ownMembership(context)
            return JSONBody.response(try await views.membership(membership, on: db))
        }
        routes.get("/api/v1/memberships/{id}/contract", .roles([.admin, .member]), api: APIDoc("The contract as PDF", tag: "membership", errors: [401, 403, 404])) { _, context in
            let membership = try await ownMembership(context)
            guard let pdf = membership.contractPDF else { throw AppError.notFound }
            return MembershipPages.pdf(pdf, name: "contract")
        }
        routes.post("/api/v1/memberships/{id}/contract/signature", .roles([.member]), api: APIDoc("Sign the contract online (name, time, address and the document's hash are kept)", tag: "membership", request: "SignatureRequest", response: "Membership", errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SignatureRequest.self, from: request, context: context)
            let membership = try await memberships.sign(try context.requireID(), name: body.name, address: ClientAddress.claimed(request, context), by: try context.requireIdentity())
            return JSONBody.response(try await views.membership(membership, on: db))
        }
        routes.post("/api/v1/memberships/{id}/contract/countersignature", .roles([.admin]), api: APIDoc("Countersign the contract for the trustmark", tag: "membership", response: "Membership", errors: [401, 403, 404, 409])) { _, context in
            let membership = try await memberships.countersign(try context.requireID(), by: try context.requireIdentity())
            return JSONBody.response(try await views.membership(membership, on: db))
        }
        routes.post("/api/v1/memberships/{id}/termination", .roles([.admin, .member]), api: APIDoc("End the membership (no refund, never listed)", tag: "membership", response: "Membership", errors: [401, 403, 404, 409])) { _, context in
            let found = try await ownMembership(context)
            let membership = try await memberships.terminate(organisation: found.$organisation.id, by: try context.requireIdentity())
            return JSONBody.response(try await views.membership(membership, on: db))
        }
        routes.post("/api/v1/memberships/{id}/bankruptcy", .roles([.admin]), api: APIDoc("Record bankruptcy: the membership ends at once (listed where the scheme says)", tag: "membership", status: 204, errors: [401, 403, 404, 409])) { _, context in
            let membership = try await ownMembership(context)
            try await memberships.bankruptcy(organisation: membership.$organisation.id, by: try context.requireIdentity())
            return Response(status: .noContent)
        }
        routes.post("/api/v1/memberships/{id}/shops", .roles([.member]), api: APIDoc("Add a shop: its own inspection and the extra-shop fee", tag: "membership", request: "ShopRequest", response: "Application", status: 201, errors: [401, 403, 404, 409, 422])) { request, context in
            let membership = try await ownMembership(context)
            let body = try await JSONBody.decode(ApplicationRequest.ShopPart.self, from: request, context: context)
            let actor = try context.requireIdentity()
            let application = try await memberships.addShop(organisation: membership.$organisation.id, body, applications: applications, by: actor)
            return JSONBody.response(try await views.application(application, for: actor, on: db), status: .created)
        }
        routes.post("/api/v1/memberships/{id}/registration", .roles([.member]), api: APIDoc("Update the registration data (the scheme re-checks the member)", tag: "membership", request: "RegistrationRequest", status: 204, errors: [401, 403, 404, 422])) { request, context in
            let membership = try await ownMembership(context)
            let body = try await JSONBody.decode(ApplicationRequest.OrganisationPart.self, from: request, context: context)
            _ = try await memberships.updateRegistration(organisation: membership.$organisation.id, body, applications: applications, by: try context.requireIdentity())
            return Response(status: .noContent)
        }
        routes.get("/api/v1/invoices", .roles(Self.invoiceReaders), api: APIDoc("Invoices and credit notes, newest first (a member sees its own)", tag: "invoices", response: "InvoiceList", query: ["status", "page", "size"], errors: [401, 403])) { request, context in
            let actor = try context.requireIdentity()
            var query = Invoice.query(on: db).sort(\.$year, .descending).sort(\.$sequence, .descending)
            if actor.role == .member { query = query.filter(\.$organisation.$id == (actor.organisationID ?? UUID())) }
            if let status = request.uri.queryParameters["status"].map(String.init) { query = query.filter(\.$statusRaw == status) }
            let paging = Paging(page: request.uri.queryParameters["page"].flatMap { Int($0) }, size: request.uri.queryParameters["size"].flatMap { Int($0) })
            let total = try await query.count()
            let items = try await views.invoices(try await query.range(paging.offset..<(paging.offset + paging.size)).all(), on: db)
            return JSONBody.response(ListDTO(items: items, page: paging.page, size: paging.size, total: total, pageCount: PagedList(items: items, request: paging, total: total).pageCount))
        }
        routes.get("/api/v1/invoices/{id}", .roles(Self.invoiceReaders), api: APIDoc("One invoice with its lines, payments and what is still open", tag: "invoices", response: "Invoice", errors: [401, 403, 404])) { _, context in
            JSONBody.response(try await views.invoice(try await ownInvoice(context), on: db))
        }
        routes.get("/api/v1/invoices/{id}/pdf", .roles(Self.invoiceReaders), api: APIDoc("The invoice as PDF", tag: "invoices", errors: [401, 403, 404])) { _, context in
            let invoice = try await ownInvoice(context)
            return MembershipPages.pdf(try await memberships.invoices.pdf(invoice, on: db), name: "invoice-\(invoice.number)")
        }
        routes.post("/api/v1/invoices/{id}/payments", .roles([.admin, .finance]), api: APIDoc("Record a payment as received; a wrong amount is kept and the difference stays open", tag: "invoices", request: "PaymentRequest", response: "Invoice", status: 201, errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(PaymentRequest.self, from: request, context: context)
            let invoice = try await memberships.invoices.recordPayment(try context.requireID(), .init(amount: body.amount, paidOn: body.paidOn, reference: body.reference ?? ""),
                                                                       source: "manual", by: .init(try context.requireIdentity()))
            return JSONBody.response(try await views.invoice(invoice, on: db), status: .created)
        }
        routes.post("/api/v1/invoices/{id}/credit-note", .roles([.admin, .finance]), api: APIDoc("Close what is open on an invoice with a credit note", tag: "invoices", request: "CreditNoteRequest", response: "Invoice", status: 201, errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(CreditNoteRequest.self, from: request, context: context)
            let reason = body.reason.trimmingWhitespace()
            if reason.isEmpty || reason.count > 300 { throw AppError.invalid("reason", reason.isEmpty ? "validation_required" : "validation_too_long", ["max": "300"]) }
            let actor = try context.requireIdentity()
            let note = try await desk.storage.db.transaction { db in try await memberships.invoices.credit(try context.requireID(), reason: reason, by: .init(actor), on: db) }
            return JSONBody.response(try await views.invoice(note, on: db), status: .created)
        }
        routes.post("/api/v1/payments/webhook", .everyone, api: APIDoc("The payment provider reports a payment; signed with HMAC-SHA256 of the body (header Trustmark-Signature: sha256=<hex>)", tag: "invoices", request: "WebhookPayment", response: "Invoice", errors: [400, 401, 404, 409, 422])) { request, context in
            guard let secret = webhookSecret else { throw AppError(.notFound, code: "webhook_off", messageKey: "webhook_off") }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: JSONBody.maximumBody) } catch { throw AppError.tooLarge }
            let body = Data(buffer: buffer)
            guard InvoicesService.signatureIsValid(request.headers[MembershipPages.signatureHeader], body: body, secret: secret) else {
                logger.warning("payment webhook refused: bad signature", metadata: ["bytes": "\(body.count)", "signature": "\(request.headers[MembershipPages.signatureHeader] == nil ? "missing" : "wrong")"])
                throw AppError(.unauthorized, code: "bad_signature", messageKey: "webhook_bad_signature")
            }
            let payment: WebhookPayment
            do { payment = try JSONDecoder().decode(WebhookPayment.self, from: body) } catch { throw AppError.invalidJSON }
            guard let invoice = try await Invoice.query(on: db).filter(\.$number == payment.invoiceNumber).first() else { throw AppError.notFound }
            let settled = try await memberships.invoices.recordPayment(try invoice.requireID(), .init(amount: payment.amount, paidOn: payment.paidOn, reference: payment.reference),
                                                                       source: "webhook", by: .init(userID: nil, role: "payment_provider"))
            return JSONBody.response(try await views.invoice(settled, on: db))
        }
        routes.get("/api/v1/warnings", .everyone, api: APIDoc("Every shop on the scheme's public warning lists now, newest first (the same as the list pages)",
                                                              tag: "membership", response: "ListingList")) { _, context in
            JSONBody.response(ListDTO(all: try await views.listings(nil, locale: context.locale, on: db)))
        }
        routes.get("/api/v1/lists/{list}", .everyone, api: APIDoc("A public list of the scheme ('not a member', ...)", tag: "membership", response: "ListingList", errors: [404])) { _, context in
            let list = context.parameters.get("list") ?? ""
            guard desk.scheme.sanctions?.lists.contains(where: { $0.id == list }) == true else { throw AppError.notFound }
            return JSONBody.response(ListDTO(all: try await views.listings(list, locale: context.locale, on: db)))
        }
    }



    /// Members read their own; inspectors the applications assigned to them; admin and finance all.
    func readable(_ context: AppRequestContext) async throws -> (MembershipApplication, Identity) {
        let actor = try context.requireIdentity()
        let application = try await applications.find(try context.requireID(), on: db)
        try desk.checkOwn(application.$organisation.id, actor)
        if actor.role == .inspector, application.$inspector.id != actor.userID { throw AppError.notFound }
        return (application, actor)
    }

    func ownMembership(_ context: AppRequestContext) async throws -> Membership {
        let membership = try await memberships.find(try context.requireID(), on: db)
        try desk.checkOwn(membership.$organisation.id, try context.requireIdentity())
        return membership
    }

    func ownInvoice(_ context: AppRequestContext) async throws -> Invoice {
        guard let invoice = try await Invoice.find(try context.requireID(), on: db) else { throw AppError.notFound }
        try desk.checkOwn(invoice.$organisation.id, try context.requireIdentity())
        return invoice
    }
}
