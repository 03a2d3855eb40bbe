import Foundation
import Hummingbird
import TrustmarkCore

struct SanctionDTO: Codable, Sendable {
    let id: UUID
    let organisationId: UUID
    let shopId: UUID?
    let shop: String?
    let proposalId: UUID?
    let kind: String
    let state: String
    let reason: String
    let article: String?
    let tasks: [String]
    let decidedBy: UUID
    let decidedOn: String
    let deadline: String?
    let confirmedBy: UUID?

    init(_ row: Sanction) {
        id = row.id ?? UUID()
        organisationId = row.organisationID
        shopId = row.$shop.id
        shop = row.$shop.value??.name
        proposalId = row.$proposal.id
        kind = row.kindRaw
        state = row.stateRaw
        reason = row.reason
        article = row.article
        tasks = row.tasks.split(separator: "\n").map(String.init)
        decidedBy = row.decidedBy
        decidedOn = row.decidedOn
        deadline = row.deadline
        confirmedBy = row.confirmedBy
    }
}

struct SanctionRequest: Codable, Sendable {
    let proposalId: UUID?
    let shopId: UUID?
    let kind: String
    let until: String?
    let reason: String
    let tasks: [String]?
}

struct SanctionDismissRequest: Codable, Sendable {
    let reason: String
}

/// `/api/v1/sanctions`: staff decide, confirm (four-eyes) and dismiss sanctions.
struct SanctionsAPI: Sendable {
    let sanctions: SanctionsService

    func register(on routes: RouteTable) {
        routes.get("/api/v1/sanctions", .roles([.admin]), api: APIDoc("Sanctions, newest first", tag: "sanctions", response: "SanctionList", query: ["state"],
                                                                      errors: [401, 403])) { request, _ in
            let rows = try await sanctions.list(state: request.uri.queryParameters["state"].map(String.init))
            return JSONBody.response(ListDTO(all: rows.map(SanctionDTO.init)))
        }
        routes.post("/api/v1/sanctions", .roles([.admin]), api: APIDoc("Decide a sanction (from a proposal or on its own); a kind the scheme names in four_eyes_for waits for a second staff member",
                                                                       tag: "sanctions", request: "SanctionRequest", response: "Sanction", status: 201,
                                                                       errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionRequest.self, from: request, context: context)
            let decided = try await sanctions.decide(.init(proposal: body.proposalId, shop: body.shopId, kind: body.kind, until: body.until, reason: body.reason,
                                                           tasks: body.tasks ?? []), by: try context.requireIdentity())
            return JSONBody.response(SanctionDTO(decided), status: .created)
        }
        routes.post("/api/v1/sanctions/{id}/confirmation", .roles([.admin]), api: APIDoc("Confirm a decision as the second staff member (not the one who decided)",
                                                                                         tag: "sanctions", response: "Sanction", errors: [401, 403, 404, 409])) { _, context in
            JSONBody.response(SanctionDTO(try await sanctions.confirm(context.parameters.get("id"), by: try context.requireIdentity())))
        }
        routes.post("/api/v1/sanctions/{id}/resolution", .roles([.admin]), api: APIDoc("Close a sanction in force early: the re-check found the shop improved, it complied, or a suspended shop is reinstated",
                                                                                       tag: "sanctions", request: "SanctionDismissRequest", response: "Sanction",
                                                                                       errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionDismissRequest.self, from: request, context: context)
            return JSONBody.response(SanctionDTO(try await sanctions.resolve(context.parameters.get("id"), reason: body.reason, by: try context.requireIdentity())))
        }
        routes.post("/api/v1/sanctions/{id}/dismissal", .roles([.admin]), api: APIDoc("Do not confirm a decision that waits for confirmation, with a reason",
                                                                                      tag: "sanctions", request: "SanctionDismissRequest", response: "Sanction",
                                                                                      errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionDismissRequest.self, from: request, context: context)
            return JSONBody.response(SanctionDTO(try await sanctions.dismiss(context.parameters.get("id"), reason: body.reason, by: try context.requireIdentity())))
        }
    }
}
