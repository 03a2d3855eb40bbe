import FluentKit
import Foundation
import TrustmarkCore

/// A review as its shop reads it through the API: every state (held and removed ones too, with the
/// reason), the reply and the open flags, so a platform can keep its own copy in step.
struct MemberReviewDTO: Codable, Sendable {
    let id: UUID
    let shop: String
    let state: String
    let origin: String
    let kind: String
    let author: String
    let overall: Int
    let scores: [String: Int]
    let text: String?
    let createdAt: Date
    let publishedAt: Date?
    let reply: String?
    let removedReason: String?
    let openFlags: Int
}

extension MemberReviewDTO {
    /// Also the `data` of a `review.published` webhook: a review has one shape wherever it is sent.
    init(_ review: Review, shop: String, openFlags: Int) {
        self.init(id: review.id ?? UUID(), shop: shop, state: review.state, origin: review.origin, kind: review.kind, author: review.authorName,
                  overall: review.overall, scores: review.scoreTable, text: review.text, createdAt: review.createdAt, publishedAt: review.publishedAt,
                  reply: review.reply, removedReason: review.removedReason, openFlags: openFlags)
    }
}

extension ReviewsService {
    /// The member's reviews, newest first; a shop's API key sees its own shop's only.
    func reviewsOfMember(_ member: Identity, state: String?, paging: Paging) async throws -> ListDTO<MemberReviewDTO> {
        guard let organisation = member.organisationID else { throw AppError.forbidden }
        let db = desk.storage.db
        var shops = Shop.query(on: db).filter(\.$organisation.$id == organisation)
        if let shopID = member.apiKey?.shopID { shops = shops.filter(\.$id == shopID) }
        let own = try await shops.all()
        let slugs = Dictionary(uniqueKeysWithValues: own.compactMap { shop in shop.id.map { ($0, shop.slug ?? "") } })
        var query = Review.query(on: db).filter(\.$shop.$id ~~ Array(slugs.keys)).filter(\.$state != Review.State.unconfirmed.rawValue)
        if let state, !state.isEmpty {
            guard let wanted = Review.State(rawValue: state), wanted != .unconfirmed else { throw AppError.invalid("state", "review_state_unknown", ["state": state]) }
            query = query.filter(\.$state == wanted.rawValue)
        }
        let total = try await query.count()
        let rows = try await query.sort(\.$createdAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let ids = rows.compactMap(\.id)
        let flags = ids.isEmpty ? [] : try await ReviewFlag.query(on: db).filter(\.$review.$id ~~ ids).filter(\.$outcome == nil).all()
        let open = Dictionary(grouping: flags, by: { $0.$review.id }).mapValues(\.count)
        let items = rows.map { MemberReviewDTO($0, shop: slugs[$0.$shop.id] ?? "", openFlags: open[$0.id ?? UUID()] ?? 0) }
        return ListDTO(PagedList(items: items, request: paging, total: total))
    }
}
