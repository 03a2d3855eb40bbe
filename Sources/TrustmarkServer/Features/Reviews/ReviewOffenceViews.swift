import FluentKit
import Foundation
import TrustmarkCore

struct OffenceDTO: Codable, Sendable {
    let id: UUID
    let shop: String
    let slug: String
    /// The shop's how-manieth offence.
    let number: Int
    /// The ladder step taken (1-based) and the one the ladder proposed; nil without a ladder.
    let step: Int?
    let proposedStep: Int?
    /// `warning`, `offline`, `meeting`, or `recorded` (no ladder: a sanction proposal was raised).
    let action: String
    /// The step in words: what it does.
    let stepText: String
    let deviationReason: String?
    let explanation: String
    let reviews: [UUID]
    let startsOn: String
    let startsOnText: String
    let offline: Bool
    /// The first day back online by itself; nil for a step that waits for staff.
    let backOnlineOn: String?
    let durationEndsOn: String?
    let returnedAt: Date?
    let returnReason: String?
    /// The letter's id (staff: `/staff/letters/{id}/pdf`, the member: `/portal/letters/{id}/pdf`).
    let letter: UUID?
    let createdAt: Date
}

struct LadderStepDTO: Codable, Sendable {
    let number: Int
    let text: String
}

/// A shop's offences and where the next one would take it.
struct ShopOffencesDTO: Codable, Sendable {
    let shop: String
    let slug: String
    let offences: [OffenceDTO]
    let nextOffence: Int
    /// The step the next offence takes; nil when the scheme has no ladder.
    let proposedStep: Int?
    let steps: [LadderStepDTO]
    let staffMayDeviate: Bool
}

/// The words of the ladder: the step in a sentence, the letter, the mails and the consumer warning.
extension ReviewsService {
    func stepText(_ number: Int, ladder: FraudLadder, locale: AppLocale) -> String {
        guard ladder.steps.indices.contains(number - 1) else { return "" }
        let step = ladder.steps[number - 1]
        let t = { (key: String, values: [String: String]) in desk.localizer.text(key, locale, values) }
        var parts: [String]
        switch step.action {
        case .warning: parts = [t("ladder_warning", [:])]
        case .meeting: parts = [t("ladder_step_meeting", [:])]
        case .offline:
            let period = step.duration.map { SchemeFacts(localizer: desk.localizer).period($0, locale) } ?? ""
            parts = [t(step.automaticReturn ? "ladder_offline_return" : "ladder_offline_staff", ["period": period])]
        }
        if step.removeReviews { parts.append(t("ladder_reviews_removed", [:])) }
        if step.letter { parts.append(t("ladder_letter", [:])) }
        if step.phoneTask { parts.append(t("ladder_phone", [:])) }
        return parts.joined(separator: "; ")
    }

    /// The step as a sentence on its own (pages and the API), where the letter uses it inside one.
    private func stepSentence(_ number: Int, ladder: FraudLadder, locale: AppLocale) -> String {
        let text = stepText(number, ladder: ladder, locale: locale)
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    func offenceDTO(_ offence: ReviewOffence, shop: Shop, ladder: FraudLadder, locale: AppLocale) throws -> OffenceDTO {
        OffenceDTO(id: try offence.requireID(), shop: shop.name, slug: shop.slug ?? "", number: offence.number, step: offence.step,
                   proposedStep: offence.proposedStep, action: offence.action,
                   stepText: offence.step.map { stepSentence($0, ladder: ladder, locale: locale) } ?? desk.localizer.text("ladder_recorded", locale),
                   deviationReason: offence.deviationReason, explanation: offence.explanation,
                   reviews: (Self.decode([String].self, offence.reviews) ?? []).compactMap(UUID.init(uuidString:)), startsOn: offence.startsOn,
                   startsOnText: desk.dayText(offence.startsOn, locale) ?? offence.startsOn,
                   offline: offence.offline, backOnlineOn: offence.backOnlineOn, durationEndsOn: offence.durationEndsOn, returnedAt: offence.returnedAt,
                   returnReason: offence.returnReason, letter: offence.letterID, createdAt: offence.createdAt)
    }

    /// A shop's offences, newest first, and the step its next offence would take.
    func offences(shop raw: String, locale: AppLocale, member: Identity? = nil) async throws -> ShopOffencesDTO {
        let ladder = FraudLadder(try rules())
        let slug = try await register.slug(matching: raw)
        guard let shop = try await Shop.query(on: desk.storage.db).filter(\.$slug == slug).first(), let shopID = shop.id else { throw AppError.notFound }
        if let member { try desk.checkOwn(shop.$organisation.id, member) }
        let rows = try await ReviewOffence.query(on: desk.storage.db).filter(\.$shop.$id == shopID).sort(\.$number, .descending).all()
        let next = rows.count + 1
        return ShopOffencesDTO(shop: shop.name, slug: slug, offences: try rows.map { try offenceDTO($0, shop: shop, ladder: ladder, locale: locale) },
                               nextOffence: next, proposedStep: ladder.proposedStep(offence: next),
                               steps: ladder.steps.indices.map { LadderStepDTO(number: $0 + 1, text: stepSentence($0 + 1, ladder: ladder, locale: locale)) },
                               staffMayDeviate: ladder.staffMayDeviate)
    }

    /// The official letter, kept byte for byte, in the member's language.
    func letter(_ offence: ReviewOffence, shop: Shop, ladder: FraudLadder, on db: any Database) async throws -> UUID? {
        guard let number = offence.step, let contact = try await desk.contact(of: shop.$organisation.id, on: db) else { return nil }
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == shop.$organisation.id).first()
        let locale = contact.locale
        let values = offenceValues(offence, shop: shop, ladder: ladder, locale: locale)
        let t = { (key: String) in desk.localizer.text(key, locale, values) }
        var paragraphs = [t("letter_offence_found"), t("letter_offence_\(ladder.steps[number - 1].action.rawValue)")]
        if offence.deviationReason != nil { paragraphs.append(t("letter_offence_deviation")) }
        if values["next"] != nil { paragraphs.append(t("letter_offence_next")) }
        paragraphs.append(t("letter_offence_questions"))
        let letter = DocumentWriter.Letter(
            recipient: registration?.legalName ?? shop.name,
            address: registration.map { [$0.street, "\($0.postcode) \($0.city)", $0.country] } ?? [],
            subject: t("letter_offence_subject"), paragraphs: paragraphs, registered: false, date: offence.createdAt)
        let letters = LettersService(storage: desk.storage, clock: desk.clock, writer: desk.writer, timeZone: desk.timeZone)
        return try await letters.create(kind: Self.offenceSource, letter: letter, locale: locale, organisationID: shop.$organisation.id, by: .system, on: db).id
    }

    func mailOffence(_ offence: ReviewOffence, shop: Shop, ladder: FraudLadder, on db: any Database) async throws {
        let values = { @Sendable (locale: AppLocale) in offenceValues(offence, shop: shop, ladder: ladder, locale: locale) }
        try await desk.mail(shop.$organisation.id, subject: "mail_offence_subject", body: offence.letterID == nil ? "mail_offence_body" : "mail_offence_body_letter",
                            values, kind: "review.offence", letter: offence.letterID, on: db)
    }

    private func offenceValues(_ offence: ReviewOffence, shop: Shop, ladder: FraudLadder, locale: AppLocale) -> [String: String] {
        var values = ["shop": shop.name, "scheme": desk.scheme.name, "explanation": offence.explanation, "number": "\(offence.number)",
                      "date": desk.dayText(offence.startsOn, locale) ?? offence.startsOn,
                      "step": offence.step.map { stepText($0, ladder: ladder, locale: locale) } ?? ""]
        if let until = offence.backOnlineOn.flatMap(Day.init) { values["until"] = desk.dayText(until.adding(days: -1), locale) }
        values["offline"] = desk.localizer.text(offence.backOnlineOn == nil ? "letter_offline_open" : "letter_offline_until", locale, values)
        if let reason = offence.deviationReason { values["reason"] = reason }
        if let next = ladder.proposedStep(offence: offence.number + 1) { values["next"] = stepText(next, ladder: ladder, locale: locale) }
        return values
    }

    /// The warning consumers read on the shop's page while a step is in force.
    static func warningText(_ notice: ShopRecord.FraudNotice, desk: MembershipDesk, locale: AppLocale) -> String {
        var values = ["scheme": desk.scheme.name, "date": desk.dayText(notice.startsOn, locale)]
        if let until = notice.offlineUntil { values["until"] = desk.dayText(until, locale) }
        let measure: String
        switch notice.action {
        case "offline": measure = notice.offlineUntil == nil ? "verify_fraud_offline_open" : "verify_fraud_offline_until"
        case "meeting": measure = "verify_fraud_meeting"
        default: measure = "verify_fraud_warning"
        }
        return desk.localizer.text("verify_fraud_found", locale, values) + " " + desk.localizer.text(measure, locale, values)
    }
}
