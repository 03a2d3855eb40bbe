import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Ratings through invitation links arrive in bursts and are handled in batches: read together,
/// checked one by one, written in one transaction.
@Suite("Review intake")
struct ReviewIntakeTests {
    /// `count` invitations of the active member's shop, and their links' tokens.
    static func invitations(_ journey: Journey, member: APIClient, count: Int) async throws -> [String] {
        try await journey.moveTo("2027-01-04")
        for index in 0..<count {
            let invited = try await member.call(.post, "/api/v1/invitations", json: ["email": "koper\(index)@example.org", "name": "Koper \(index)",
                                                                                    "orderReference": "G-\(index)"])
            #expect(invited.status == .created)
        }
        try await journey.moveTo("2027-01-05")
        var tokens: [String] = []
        for index in 0..<count { tokens.append(try await ReviewTests.token(journey, "koper\(index)@example.org")) }
        return tokens
    }

    @Test func reviewsArrivingTogetherAreWrittenTogetherAndALinkUsedTwiceFailsAlone() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, member) = try await journey.activeMember()
            let tokens = try await Self.invitations(journey, member: member, count: 6)
            // Every link twice, all at once: the writer takes them in shared transactions.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for token in tokens + tokens {
                    group.addTask {
                        let reply = try await APIClient(client: client).call(.post, "/api/v1/reviews", json: ["invitation": token, "overall": 4,
                                                                                                            "scores": ["service": 4, "delivery": 5]])
                        return Int(reply.status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 6, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 6, "\(statuses)")
            // Each review is stored once, counted once, and recorded once in the chain.
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            #expect(try await Review.query(on: app.storage.db).filter(\.$shop.$id == shop.requireID()).count() == 6)
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 6)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "review.published").count() == 6)
            #expect(try await app.verifyRecord().problem == nil)
        }
    }

    @Test func aBatchSeesItsOwnBurstAndEachRatingGetsItsOwnAnswer() async throws {
        try await TestApp.with { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, member) = try await journey.activeMember()
            let tokens = try await Self.invitations(journey, member: member, count: 6)
            func rating(_ text: String, address: String) -> ReviewInput {
                ReviewInput(scores: ["service": 5, "delivery": 5], overall: 5, text: text, locale: .en, clientAddress: address)
            }
            let copied = "Best bike shop in the country, no doubt about it at all"
            // Seven ratings handled as one batch: four from one address, three of them with the same
            // words; an honest one; a forged link; a score out of range.
            let answers = await app.reviews.rate(together: [
                InvitedReview(token: tokens[0], input: rating("Quick delivery and the bike was packed with care", address: "198.51.100.1")),
                InvitedReview(token: tokens[1], input: rating(copied, address: "203.0.113.9")),
                InvitedReview(token: tokens[2], input: rating("The saddle was replaced within a week, very kind people", address: "203.0.113.9")),
                InvitedReview(token: "forged-link", input: rating("Fine", address: "198.51.100.2")),
                InvitedReview(token: tokens[3], input: rating(copied + "!", address: "203.0.113.9")),
                InvitedReview(token: tokens[4], input: rating(copied, address: "203.0.113.9")),
                InvitedReview(token: tokens[5], input: ReviewInput(scores: ["service": 4, "delivery": 4], overall: 9, text: "Too good", locale: .en)),
            ])
            let states = answers.map { answer in (try? answer.get())?.state ?? "refused" }
            #expect(states == ["published", "published", "published", "refused", "held", "held", "refused"], "\(states)")
            #expect(Self.problem(answers[3]) == "review_link_unknown")
            #expect(Self.problem(answers[6]) == "overall", "the out-of-range score is named")
            // The held ones name the burst they were part of, although none of it was stored before.
            let held = try await Review.query(on: app.storage.db).filter(\.$state == "held").all()
            #expect(held.count == 2)
            #expect(held.allSatisfy { ($0.fraudSignals ?? "").contains("same_address") && ($0.fraudSignals ?? "").contains("near_duplicate") },
                    "\(held.map(\.fraudSignals))")
            // Only the published ones count, each once; the refused links stay usable.
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 3)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "review.published").count() == 3)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "review.held").count() == 2)
            let retried = try await APIClient(client: client).call(.post, "/api/v1/reviews", json: ["invitation": tokens[5], "overall": 4,
                                                                                                  "scores": ["service": 4, "delivery": 4]])
            #expect(retried.status == .created, "\(retried.body)")
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 4)
            #expect(try await app.verifyRecord().problem == nil)
        }
    }

    @Test func aBatchPreparedWhileTheOneBeforeIsWrittenCountsThatOneOnce() async throws {
        try await TestApp.with { app, client in
            let (slug, tokens) = try await Self.threeLinks(app, client)
            let rating = Self.fromOneAddress, copied = Self.copied
            // The writer prepares the second batch while the first is written: the first one's reviews
            // are passed along, so the second sees two reviews from its address and the copied words.
            let first = await app.reviews.prepare([rating(tokens[0], copied), rating(tokens[1], "The saddle was replaced within a week, very kind")],
                                                  before: [])
            let second = await app.reviews.prepare([rating(tokens[2], copied + "!")], before: first.reviews)
            #expect(try await app.reviews.write(first).map { try $0.get().state } == ["published", "published"])
            let written = try #require(try await app.reviews.write(second).first?.get())
            #expect(written.state == "held")
            let held = try #require(try await Review.find(written.id, on: app.storage.db))
            #expect((held.fraudSignals ?? "").contains("same_address") && (held.fraudSignals ?? "").contains("near_duplicate"), "\(held.fraudSignals ?? "")")
            #expect((held.fraudSignals ?? "").contains("\"count\":\"2\""), "the first batch counted once: \(held.fraudSignals ?? "")")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 2)
        }
    }

    @Test func groupsPreparedOneAfterTheOtherAreWrittenInOneTransactionEachAnswerInItsPlace() async throws {
        try await TestApp.with { app, client in
            let (slug, tokens) = try await Self.threeLinks(app, client)
            let rating = Self.fromOneAddress, copied = Self.copied
            // The writer prepares ratings as they arrive and writes every group prepared meanwhile together.
            let first = await app.reviews.prepare([rating(tokens[0], copied), rating("forged-link", "Fine")], before: [])
            let second = await app.reviews.prepare([rating(tokens[1], "The saddle was replaced within a week, very kind")], before: first.reviews)
            let third = await app.reviews.prepare([rating(tokens[2], copied + "!")], before: first.reviews + second.reviews)
            let answers = await app.reviews.write(PreparedReviews(merging: [first, second, third]))
            #expect(answers.map { answer in (try? answer.get())?.state ?? "refused" } == ["published", "refused", "published", "held"])
            #expect(Self.problem(answers[1]) == "review_link_unknown")
            let held = try #require(try await Review.find(try answers[3].get().id, on: app.storage.db))
            #expect((held.fraudSignals ?? "").contains("\"count\":\"2\""), "each group before it counted once: \(held.fraudSignals ?? "")")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            #expect(try await ShopStats.find(shop.id, on: app.storage.db)?.ratings12m == 2)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "review.held").count() == 1)
        }
    }

    static let copied = "Best bike shop in the country, no doubt about it at all"

    /// An active member's shop and three invitation links.
    static func threeLinks(_ app: TrustmarkApp, _ client: any TestClientProtocol) async throws -> (slug: String, tokens: [String]) {
        let journey = Journey(app: app, client: client)
        let (slug, _, member) = try await journey.activeMember()
        return (slug, try await invitations(journey, member: member, count: 3))
    }

    /// Full marks with a text, all from one address.
    static func fromOneAddress(_ token: String, _ text: String) -> InvitedReview {
        InvitedReview(token: token, input: ReviewInput(scores: ["service": 5, "delivery": 5], overall: 5, text: text, locale: .en,
                                                       clientAddress: "203.0.113.9"))
    }

    /// What a refused rating was refused for: the error's code, or the field a form problem names.
    static func problem(_ answer: Result<ReviewReceipt, any Error>) -> String? {
        guard case .failure(let error) = answer else { return nil }
        if let error = error as? AppError { return error.code }
        if let errors = error as? FormErrors { return errors.problems.first?.field }
        return "\(type(of: error))"
    }
}
