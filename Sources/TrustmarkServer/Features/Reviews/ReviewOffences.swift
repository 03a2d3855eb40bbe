import FluentKit
import Foundation
import TrustmarkCore

struct OffenceRequest: Codable, Sendable {
    /// The offending reviews (ids); they must be the shop's.
    var reviews: [String]?
    /// What staff found, in their words (it goes into the letter).
    let explanation: String
    /// Another ladder step than the proposed one (1-based), with `deviationReason`.
    var step: Int?
    var deviationReason: String?
}

struct ReturnRequest: Codable, Sendable {
    let reason: String
}

/// Confirmed review fraud: an offence against the shop moves it one step on the scheme's ladder
/// (Kieskeurig.nl's by default): the letter, the mail with the letter, the offending reviews taken
/// offline, the shop's listing and seal suspended for the step's time, tasks for staff to phone or
/// meet; consumers are warned on the shop's page while a step is in force. Staff may take another
/// step with a written reason where the scheme allows it. Without a ladder the offence is recorded
/// and goes to the sanctions desk as a proposal.
extension ReviewsService {
    static let offenceSource = "review_fraud"

    func openOffence(shop raw: String, _ request: OffenceRequest, staff: Identity, locale: AppLocale) async throws -> OffenceDTO {
        let rules = try rules()
        let ladder = FraudLadder(rules)
        let explanation = request.explanation.trimmingWhitespace()
        var errors = FormErrors()
        if explanation.isEmpty { errors.add(.invalid("explanation", "validation_required")) }
        if explanation.count > 5_000 { errors.add(.invalid("explanation", "validation_too_long", ["max": "5000"])) }
        let named = request.reviews ?? []
        let ids = named.compactMap { UUID(uuidString: $0.trimmingWhitespace()) }
        if ids.count != named.count { errors.add(.invalid("reviews", "offence_review_unknown")) }
        try errors.throwIfAny()
        let slug = try await register.slug(matching: raw)
        guard let shop = try await Shop.query(on: desk.storage.db).filter(\.$slug == slug).first(), let shopID = shop.id else {
            throw AppError(.notFound, code: "shop_not_found", messageKey: "reviews_shop_unknown", arguments: ["shop": raw], field: "shop")
        }
        let now = desk.clock.now()
        let today = desk.today
        return try await desk.storage.db.transaction { db in
            let offending = ids.isEmpty ? [] : try await Review.query(on: db).filter(\.$id ~~ ids).all()
            guard offending.count == Set(ids).count, offending.allSatisfy({ $0.$shop.id == shopID }) else {
                throw AppError.invalid("reviews", "offence_review_unknown")
            }
            let number = try await ReviewOffence.query(on: db).filter(\.$shop.$id == shopID).count() + 1
            let offence = ReviewOffence()
            offence.id = UUID()
            offence.$shop.id = shopID
            offence.organisationID = shop.$organisation.id
            offence.number = number
            offence.explanation = explanation
            offence.reviews = Self.encode(ids.map(\.uuidString))
            offence.startsOn = today.description
            offence.decidedBy = staff.userID
            offence.createdAt = now
            offence.offline = false
            var step: ReviewRules.LadderStep?
            do throws(FraudLadder.Refusal) {
                let chosen = try ladder.choose(offence: number, chosen: request.step, reason: request.deviationReason)
                step = ladder.steps[chosen.step - 1]
                offence.step = chosen.step
                offence.proposedStep = ladder.proposedStep(offence: number)
                offence.action = ladder.steps[chosen.step - 1].action.rawValue
                if chosen.deviated { offence.deviationReason = request.deviationReason?.trimmingWhitespace() }
            } catch .noLadder {
                offence.action = "recorded"
            } catch .unknownStep(let wrong) {
                throw AppError.invalid("step", "offence_step_unknown", ["step": "\(wrong)", "max": "\(ladder.steps.count)"])
            } catch .deviationNotAllowed {
                throw AppError.invalid("step", "offence_deviation_not_allowed")
            } catch .reasonRequired {
                throw AppError.invalid("deviationReason", "offence_deviation_reason_required")
            }
            if let step, let number = offence.step {
                let schedule = ladder.schedule(step: number, from: today, timeZone: desk.timeZone)
                offence.offline = schedule.offline
                offence.backOnlineOn = schedule.backOnline?.description
                offence.durationEndsOn = schedule.durationEnds?.description
                offence.noticeUntil = schedule.noticeUntil?.description
                if schedule.offline {
                    shop.suspendedFrom = today.description
                    shop.suspendedUntil = schedule.backOnline?.description
                    shop.suspensionSource = Self.offenceSource
                    try await shop.save(on: db)
                    try await WebhookEvents.statusChanged(organisation: shop.$organisation.id, shop: shop, from: "valid", to: "suspended", now: now, on: db)
                }
                if step.removeReviews {
                    for review in offending where review.state != Review.State.removed.rawValue { try await takeOffline(review, reason: .fake, rules: rules, at: now, on: db) }
                }
                if step.letter { offence.letterID = try await letter(offence, shop: shop, ladder: ladder, on: db) }
                if step.phoneTask { try await StaffTask(.phoneShop, shop: shopID, subjectType: "review_offence", subjectID: offence.id!.uuidString, due: today.description, at: now).create(on: db) }
                if step.action == .meeting { try await StaffTask(.meeting, shop: shopID, subjectType: "review_offence", subjectID: offence.id!.uuidString, due: today.description, at: now).create(on: db) }
            } else {
                // Without a ladder the decision is the sanctions desk's.
                for review in offending where review.state != Review.State.removed.rawValue { try await takeOffline(review, reason: .fake, rules: rules, at: now, on: db) }
                try await SanctionProposals.raise(organisation: shop.$organisation.id, shop: shopID, source: "reviews", reason: "proposal_reason_review_fraud",
                                                  evidence: [explanation] + ids.map { "review \($0.uuidString)" }, at: now, on: db)
            }
            try await offence.create(on: db)
            var detail = ["offence": "\(number)", "action": offence.action, "reviews": "\(ids.count)"]
            if let number = offence.step { detail["step"] = "\(number)" }
            if let reason = offence.deviationReason { detail["deviation_reason"] = reason }
            if let until = offence.backOnlineOn { detail["back_online_on"] = until }
            // The history line also moves the seal version: every instance shows the suspension at once.
            try await desk.note("review.offence", organisation: shop.$organisation.id, actor: Record.Actor(staff), detail: detail, on: db)
            if step != nil { try await mailOffence(offence, shop: shop, ladder: ladder, on: db) }
            return try offenceDTO(offence, shop: shop, ladder: ladder, locale: locale)
        }
    }

    /// Staff put a shop back online before (or, for a step without automatic return, after) its time.
    func returnOnline(_ rawID: String?, _ request: ReturnRequest, staff: Identity, locale: AppLocale) async throws -> OffenceDTO {
        let rules = try rules()
        let reason = request.reason.trimmingWhitespace()
        guard !reason.isEmpty else { throw AppError.invalid("reason", "validation_required") }
        guard let id = rawID.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            guard let offence = try await ReviewOffence.query(on: db).filter(\.$id == id).with(\.$shop).first() else { throw AppError.notFound }
            guard offence.offline, offence.returnedAt == nil else { throw AppError.conflict("not_offline", "offence_not_offline") }
            try await backOnline(offence, by: staff.userID, reason: reason, at: now, on: db)
            try await desk.note("review.back_online", organisation: offence.organisationID, actor: Record.Actor(staff), detail: ["offence": "\(offence.number)", "reason": reason], on: db)
            return try offenceDTO(offence, shop: offence.shop, ladder: FraudLadder(rules), locale: locale)
        }
    }

    private func backOnline(_ offence: ReviewOffence, by user: UUID?, reason: String, at now: Date, on db: any Database) async throws {
        offence.returnedAt = now
        offence.returnedBy = user
        offence.returnReason = reason
        // Back online, the step is over: consumers are no longer warned from today.
        offence.noticeUntil = desk.today.description
        try await offence.save(on: db)
        let shop = offence.shop
        if shop.suspensionSource == Self.offenceSource {
            shop.suspendedFrom = nil
            shop.suspendedUntil = nil
            shop.suspensionSource = nil
            try await shop.save(on: db)
            try await WebhookEvents.statusChanged(organisation: shop.$organisation.id, shop: shop, from: "suspended", to: "valid", now: desk.clock.now(), on: db)
        }
        for task in try await StaffTask.query(on: db).filter(\.$subjectID == offence.id!.uuidString).filter(\.$kind == StaffTask.Kind.returnOnline.rawValue)
            .filter(\.$doneAt == nil).all() {
            task.doneAt = now
            task.doneBy = user
            task.note = reason
            try await task.save(on: db)
        }
        let name = shop.name
        try await desk.mail(offence.organisationID, subject: "mail_offence_back_subject", body: "mail_offence_back_body", { _ in ["shop": name] },
                            kind: "review.back_online", on: db)
    }

    /// Once a day: shops whose offline time ran out with automatic return come back (recorded and
    /// mailed); an offline step without automatic return puts a task before staff when its time is up.
    func ladderSweep() async throws {
        guard desk.scheme.reviews != nil else { return }
        let today = desk.today
        let now = desk.clock.now()
        let db = desk.storage.db
        let open = try await ReviewOffence.query(on: db).filter(\.$offline == true).filter(\.$returnedAt == nil).with(\.$shop).all()
        for offence in open {
            if let back = offence.backOnlineOn.flatMap(Day.init), back <= today {
                try await db.transaction { db in
                    try await backOnline(offence, by: nil, reason: "automatic", at: now, on: db)
                    try await desk.note("review.back_online", organisation: offence.organisationID, actor: .system,
                                        detail: ["offence": "\(offence.number)", "reason": "automatic"], on: db)
                }
            } else if offence.backOnlineOn == nil, let end = offence.durationEndsOn.flatMap(Day.init), end <= today {
                let subject = offence.id!.uuidString
                guard try await StaffTask.query(on: db).filter(\.$subjectID == subject).filter(\.$kind == StaffTask.Kind.returnOnline.rawValue).count() == 0
                else { continue }
                try await StaffTask(.returnOnline, shop: offence.$shop.id, subjectType: "review_offence", subjectID: subject, due: end.description, at: now).create(on: db)
            }
        }
    }
}
