import Foundation
import Hummingbird
import TrustmarkCore

/// A review sent through the API: with the token from an invitation mail, or for a shop with the
/// reviewer's name and e-mail address (confirmed by mail).
struct ReviewRequest: Codable, Sendable {
    var invitation: String?
    var shop: String?
    var name: String?
    var email: String?
    let scores: [String: Int]
    var overall: Int?
    var text: String?
    var kind: String?
    var language: String?
}

struct ReviewConfirmRequest: Codable, Sendable { let token: String }
struct ReviewReplyRequest: Codable, Sendable { let reply: String }

/// `/api/v1/invitations` for members, `/api/v1/reviews` for buyers, `/api/v1/shops/{slug}/reviews` for all.
struct ReviewsAPI: Sendable {
    let reviews: ReviewsService

    static func input(_ body: ReviewRequest, context: AppRequestContext, address: String?) -> ReviewInput {
        ReviewInput(scores: body.scores, overall: body.overall, text: body.text ?? "", kind: body.kind ?? ReviewKind.review.rawValue,
                    name: body.name ?? "", email: body.email ?? "", locale: body.language.flatMap(AppLocale.init) ?? context.locale, clientAddress: address)
    }

    func register(on routes: RouteTable) {
        routes.post("/api/v1/invitations", .roles([.member]), api: APIDoc("Invite a buyer to rate the shop (mailed after the delay)", tag: "reviews",
                                                                         request: "ReviewInvitationRequest", response: "ReviewInvitation", status: 201,
                                                                         errors: [409, 422], scope: .invitations)) { request, context in
            let body = try await JSONBody.decode(ReviewInvitationRequest.self, from: request, context: context)
            return JSONBody.response(try await reviews.invite(body, member: try context.requireIdentity()), status: .created)
        }
        routes.post("/api/v1/invitations/import", .roles([.member]), api: APIDoc("Invite buyers from a CSV (email,name,order_reference,order_date,language,delay_days)",
                                                                                tag: "reviews", request: "text/csv", response: "ReviewInvitationImport", query: ["shop"],
                                                                                errors: [413, 415, 422], scope: .invitations)) { request, context in
            guard MIMEReader.mainValue(request.headers[.contentType] ?? "").lowercased() == "text/csv" else { throw AppError.unsupportedMediaType }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: 2 << 20) } catch { throw AppError.tooLarge }
            return JSONBody.response(try await reviews.importCSV(String(buffer: buffer), shop: request.uri.queryParameters["shop"].map(String.init),
                                                                 member: try context.requireIdentity(), locale: context.locale))
        }
        routes.get("/api/v1/shops/{slug}/reviews", .everyone, api: APIDoc("A shop's published reviews, newest first, with its figures over the window",
                                                                          tag: "reviews", response: "ShopReviews", query: ["page", "size"], errors: [404])) { request, context in
            let query = request.uri.queryParameters
            let paging = Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) })
            return JSONBody.response(try await reviews.reviews(of: (context.parameters.get("slug") ?? "").lowercased(), paging: paging, locale: context.locale))
        }
        routes.get("/api/v1/reviews", .roles([.member]), api: APIDoc("The member's own reviews in every state, with open flags (a key: its shop's)", tag: "reviews",
                                                                   response: "MemberReviewList", query: ["state", "page", "size"], errors: [422],
                                                                   scope: .reviewsRead)) { request, context in
            let query = request.uri.queryParameters
            let paging = Paging(page: query["page"].flatMap { Int($0) }, size: query["size"].flatMap { Int($0) })
            return JSONBody.response(try await reviews.reviewsOfMember(try context.requireIdentity(), state: query["state"].map(String.init), paging: paging))
        }
        routes.post("/api/v1/reviews", .everyone, api: APIDoc("Rate a shop: with an invitation's token (published at once) or with name and e-mail (confirmed by mail)",
                                                              tag: "reviews", request: "ReviewRequest", response: "ReviewReceipt", status: 201,
                                                              errors: [403, 404, 409, 413, 422])) { request, context in
            let body = try await JSONBody.decode(ReviewRequest.self, from: request, context: context)
            let input = Self.input(body, context: context, address: context.remoteAddress)
            if let token = body.invitation {
                return JSONBody.response(try await reviews.rate(token: token, input), status: .created)
            }
            return JSONBody.response(try await reviews.submit(shop: body.shop ?? "", input), status: .accepted)
        }
        routes.post("/api/v1/reviews/confirmations", .everyone, api: APIDoc("Confirm a review with the token from the mail", tag: "reviews",
                                                                            request: "ReviewConfirmRequest", response: "ReviewReceipt", errors: [404, 409, 410])) { request, context in
            let body = try await JSONBody.decode(ReviewConfirmRequest.self, from: request, context: context)
            let review = try await reviews.confirm(token: body.token)
            return JSONBody.response(ReviewReceipt(id: try review.requireID(), state: review.state))
        }
        routes.post("/api/v1/reviews/{id}/flags", .everyone, api: APIDoc("Report a review; it stays visible while checked unless reported as unlawful",
                                                                         tag: "reviews", request: "FlagRequest", response: "ReviewReceipt", errors: [404, 422, 429])) { request, context in
            let body = try await JSONBody.decode(FlagRequest.self, from: request, context: context)
            return JSONBody.response(try await reviews.flag(context.parameters.get("id"), body, by: context.identity, locale: context.locale), status: .created)
        }
        routes.get("/api/v1/reviews/moderation", .roles([.admin, .mediator]), api: APIDoc("Reviews with open flags, and held ones", tag: "reviews",
                                                                                         response: "ModerationQueue")) { _, context in
            let items = try await reviews.moderationQueue(locale: context.locale)
            return JSONBody.response(ListDTO(all: items))
        }
        routes.post("/api/v1/reviews/{id}/moderation", .roles([.admin, .mediator]), api: APIDoc("Keep a review, or remove it for a reason from the fixed list",
                                                                                               tag: "reviews", request: "ModerationRequest", response: "ReviewReceipt",
                                                                                               errors: [404, 422])) { request, context in
            let body = try await JSONBody.decode(ModerationRequest.self, from: request, context: context)
            return JSONBody.response(try await reviews.moderate(context.parameters.get("id"), body, staff: try context.requireIdentity()))
        }
        routes.post("/api/v1/reviews/{id}/reply", .roles([.member]), api: APIDoc("The shop's one public reply to a review", tag: "reviews",
                                                                                request: "ReviewReplyRequest", response: "ReviewReceipt", errors: [404, 409, 422])) { request, context in
            let body = try await JSONBody.decode(ReviewReplyRequest.self, from: request, context: context)
            let review = try await reviews.reply(context.parameters.get("id"), member: try context.requireIdentity(), text: body.reply)
            return JSONBody.response(ReviewReceipt(id: try review.requireID(), state: review.state))
        }
    }
}
