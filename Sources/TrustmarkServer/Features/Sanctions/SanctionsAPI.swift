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
    let appeal: AppealDTO?
    let party: PartyDTO?
    let misuseCaseId: UUID?
    let legalStepOn: String?
    let evidence: [EvidenceDTO]?

    struct AppealDTO: Codable, Sendable {
        let text: String
        let lodgedOn: String
        let decision: String?
        let reason: String?
        let decidedOn: String?
    }

    struct PartyDTO: Codable, Sendable {
        let name: String
        let domain: String?
        let email: String?
        let address: String?
    }

    struct EvidenceDTO: Codable, Sendable {
        let text: String
        let submittedAt: Date
    }

    init(_ row: Sanction, evidence: [SanctionEvidence]? = nil) {
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
        appeal = row.appealText.map { AppealDTO(text: $0, lodgedOn: row.appealedOn ?? "", decision: row.appealDecision, reason: row.appealReason, decidedOn: row.appealDecidedOn) }
        party = row.partyName.map { PartyDTO(name: $0, domain: row.partyDomain, email: row.partyEmail, address: row.partyAddress) }
        misuseCaseId = row.misuseCaseID
        legalStepOn = row.legalStepOn
        self.evidence = evidence?.map { EvidenceDTO(text: $0.text, submittedAt: $0.submittedAt) }
    }
}

struct SanctionRequest: Codable, Sendable {
    let proposalId: UUID?
    let shopId: UUID?
    let kind: String
    let until: String?
    let reason: String
    let tasks: [String]?
    let misuseCaseId: UUID?
    let party: PartyRequest?

    struct PartyRequest: Codable, Sendable {
        let name: String?
        let domain: String?
        let email: String?
        let address: String?
    }
}

struct SanctionDismissRequest: Codable, Sendable {
    let reason: String
}

struct SanctionTextRequest: Codable, Sendable {
    let text: String
}

struct SanctionAppealDecisionRequest: Codable, Sendable {
    let upheld: Bool
    let reason: String
}

/// `/api/v1/sanctions`: staff decide, confirm (four-eyes), dismiss and resolve sanctions and decide
/// appeals; a member reads its own, sends evidence and objects.
struct SanctionsAPI: Sendable {
    let sanctions: SanctionsService

    func register(on routes: RouteTable) {
        routes.get("/api/v1/sanctions", .roles([.admin, .member]), api: APIDoc("Sanctions, newest first: every one for staff, a member's own for a member",
                                                                               tag: "sanctions", response: "SanctionList", query: ["state"], errors: [401, 403])) { request, context in
            let rows = try await sanctions.list(state: request.uri.queryParameters["state"].map(String.init), for: try context.requireIdentity())
            return JSONBody.response(ListDTO(all: rows.map { SanctionDTO($0) }))
        }
        routes.get("/api/v1/sanctions/{id}", .roles([.admin, .member]), api: APIDoc("One sanction with the member's evidence", tag: "sanctions", response: "Sanction",
                                                                                    errors: [401, 403, 404])) { _, context in
            let sanction = try await sanctions.find(context.parameters.get("id"), for: try context.requireIdentity())
            return JSONBody.response(SanctionDTO(sanction, evidence: try await sanctions.evidence(of: sanction)))
        }
        routes.get("/api/v1/sanctions/{id}/dossier.pdf", .roles([.admin]), api: APIDoc("The dossier for the legal step (PDF)", tag: "sanctions", errors: [401, 403, 404])) { _, context in
            let (name, pdf) = try await sanctions.dossier(context.parameters.get("id"))
            return Response.download(Array(pdf), type: "application/pdf", name: name)
        }
        routes.post("/api/v1/sanctions/{id}/evidence", .roles([.member]), api: APIDoc("The member shows what it put right during an improvement period or summons",
                                                                                     tag: "sanctions", request: "SanctionTextRequest", response: "Sanction", status: 201,
                                                                                     errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionTextRequest.self, from: request, context: context)
            let sanction = try await sanctions.submitEvidence(context.parameters.get("id"), text: body.text, by: try context.requireIdentity())
            return JSONBody.response(SanctionDTO(sanction, evidence: try await sanctions.evidence(of: sanction)), status: .created)
        }
        routes.post("/api/v1/sanctions/{id}/appeal", .roles([.member]), api: APIDoc("The member objects within the scheme's appeal period", tag: "sanctions",
                                                                                   request: "SanctionTextRequest", response: "Sanction", status: 201,
                                                                                   errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionTextRequest.self, from: request, context: context)
            return JSONBody.response(SanctionDTO(try await sanctions.appeal(context.parameters.get("id"), text: body.text, by: try context.requireIdentity())), status: .created)
        }
        routes.post("/api/v1/sanctions/{id}/appeal/decision", .roles([.admin]), api: APIDoc("Uphold or reject the member's objection, as a staff member other than the one who decided",
                                                                                            tag: "sanctions", request: "SanctionAppealDecisionRequest", response: "Sanction",
                                                                                            errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionAppealDecisionRequest.self, from: request, context: context)
            return JSONBody.response(SanctionDTO(try await sanctions.decideAppeal(context.parameters.get("id"), upheld: body.upheld, reason: body.reason,
                                                                                 by: try context.requireIdentity())))
        }
        routes.post("/api/v1/sanctions", .roles([.admin]), api: APIDoc("Decide a sanction (from a proposal or on its own); a kind the scheme names in four_eyes_for waits for a second staff member",
                                                                       tag: "sanctions", request: "SanctionRequest", response: "Sanction", status: 201,
                                                                       errors: [401, 403, 404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(SanctionRequest.self, from: request, context: context)
            let decided = try await sanctions.decide(.init(proposal: body.proposalId, shop: body.shopId, kind: body.kind, until: body.until, reason: body.reason,
                                                           tasks: body.tasks ?? [], misuseCase: body.misuseCaseId,
                                                           party: body.party.map { .init(name: $0.name ?? "", domain: $0.domain, email: $0.email, address: $0.address) }),
                                                    by: try context.requireIdentity())
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
