import FluentKit
import Foundation
import TrustmarkCore

/// The demo's reviews chapter: invited buyers' reviews spread over the last ten months for a few
/// members (one reaches a tier), a shop's reply, and a reported review waiting for moderation.
extension DemoData {
    static let reviewCast: [(shop: String, count: Int, scores: [Int])] = [
        ("Fietsenhuis De Ketting", 30, [5, 4, 5, 4, 5, 3, 5, 4]),
        ("Theehandel Het Blad", 6, [5, 5, 4]),
        ("Kaasmakerij Gouwe", 12, [4, 2, 5, 3, 1, 4]),
        ("Tuinwinkel De Hark", 8, [2, 1, 3, 2]),
    ]
    static let reviewTexts = ["Snel geleverd en goed verpakt.", "Vriendelijke klantenservice, vraag binnen een dag beantwoord.",
                              "Product klopte niet met de beschrijving.", "Prima webshop, zou er weer bestellen.", "Retour ging soepel.",
                              "Lang moeten wachten op antwoord."]

    func reviewsChapter(now: Date, base: MembershipDesk) async throws {
        guard let rules = base.scheme.reviews else { return }
        let clock = SettableClock(Day(now.addingTimeInterval(-300 * 86400), in: base.timeZone).midday(in: base.timeZone))
        let desk = MembershipDesk(storage: base.storage, clock: clock, active: base.active, outbox: base.outbox, localizer: base.localizer,
                                  baseURL: base.baseURL, calendar: base.calendar, writer: base.writer, logger: base.logger)
        let service = ReviewsService(desk: desk, register: app.register)
        let db = app.storage.db
        var written: [(shop: String, review: Review)] = []
        // Each shop's reviews spread evenly over the stretch: ordered by their place in their own series.
        var schedule: [(shop: String, count: Int, scores: [Int], nth: Int)] = []
        for entry in Self.reviewCast {
            for nth in 0..<entry.count { schedule.append((entry.shop, entry.count, entry.scores, nth)) }
        }
        schedule.sort { (first, second) -> Bool in
            let a = Double(first.nth) / Double(first.count), b = Double(second.nth) / Double(second.count)
            return a < b
        }
        let total = schedule.count
        for (index, pick) in schedule.enumerated() {
            let nth = pick.nth
            guard let shop = try await Shop.query(on: db).filter(\.$name == pick.shop).first() else { continue }
            _ = try clock.set(clock.now().addingTimeInterval(Double(290 * 86400 / total)))
            let overall = pick.scores[nth % pick.scores.count]
            let review = Review()
            review.id = UUID()
            review.$shop.id = try shop.requireID()
            review.origin = (nth % 5 == 4 ? ReviewOrigin.confirmedEmail : .invited).rawValue
            review.kind = ReviewKind.review.rawValue
            review.authorName = ["Anouk", "Bram", "Chantal", "Dennis", "Esra", "Floor", "Gijs", "Hanna"][nth % 8] + " " + ["V.", "d. B.", "K.", "S."][nth % 4]
            review.authorEmail = "koper\(index)@consument.example"
            review.locale = base.scheme.defaultLanguage
            review.overall = overall
            var scores: [String: Int] = [:]
            for (number, criterion) in rules.criteria.enumerated() {
                scores[criterion.id] = min(rules.scaleMaximum, max(rules.scaleMinimum, overall + (number + nth) % 3 - 1))
            }
            review.scores = ReviewsService.encode(scores)
            review.text = Self.reviewTexts[(nth + overall) % Self.reviewTexts.count]
            review.state = Review.State.published.rawValue
            review.createdAt = clock.now()
            try await db.transaction { db in
                try await review.create(on: db)
                try await service.publish(review, rules: rules, on: db)
            }
            written.append((pick.shop, review))
        }
        // The shop answers its lowest review; a buyer's review of the garden shop is reported.
        let own = written.filter { $0.shop == "Fietsenhuis De Ketting" }.map(\.review)
        if let lowest = own.map(\.overall).min(), let low = own.last(where: { $0.overall == lowest }),
           let owner = try? await identity(try await contactEmail(of: "Fietsenhuis De Ketting B.V.")) {
            _ = try await service.reply(low.id?.uuidString, member: owner, text: "Dank voor uw eerlijke beoordeling. Wij hebben onze verpakking aangepast.")
        }
        if let reported = written.first(where: { $0.shop == "Tuinwinkel De Hark" })?.review {
            _ = try await service.flag(reported.id?.uuidString, FlagRequest(reason: FlagReason.notABuyer.rawValue, note: "Deze naam komt niet voor in onze orders."),
                                       by: try? await identity(try await contactEmail(of: "Tuinwinkel De Hark B.V.")), locale: .fallback)
        }
        // Review fraud at the cheese shop: a warning six weeks ago, and a second offence three days ago
        // that took its listing and seal offline (the ladder's second step, where the scheme has one).
        let cheese = written.filter { $0.shop == "Kaasmakerij Gouwe" }.compactMap { $0.review.id?.uuidString }
        guard cheese.count >= 4, !rules.ladder.isEmpty,
              let slug = try await Shop.query(on: db).filter(\.$name == "Kaasmakerij Gouwe").first()?.slug else { return }
        let mediator = try await identity("mediator@demo.trustmark.example")
        // The reviews' clock has run on to their last day; the offences keep their own.
        let later = SettableClock(Day(now.addingTimeInterval(-42 * 86400), in: base.timeZone).midday(in: base.timeZone))
        let fraudDesk = MembershipDesk(storage: base.storage, clock: later, active: base.active, outbox: base.outbox, localizer: base.localizer,
                                       baseURL: base.baseURL, calendar: base.calendar, writer: base.writer, logger: base.logger)
        let fraud = ReviewsService(desk: fraudDesk, register: app.register)
        _ = try await fraud.openOffence(shop: slug, OffenceRequest(
            reviews: Array(cheese.prefix(2)), explanation: "Twee vijfsterrenreviews zijn geschreven door medewerkers van de kaasmakerij (zelfde IP-adres als het kantoor)."),
                                          staff: mediator, locale: .fallback)
        _ = try later.set(Day(now.addingTimeInterval(-3 * 86400), in: base.timeZone).midday(in: base.timeZone))
        _ = try await fraud.openOffence(shop: slug, OffenceRequest(
            reviews: Array(cheese.suffix(2)), explanation: "Kopers kregen 10% korting in ruil voor een review van vijf sterren."),
                                          staff: mediator, locale: .fallback)
    }
}
