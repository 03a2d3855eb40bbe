import FluentKit
import Foundation
import TrustmarkCore

/// What the member does with a sanction, and how staff answer: the member sends evidence during an
/// improvement period and may object to a decision within the scheme's appeal period; another staff
/// member than the one who decided upholds or rejects the objection, with a reason. An upheld
/// objection sets the sanction aside and undoes what it did (the suspension, the listing, the end of
/// the membership); the seal and the page show it within the cache window.
extension SanctionsService {
    /// The most an objection or a piece of evidence may say.
    static let textLimit = 4000

    /// The sanctions `viewer` may see: every one for staff, the organisation's own for a member.
    func list(state: String?, for viewer: Identity) async throws -> [Sanction] {
        var query = Sanction.query(on: desk.storage.db).with(\.$shop) { $0.with(\.$domains) }.sort(\.$createdAt, .descending)
        if let state { query = query.filter(\.$stateRaw == state) }
        if viewer.role == .member {
            guard let organisation = viewer.organisationID else { return [] }
            query = query.filter(\.$organisationID == organisation)
        }
        return try await query.all()
    }

    /// One sanction as `viewer` may see it: another organisation's answers 404.
    func find(_ id: String?, for viewer: Identity) async throws -> Sanction {
        let sanction = try await load(id, on: desk.storage.db)
        try desk.checkOwn(sanction.organisationID, viewer)
        sanction.$shop.value = try await shop(of: sanction, on: desk.storage.db)
        return sanction
    }

    func evidence(of sanction: Sanction) async throws -> [SanctionEvidence] {
        try await SanctionEvidence.query(on: desk.storage.db).filter(\.$sanction.$id == sanction.requireID()).sort(\.$submittedAt).all()
    }

    /// The member shows what it did during an improvement period (or to comply with a summons); the
    /// staff member who decided hears of it and closes the period after a re-check.
    func submitEvidence(_ id: String?, text: String, by member: Identity) async throws -> Sanction {
        let text = try Self.checked(text, field: "text")
        return try await desk.storage.db.transaction { db in
            let sanction = try await load(id, on: db)
            try desk.checkOwn(sanction.organisationID, member)
            guard sanction.state == .inForce, sanction.kind == .improvementPeriod || sanction.kind == .summons else {
                throw AppError.conflict("sanction_state", "sanction_evidence_closed")
            }
            let row = SanctionEvidence()
            row.$sanction.id = try sanction.requireID()
            row.text = text
            row.submittedBy = member.userID
            row.submittedAt = desk.clock.now()
            try await row.create(on: db)
            try await record("sanction.evidence", sanction, actor: .init(member), extra: ["evidence": text], on: db)
            if let decider = try await User.find(sanction.decidedBy, on: db), decider.disabledAt == nil {
                let locale = AppLocale(rawValue: decider.locale) ?? .fallback
                var values = try await staffValues(sanction, on: db)
                values["name"] = decider.displayName
                values["kind"] = desk.localizer.text("sanction_kind_\(sanction.kindRaw)", locale)
                try await desk.mail(to: decider.email, locale, subject: "mail_sanction_evidence_subject", body: "mail_sanction_evidence_body", values,
                                    kind: "sanction.evidence", on: db)
            }
            return sanction
        }
    }

    /// The member objects within the scheme's appeal period; every administrator but the one who
    /// decided is told, since one of them must decide it.
    func appeal(_ id: String?, text: String, by member: Identity) async throws -> Sanction {
        let ladder = try ladder()
        let text = try Self.checked(text, field: "text")
        return try await desk.storage.db.transaction { db in
            let sanction = try await load(id, on: db)
            try desk.checkOwn(sanction.organisationID, member)
            guard sanction.appealedOn == nil else { throw AppError.conflict("appeal_lodged", "sanction_appeal_lodged") }
            do { try ladder.checkObjection(sanction.ladderCase, on: desk.today) } catch let refusal as SanctionRefusal { throw answer(refusal) }
            sanction.appealText = text
            sanction.appealedOn = desk.today.description
            sanction.updatedAt = desk.clock.now()
            try await sanction.save(on: db)
            try await record("sanction.appealed", sanction, actor: .init(member), extra: ["appeal": text], on: db)
            let values = try await staffValues(sanction, on: db), kind = sanction.kindRaw
            try await desk.mailAdmins(except: sanction.decidedBy, subject: "mail_sanction_appeal_subject", body: "mail_sanction_appeal_body", { locale in
                values.merging(["kind": desk.localizer.text("sanction_kind_\(kind)", locale)]) { _, new in new }
            }, kind: "sanction.appeal", on: db)
            return sanction
        }
    }

    /// Another staff member than the one who decided upholds or rejects the objection, with a reason.
    func decideAppeal(_ id: String?, upheld: Bool, reason: String, by staff: Identity) async throws -> Sanction {
        let ladder = try ladder()
        let reason = reason.trimmingWhitespace()
        guard !reason.isEmpty else { throw AppError.invalid("reason", "validation_required") }
        return try await desk.storage.db.transaction { db in
            let sanction = try await load(id, on: db)
            guard sanction.appealPending, let lodged = sanction.appealedOn.flatMap(Day.init) else { throw AppError.conflict("no_appeal", "sanction_no_appeal") }
            let wasInForce = sanction.state == .inForce
            let step: SanctionStep = upheld ? .appealUpheld(by: staff.userID, on: lodged) : .appealRejected(by: staff.userID, on: lodged)
            sanction.appealDecision = upheld ? "upheld" : "rejected"
            sanction.appealReason = reason
            sanction.appealDecidedBy = staff.userID
            sanction.appealDecidedOn = desk.today.description
            _ = try await move(sanction, step, ladder: ladder, action: upheld ? "sanction.appeal_upheld" : "sanction.appeal_rejected", actor: .init(staff),
                               extra: ["appeal_reason": reason], on: db)
            if upheld {
                if wasInForce { try await overturn(sanction, actor: .init(staff), on: db) }
                // The steps the ladder took from a decision set aside fall with it (a summons after an
                // improvement period, the revocation after that summons).
                for next in try await followUps(of: try sanction.requireID(), on: db) where [.inForce, .escalated, .resolved].contains(next.state) {
                    let stood = next.state == .inForce
                    _ = try await move(next, .appealUpheld(by: staff.userID, on: lodged), ladder: ladder, action: "sanction.overturned_with",
                                       actor: .init(staff), extra: ["appeal_of": try sanction.requireID().uuidString], on: db)
                    if stood { try await overturn(next, actor: .init(staff), on: db) }
                }
                try await desk.note("sanction.overturned", organisation: sanction.organisationID, actor: .init(staff), detail: ["kind": sanction.kindRaw], on: db)
            }
            let kind = sanction.kindRaw, shop = try await subject(of: sanction, on: db)
            let body = upheld ? "mail_sanction_appeal_upheld_body" : "mail_sanction_appeal_rejected_body"
            try await desk.mail(sanction.organisationID, subject: "mail_sanction_appeal_decided_subject", body: body, { locale in
                ["kind": desk.localizer.text("sanction_kind_\(kind)", locale), "shop": shop, "reason": reason]
            }, kind: "sanction", on: db)
            return sanction
        }
    }

    /// The sanctions the ladder took by itself after `id`, step by step.
    private func followUps(of id: UUID, on db: any Database) async throws -> [Sanction] {
        var found: [Sanction] = []
        var current = id
        while found.count < SanctionKind.allCases.count, let next = try await Sanction.query(on: db).filter(\.$followsID == current).first() {
            found.append(next)
            current = try next.requireID()
        }
        return found
    }

    /// Undoes what a sanction in force did: the suspension and listings are lifted, a revocation's
    /// membership runs again.
    private func overturn(_ sanction: Sanction, actor: Record.Actor, on db: any Database) async throws {
        switch sanction.kind {
        case .suspension, .unauthorisedUseSummons:
            try await lift(sanction, actor: actor, notify: false, on: db)
        case .revocation:
            try await memberships.reinstate(organisation: sanction.organisationID, endedBy: .revocation, by: actor, on: db)
        case .bankruptcyRevocation:
            try await memberships.reinstate(organisation: sanction.organisationID, endedBy: .bankruptcy, by: actor, on: db)
        case .warning, .improvementPeriod, .summons, nil:
            break
        }
    }

    /// What a mail to staff about a sanction names: whom it concerns and where to decide.
    private func staffValues(_ sanction: Sanction, on db: any Database) async throws -> [String: String] {
        ["shop": try await subject(of: sanction, on: db), "link": desk.baseURL + "/staff/sanctions/\(sanction.id?.uuidString ?? "")"]
    }

    private static func checked(_ raw: String, field: String) throws -> String {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { throw AppError.invalid(field, "validation_required") }
        guard text.count <= textLimit else { throw AppError.invalid(field, "validation_too_long", ["max": "\(textLimit)"]) }
        return text
    }
}
