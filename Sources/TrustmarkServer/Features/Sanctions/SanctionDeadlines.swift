import FluentKit
import Foundation
import TrustmarkCore

/// The ladder with the clock: every day, each sanction in force whose last day has passed takes its
/// next step. An improvement period without improvement becomes a summons, a summons whose deadline
/// passed becomes a revocation (both follow the decision already taken, so they need no new
/// confirmation); a suspension ends and the shop is reinstated while its membership runs. Staff close a
/// sanction early when a re-check finds the shop improved or it complied.
extension SanctionsService {
    static let dailyKind = "sanctions.daily"

    /// What a daily run did.
    struct SweepReport: Equatable, Sendable {
        var escalated = 0
        var resolved = 0
    }

    func sweep() async throws -> SweepReport {
        guard desk.scheme.sanctions != nil else { return SweepReport() }
        let ladder = try ladder()
        let today = desk.today
        let due = try await Sanction.query(on: desk.storage.db).filter(\.$stateRaw == SanctionState.inForce.rawValue).filter(\.$deadline != nil).all()
            .filter { sanction in sanction.deadline.flatMap(Day.init).map { $0 < today } ?? false }
        var report = SweepReport()
        for id in due.compactMap(\.id) {
            let state = try await desk.storage.db.transaction { db in try await deadlinePassed(id, ladder: ladder, today: today, on: db) }
            if state == .escalated { report.escalated += 1 }
            if state == .resolved { report.resolved += 1 }
        }
        return report
    }

    /// A re-check found the shop improved, it complied with a summons, or staff reinstate a suspended
    /// shop before its last day.
    func resolve(_ id: String?, reason: String, by actor: Identity) async throws -> Sanction {
        try await reasonedStep(id, .resolve, action: "sanction.resolved", reasonKey: "resolution", reason: reason, by: actor) { sanction, db in
            try await lift(sanction, actor: .init(actor), on: db)
        }
    }

    private func deadlinePassed(_ id: UUID, ladder: SanctionLadder, today: Day, on db: any Database) async throws -> SanctionState? {
        guard let sanction = try await Sanction.find(id, on: db), sanction.state == .inForce, let kind = sanction.kind else { return nil }
        let membership = try await memberships.membership(of: sanction.organisationID, on: db)
        let running = membership != nil && membership?.endedOn == nil
        let next = try await move(sanction, .deadlinePassed(conditionsMet: running), ladder: ladder, action: "sanction.deadline_passed", actor: .system, on: db)
        if next.state == .resolved {
            try await lift(sanction, actor: .system, on: db)
        } else if let follow = kind.escalation, running {
            try await escalate(sanction, to: follow, ladder: ladder, today: today, on: db)
        }
        return next.state
    }

    /// The ladder's next kind, in force at once, on the same decision.
    private func escalate(_ sanction: Sanction, to kind: SanctionKind, ladder: SanctionLadder, today: Day, on db: any Database) async throws {
        let now = desk.clock.now()
        let locale = AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback
        let next = Sanction()
        next.organisationID = sanction.organisationID
        next.$shop.id = sanction.$shop.id
        next.kindRaw = kind.rawValue
        next.stateRaw = SanctionState.inForce.rawValue
        next.reason = desk.localizer.text("sanction_reason_escalated", locale, ["kind": desk.localizer.text("sanction_kind_\(sanction.kindRaw)", locale),
                                                                                 "date": desk.dayText(sanction.deadline, locale) ?? ""])
        next.article = ladder.article(kind)
        next.tasks = ""
        next.decidedBy = sanction.decidedBy
        next.confirmedBy = sanction.confirmedBy
        next.followsID = try sanction.requireID()
        next.decidedOn = today.description
        do { next.deadline = try ladder.deadline(kind, decidedOn: today, chosen: nil)?.description } catch let refusal as SanctionRefusal { throw answer(refusal) }
        next.createdAt = now
        next.updatedAt = now
        try await next.create(on: db)
        try await record("sanction.escalated", next, actor: .system, extra: ["follows": try sanction.requireID().uuidString], on: db)
        try await takeEffect(next, shop: try await shop(of: next, on: db), ladder: ladder, actor: .system, on: db)
    }

    /// Undoes what a sanction did while it stood: a suspension's mark on the shop and its listing, an
    /// unauthorised use's listing. The member is told unless `notify` is false (an appeal's decision
    /// says it itself).
    func lift(_ sanction: Sanction, actor: Record.Actor, notify: Bool = true, on db: any Database) async throws {
        guard let kind = sanction.kind, kind == .suspension || kind == .unauthorisedUseSummons else { return }
        let shop = try await shop(of: sanction, on: db)
        if kind == .suspension, let shop, shop.suspensionSource == Self.suspensionSource {
            shop.suspendedFrom = nil
            shop.suspendedUntil = nil
            shop.suspensionSource = nil
            try await shop.save(on: db)
            try await WebhookEvents.statusChanged(organisation: sanction.organisationID, shop: shop, from: "suspended", to: "valid", now: desk.clock.now(), on: db)
        }
        // The listing names the shop, or for a party that is no member the party.
        let shopName = shop?.name ?? sanction.partyName ?? ""
        if let event = kind.publicationEvent {
            try await memberships.delist(organisation: sanction.organisationID, event: event, name: shopName, on: db)
        }
        try await desk.note("sanction.lifted", organisation: sanction.organisationID, actor: actor, detail: ["kind": kind.rawValue, "sanction": sanction.id?.uuidString ?? ""], on: db)
        guard notify, shop != nil else { return }
        try await desk.mail(sanction.organisationID, subject: "mail_sanction_lifted_subject", body: "mail_sanction_lifted_body", { locale in
            ["kind": desk.localizer.text("sanction_kind_\(kind.rawValue)", locale), "shop": shopName]
        }, kind: "sanction", on: db)
    }
}
