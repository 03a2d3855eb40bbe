import Foundation
import Hummingbird
import TrustmarkCore

struct SchemeDTO: Codable, Sendable {
    let id: String
    let name: String
    let legalEntity: String
    let country: String
    let languages: [String]
    let timeZone: String
    let currency: String
    let codeOfConductVersion: String
    let version: Int
    let contentHash: String
}

struct ArticleDTO: Codable, Sendable {
    let number: String
    let title: String
    let text: String
}

struct CodeOfConductDTO: Codable, Sendable {
    let version: String
    let date: String
    let language: String
    let articles: [ArticleDTO]
    /// What inspectors check, each against an article.
    let criteria: [CriterionDTO]
}

struct CriterionDTO: Codable, Sendable {
    let id: String
    let article: String
    let kind: String
    let question: String
}

struct RuleChangeDTO: Codable, Sendable {
    let id: UUID
    let title: String
    let summary: String
    let farReaching: Bool
    let publishedAt: Date
    let transitionEndsAt: Date?
    let changedArticles: [String]
}

struct RuleChangeRequest: Codable, Sendable {
    let title: [String: String]
    let summary: [String: String]
    let farReaching: Bool
}

struct RuleChangeAnswerRequest: Codable, Sendable {
    let response: String
}

struct RuleChangeStandingDTO: Codable, Sendable {
    let organisationId: UUID
    let organisation: String
    let response: String?
    let respondedAt: Date?
    let membershipEnded: Bool
    let mayBeEnded: Bool
}

struct EndMembershipRequest: Codable, Sendable {
    let organisationId: UUID
}

/// `/api/v1` operations on the scheme, the code of conduct and rule changes.
struct SchemeAPI: Sendable {
    let active: ActiveScheme
    let ruleChanges: RuleChangesService

    func register(on routes: RouteTable) {
        routes.get("/api/v1/scheme", .everyone, api: APIDoc("The scheme this server runs", tag: "scheme", response: "Scheme")) { _, _ in
            let s = active.scheme
            return JSONBody.response(SchemeDTO(id: s.id, name: s.name, legalEntity: s.legalEntity, country: s.country, languages: s.languages,
                                               timeZone: s.timeZone, currency: s.currency, codeOfConductVersion: s.codeOfConduct.version,
                                               version: active.sequence, contentHash: active.contentHash))
        }
        routes.get("/api/v1/code-of-conduct", .everyone, api: APIDoc("The code of conduct in the caller's language", tag: "scheme", response: "CodeOfConduct")) { _, context in
            let code = active.scheme.codeOfConduct
            let articles = code.articles.map { ArticleDTO(number: $0.number, title: active.text($0.title, context.locale), text: active.text($0.text, context.locale)) }
            let criteria = code.criteria.map { CriterionDTO(id: $0.id, article: $0.article, kind: $0.kind.rawValue, question: active.text($0.question, context.locale)) }
            return JSONBody.response(CodeOfConductDTO(version: code.version, date: code.date, language: context.locale.rawValue, articles: articles, criteria: criteria))
        }
        routes.get("/api/v1/rule-changes", .everyone, api: APIDoc("Published rule changes, newest first", tag: "scheme", response: "RuleChangeList")) { _, context in
            let items = try await ruleChanges.news().map { dto($0, context) }
            return JSONBody.response(ListDTO(all: items))
        }
        routes.post("/api/v1/rule-changes", .roles([.admin]), api: APIDoc("Publish a rule change for the active scheme version", tag: "scheme", request: "RuleChangeRequest", response: "RuleChange", status: 201, errors: [400, 401, 403, 409, 422])) { request, context in
            guard let identity = context.identity else { throw AppError.unauthenticated }
            let body = try await JSONBody.decode(RuleChangeRequest.self, from: request, context: context)
            let change = try await ruleChanges.publish(.init(title: body.title, summary: body.summary, farReaching: body.farReaching), by: identity)
            return JSONBody.response(dto(change, context), status: .created)
        }
        routes.get("/api/v1/rule-changes/{id}/responses", .roles(Role.staff), api: APIDoc("Each notified member's answer to a rule change", tag: "scheme", response: "RuleChangeStandingList", errors: [401, 403, 404])) { _, context in
            let change = try await ruleChanges.find(try context.requireID())
            let rows = try await ruleChanges.standings(of: change).map {
                RuleChangeStandingDTO(organisationId: $0.organisation.id ?? UUID(), organisation: $0.organisation.name, response: $0.response?.response,
                                      respondedAt: $0.response?.respondedAt, membershipEnded: $0.organisation.membershipEndedAt != nil, mayBeEnded: $0.mayBeEnded)
            }
            return JSONBody.response(ListDTO(all: rows))
        }
        routes.post("/api/v1/rule-changes/{id}/response", .roles([.member]), api: APIDoc("Accept or refuse a far-reaching rule change for the caller's organisation", tag: "scheme", request: "RuleChangeAnswerRequest", status: 204, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            guard let identity = context.identity else { throw AppError.unauthenticated }
            let body = try await JSONBody.decode(RuleChangeAnswerRequest.self, from: request, context: context)
            guard let answer = RuleChangesService.Answer(rawValue: body.response) else { throw AppError.invalid("response", "validation_choice") }
            try await ruleChanges.respond(to: try context.requireID(), answer: answer, by: identity)
            return Response(status: .noContent)
        }
        routes.post("/api/v1/rule-changes/{id}/end-membership", .roles([.admin]), api: APIDoc("End the membership of an organisation that did not accept, after the transition", tag: "scheme", request: "EndMembershipRequest", status: 204, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            guard let identity = context.identity else { throw AppError.unauthenticated }
            let body = try await JSONBody.decode(EndMembershipRequest.self, from: request, context: context)
            try await ruleChanges.endMembership(body.organisationId, after: try context.requireID(), by: identity)
            return Response(status: .noContent)
        }
    }


    private func dto(_ change: RuleChange, _ context: AppRequestContext) -> RuleChangeDTO {
        RuleChangeDTO(id: change.id ?? UUID(), title: active.text(RuleChangesService.texts(change.title), context.locale),
                      summary: active.text(RuleChangesService.texts(change.summary), context.locale), farReaching: change.farReaching,
                      publishedAt: change.publishedAt, transitionEndsAt: change.transitionEndsAt,
                      changedArticles: change.changedArticles.split(separator: ",").map(String.init))
    }
}
