import FluentKit
import Foundation
import TrustmarkCore

/// CSV for the organisation's own reporting. Members come out in the columns the import reads, so a
/// list can go out and back in. Consumers' names and addresses stay out of the complaints and
/// reviews files: reporting needs the facts, not the people.
struct Exporter: Sendable {
    let desk: MembershipDesk

    enum Kind: String, CaseIterable, Sendable { case members, complaints, reviews }

    func csv(_ kind: Kind) async throws -> String {
        switch kind {
        case .members: return try await members()
        case .complaints: return try await complaints()
        case .reviews: return try await reviews()
        }
    }

    func members() async throws -> String {
        let db = desk.storage.db
        let rules = try desk.rules()
        var text = CSV.line(MemberList.Column.allCases.map(\.rawValue) + ["standing", "shop_slug"])
        let registrations = Dictionary(try await Registration.query(on: db).all().map { ($0.$organisation.id, $0) }, uniquingKeysWith: { first, _ in first })
        let memberships = Dictionary(try await Membership.query(on: db).all().map { ($0.$organisation.id, $0) }, uniquingKeysWith: { first, _ in first })
        let languages = Dictionary(try await User.query(on: db).filter(\.$roleRaw == Role.member.rawValue).all().map { ($0.email, $0.locale) },
                                   uniquingKeysWith: { first, _ in first })
        let shops = try await Shop.query(on: db).filter(\.$stateRaw == Shop.State.approved.rawValue).with(\.$domains).sort(\.$createdAt).all()
        for shop in shops {
            guard let registration = registrations[shop.$organisation.id], let membership = memberships[shop.$organisation.id] else { continue }
            let paidUntil = membership.paidThrough.flatMap(Day.init)?.adding(days: -1).description ?? ""
            let values: [MemberList.Column: String] = [
                .organisation: registration.legalName, .kvk: registration.kvk, .vat: registration.vatNumber, .contactName: registration.contactName,
                .contactEmail: registration.contactEmail, .shop: shop.name, .domains: shop.domains.filter { $0.releasedAt == nil }.map(\.domain).joined(separator: " "),
                .variant: shop.variant, .memberSince: membership.approvedOn, .paidUntil: paidUntil, .street: registration.street,
                .postcode: registration.postcode, .city: registration.city, .country: registration.country, .phone: registration.phone,
                .email: registration.email, .language: languages[registration.contactEmail] ?? "",
            ]
            text += CSV.line(MemberList.Column.allCases.map { values[$0] ?? "" } + [rules.standing(membership.facts, today: desk.today).code, shop.slug ?? ""])
        }
        return text
    }

    func complaints() async throws -> String {
        let db = desk.storage.db
        var text = CSV.line(["reference", "received_on", "shop", "subject", "source", "state", "outcome", "consumer_country", "sector",
                             "forwarded_on", "first_answer_on", "finished_on", "no_answer", "referred_on", "ruling"])
        let day = { (date: Date?) in date.map { Day($0, in: desk.timeZone).description } ?? "" }
        let rows = try await Complaint.query(on: db).filter(\.$stateRaw != Complaint.unconfirmed).with(\.$shop).sort(\.$confirmedAt).all()
        for complaint in rows {
            text += CSV.line([complaint.reference ?? "", day(complaint.confirmedAt), complaint.shop?.name ?? "", complaint.subjectRaw, complaint.source,
                              complaint.stateRaw, complaint.outcomeRaw ?? "", complaint.consumerCountry, complaint.sector ?? "", day(complaint.forwardedAt),
                              day(complaint.firstAnswerAt), day(complaint.finishedAt), complaint.noAnswer ? "yes" : "no", day(complaint.referredAt),
                              complaint.rulingOutcome ?? ""])
        }
        return text
    }

    func reviews() async throws -> String {
        let db = desk.storage.db
        var text = CSV.line(["id", "shop", "created_on", "published_on", "state", "origin", "kind", "overall", "scores", "text", "reply", "removed_reason"])
        let day = { (date: Date?) in date.map { Day($0, in: desk.timeZone).description } ?? "" }
        let names = Dictionary(try await Shop.query(on: db).all().compactMap { shop in shop.id.map { ($0, shop.name) } }, uniquingKeysWith: { first, _ in first })
        let rows = try await Review.query(on: db).filter(\.$state != Review.State.unconfirmed.rawValue).sort(\.$createdAt).all()
        for review in rows {
            text += CSV.line([review.id?.uuidString ?? "", names[review.$shop.id] ?? "", day(review.createdAt), day(review.publishedAt), review.state,
                              review.origin, review.kind, "\(review.overall)", review.scores, review.text ?? "", review.reply ?? "", review.removedReason ?? ""])
        }
        return text
    }
}
