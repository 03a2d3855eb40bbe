import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// A rating sent through an invitation's single-use link.
struct InvitedReview: Sendable {
    let token: String
    let input: ReviewInput
}

/// A batch of ratings read and checked, waiting to be written.
struct PreparedReviews: Sendable {
    /// Each rating's answer where it is known already (refused), in order.
    var answers: [Result<ReviewReceipt, any Error>?]
    var accepted: [(index: Int, invitation: UUID, review: Review)] = []
    var assessed: [ReviewsService.Assessment] = []
    var rules: ReviewRules?

    var reviews: [Review] { accepted.map(\.review) }

    init(answers: [Result<ReviewReceipt, any Error>?]) {
        self.answers = answers
    }

    /// Groups prepared one after the other, as one: their answers in order, each accepted rating
    /// pointing at its place among them.
    init(merging parts: [PreparedReviews]) {
        answers = []
        for part in parts {
            let offset = answers.count
            answers += part.answers
            accepted += part.accepted.map { (index: $0.index + offset, invitation: $0.invitation, review: $0.review) }
            assessed += part.assessed
            rules = rules ?? part.rules
        }
    }
}

/// Invited buyers' ratings: every rating waits for the writer (`ReviewWriter`), which hands the
/// ratings that arrived together to `prepare` and groups prepared together to `write`. The batch is read with a few
/// statements on the read connection (the links, the fraud signals), checked rating by rating, and
/// written in one transaction.
extension ReviewsService {
    func rate(token: String, _ input: ReviewInput) async throws -> ReviewReceipt {
        let service = self
        return try await writer.write(InvitedReview(token: token, input: input), batch: .init(
            prepare: { batch, before in await service.prepare(batch, before: before) },
            write: { prepared in await service.write(prepared) }))
    }

    /// Each rating's answer, in order: its receipt, or why it was refused. A forged link is unknown
    /// (404), a used one a conflict (409), a shop without the seal or a bad score is refused (422).
    func rate(together batch: [InvitedReview]) async -> [Result<ReviewReceipt, any Error>] {
        await write(await prepare(batch, before: []))
    }

    /// Reads the links and the fraud signals and checks each rating. `before` are the reviews accepted
    /// earlier and maybe not written yet: counted as if they were stored, whether or not they are.
    func prepare(_ batch: [InvitedReview], before: [Review]) async -> PreparedReviews {
        var prepared = PreparedReviews(answers: Array(repeating: nil, count: batch.count))
        do {
            let rules = try rules()
            prepared.rules = rules
            let links = try await invitations(batch.map(\.token))
            for (index, item) in batch.enumerated() {
                do {
                    guard let link = links[SecretToken.digest(item.token)] else {
                        throw AppError(.notFound, code: "review_link_unknown", messageKey: "review_link_unknown")
                    }
                    guard link.used_at == nil else { throw AppError.conflict("review_link_used", "review_link_used") }
                    // The seal's facts are kept in memory for every shop: no read per rating.
                    guard let slug = link.slug, try await register.seals.facts(for: slug).status.isValid else {
                        throw AppError(.unprocessableContent, code: "review_not_member", messageKey: "review_not_member", arguments: ["shop": link.shop_name])
                    }
                    let scores = try check(item.input, rules: rules)
                    let review = make(item.input, scores: scores, shop: link.shop_id, origin: .invited, name: link.name, email: link.email)
                    review.invitationID = link.id
                    prepared.accepted.append((index, link.id, review))
                } catch {
                    prepared.answers[index] = .failure(error)
                }
            }
            if !prepared.accepted.isEmpty {
                // The fraud signals are read before the transaction, so it holds the database only to write.
                prepared.assessed = try await assess(prepared.reviews, before: before, on: desk.storage.reader)
            }
        } catch {
            for index in prepared.answers.indices where prepared.answers[index] == nil { prepared.answers[index] = .failure(error) }
            prepared.accepted = []
        }
        return prepared
    }

    /// Writes a prepared batch; each rating's answer, in order.
    func write(_ prepared: PreparedReviews) async -> [Result<ReviewReceipt, any Error>] {
        var answers = prepared.answers
        if let rules = prepared.rules, !prepared.accepted.isEmpty {
            do {
                let written = try await write(prepared.accepted.map { ($0.invitation, $0.review) }, assessed: prepared.assessed, rules: rules)
                for (item, answer) in zip(prepared.accepted, written) { answers[item.index] = answer }
            } catch {
                for item in prepared.accepted { answers[item.index] = .failure(error) }
            }
        }
        return answers.map { $0 ?? .failure(CancellationError()) }
    }

    private struct Link: Decodable {
        let id: UUID
        let token_hash: String
        let shop_id: UUID
        let name: String
        let email: String
        let used_at: Date?
        let slug: String?
        let shop_name: String
    }

    /// The invitations behind the links, by the hash of their token, in one read.
    private func invitations(_ tokens: [String]) async throws -> [String: Link] {
        guard let sql = desk.storage.reader as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        let hashes = Array(Set(tokens.map(SecretToken.digest)))
        let rows = try await sql.raw("""
            SELECT i.id, i.token_hash, i.shop_id, i.name, i.email, i.used_at, s.slug, s.name AS shop_name
            FROM review_invitations i JOIN shops s ON s.id = i.shop_id WHERE i.token_hash IN (\(binds: hashes))
            """).all(decoding: Link.self)
        return Dictionary(rows.map { ($0.token_hash, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes the batch in one transaction. Should that fail, each rating is written alone, so that one
    /// that cannot be stored does not take the others with it.
    private func write(_ reviews: [(invitation: UUID, review: Review)], assessed: [Assessment], rules: ReviewRules) async throws
        -> [Result<ReviewReceipt, any Error>] {
        do {
            return try await desk.storage.db.transaction { db in try await writeTogether(reviews, assessed: assessed, rules: rules, on: db) }
        } catch where reviews.count > 1 {
            var answers: [Result<ReviewReceipt, any Error>] = []
            for (item, assessment) in zip(reviews, assessed) {
                item.review.$id.exists = false
                do {
                    let one = try await desk.storage.db.transaction { db in try await writeTogether([item], assessed: [assessment], rules: rules, on: db) }
                    answers.append(one.first ?? .failure(CancellationError()))
                } catch {
                    answers.append(.failure(error))
                }
            }
            return answers
        }
    }

    private func writeTogether(_ reviews: [(invitation: UUID, review: Review)], assessed: [Assessment], rules: ReviewRules, on db: any Database) async throws
        -> [Result<ReviewReceipt, any Error>] {
        guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
        // Each link is used once, also when two ratings race: only the first to claim it is written.
        struct Claimed: Decodable { let id: UUID }
        let ids = Array(Set(reviews.map(\.invitation)))
        var unclaimed = Set(try await sql.raw("""
            UPDATE review_invitations SET used_at = \(bind: desk.clock.now()) WHERE id IN (\(binds: ids)) AND used_at IS NULL RETURNING id
            """).all(decoding: Claimed.self).map(\.id))
        var answers: [Result<ReviewReceipt, any Error>] = []
        var going: [Review] = []
        var goingAssessed: [Assessment] = []
        for (item, assessment) in zip(reviews, assessed) {
            guard unclaimed.remove(item.invitation) != nil else {
                answers.append(.failure(AppError.conflict("review_link_used", "review_link_used")))
                continue
            }
            going.append(item.review)
            goingAssessed.append(assessment)
            answers.append(.success(ReviewReceipt(id: try item.review.requireID(), state: "")))
        }
        try await settle(going, assessed: goingAssessed, rules: rules, on: db)
        // The receipts carry the state each review ended in (published or held).
        let states = Dictionary(going.compactMap { review in review.id.map { ($0, review.state) } }, uniquingKeysWith: { first, _ in first })
        return answers.map { answer in answer.map { ReviewReceipt(id: $0.id, state: states[$0.id] ?? "") } }
    }
}
