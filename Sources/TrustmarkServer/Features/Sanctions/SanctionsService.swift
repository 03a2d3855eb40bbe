import FluentKit
import Foundation
import TrustmarkCore

/// Staff decide sanctions on the scheme's ladder (`SanctionLadder`): from a proposal in the queue or
/// on their own, with a written reason; a kind the scheme names in `four_eyes_for` waits for a second
/// staff member. A sanction in force acts at once: a suspension takes the seal and the page to
/// 'suspended until', a revocation or bankruptcy ends the membership, each on the public list the
/// scheme names; the member is told by mail. Every step goes into the record with its reason and the
/// article it rests on.
struct SanctionsService: Sendable {
    let desk: MembershipDesk
    let memberships: MembershipsService
    /// Where the seal was seen; the legal step looks there after a summons.
    var sightings: SealSightings? = nil

    /// What a staff member decides.
    struct Decision: Sendable {
        var proposal: UUID?
        var shop: UUID?
        var kind: String
        var until: String?
        var reason: String
        var tasks: [String]
        /// The misuse case an unauthorised-use summons pursues.
        var misuseCase: UUID? = nil
        /// Who used the seal without right, when it is no member's shop.
        var party: Party? = nil
    }

    /// A party that uses the seal without being a member: staff name it, its site, and where the
    /// summons goes.
    struct Party: Sendable {
        var name: String
        var domain: String?
        var email: String?
        var address: String?
    }

    /// The source a suspension by a sanction leaves on the shop (the fraud ladder leaves its own).
    static let suspensionSource = "sanction"

    func ladder() throws -> SanctionLadder {
        guard let rules = desk.scheme.sanctions else { throw AppError(.notFound, code: "sanctions_not_run", messageKey: "sanctions_not_run") }
        return SanctionLadder(rules, calendar: desk.calendar)
    }

    func decide(_ decision: Decision, by actor: Identity) async throws -> Sanction {
        let ladder = try ladder()
        var errors = FormErrors()
        let kind = SanctionKind(rawValue: decision.kind)
        if kind == nil { errors.add(.invalid("kind", "sanction_kind_unknown", ["kinds": SanctionKind.allCases.map(\.rawValue).joined(separator: ", ")])) }
        let reason = decision.reason.trimmingWhitespace()
        if reason.isEmpty { errors.add(.invalid("reason", "validation_required")) }
        let until = decision.until.flatMap { $0.isEmpty ? nil : $0 }
        if let until, Day(until) == nil { errors.add(.invalid("until", "validation_date")) }
        try errors.throwIfAny()
        guard let kind else { throw AppError.invalid("kind", "sanction_kind_unknown") }
        return try await desk.storage.db.transaction { db in
            var proposal: SanctionProposal?
            if let id = decision.proposal {
                guard let found = try await SanctionProposal.find(id, on: db) else { throw AppError.notFound }
                guard found.state == "open" else { throw AppError.conflict("proposal_decided", "sanction_proposal_decided") }
                proposal = found
            }
            let misuse = try await misuseCase(decision.misuseCase, kind: kind, on: db)
            let shop = try await targetShop(decision.shop ?? proposal?.$shop.id, misuse: misuse, on: db)
            guard shop != nil || kind == .unauthorisedUseSummons else { throw AppError.invalid("shopId", "sanction_shop_unknown") }
            let party = shop == nil ? try party(decision.party, misuse: misuse) : nil
            let organisation: UUID
            if let shop { organisation = shop.$organisation.id } else { organisation = try await partyOrganisation(party?.name ?? "", on: db) }
            let active = try await Sanction.query(on: db).filter(\.$organisationID == organisation)
                .filter(\.$stateRaw ~~ [SanctionState.awaitingConfirmation.rawValue, SanctionState.inForce.rawValue]).all()
                .filter { $0.$shop.id == nil || $0.$shop.id == shop?.id || $0.kind?.revokes == true }
            if let other = ladder.conflict(kind, active: active.compactMap(\.kind)) { throw answer(.conflicts(with: other)) }
            let today = desk.today
            let decided: SanctionCase
            do { decided = try ladder.apply(.decide(kind, by: actor.userID, on: today, until: until.flatMap(Day.init)), to: SanctionCase()) } catch let refusal as SanctionRefusal { throw answer(refusal) }
            let now = desk.clock.now()
            let sanction = Sanction()
            sanction.organisationID = organisation
            sanction.$shop.id = shop?.id
            sanction.$proposal.id = proposal?.id
            sanction.misuseCaseID = misuse?.id
            sanction.partyName = party?.name
            sanction.partyDomain = party?.domain
            sanction.partyEmail = party?.email
            sanction.partyAddress = party?.address
            sanction.kindRaw = kind.rawValue
            sanction.stateRaw = decided.state.rawValue
            sanction.reason = reason
            sanction.article = ladder.article(kind)
            sanction.tasks = decision.tasks.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: "\n")
            sanction.decidedBy = actor.userID
            sanction.decidedOn = today.description
            sanction.deadline = decided.deadline?.description
            sanction.createdAt = now
            sanction.updatedAt = now
            try await sanction.create(on: db)
            sanction.$shop.value = shop
            if let proposal {
                proposal.state = "decided"
                try await proposal.save(on: db)
            }
            try await record("sanction.decided", sanction, actor: .init(actor), on: db)
            if let misuse { try await pursue(misuse, sanction: sanction, by: actor, on: db) }
            if decided.state == .inForce { try await takeEffect(sanction, shop: shop, ladder: ladder, actor: .init(actor), on: db) }
            return sanction
        }
    }

    /// A second staff member confirms a decision that waits for it; the decider cannot.
    func confirm(_ id: String?, by actor: Identity) async throws -> Sanction {
        let ladder = try ladder()
        return try await desk.storage.db.transaction { db in
            let sanction = try await load(id, on: db)
            sanction.confirmedBy = actor.userID
            _ = try await move(sanction, .confirm(by: actor.userID), ladder: ladder, action: "sanction.confirmed", actor: .init(actor), on: db)
            let shop = try await shop(of: sanction, on: db)
            sanction.$shop.value = shop
            try await takeEffect(sanction, shop: shop, ladder: ladder, actor: .init(actor), on: db)
            return sanction
        }
    }

    /// A decision that waits for confirmation is not confirmed, with a reason.
    func dismiss(_ id: String?, reason: String, by actor: Identity) async throws -> Sanction {
        try await reasonedStep(id, .dismiss(by: actor.userID), action: "sanction.dismissed", reasonKey: "dismissal_reason", reason: reason, by: actor)
    }

    /// A staff step that needs a written reason: the reason checked, the step taken and recorded with
    /// it, then `after` in the same transaction.
    func reasonedStep(_ id: String?, _ step: SanctionStep, action: String, reasonKey: String, reason: String, by actor: Identity,
                      after: (@Sendable (Sanction, any Database) async throws -> Void)? = nil) async throws -> Sanction {
        let ladder = try ladder()
        let reason = reason.trimmingWhitespace()
        guard !reason.isEmpty else { throw AppError.invalid("reason", "validation_required") }
        return try await desk.storage.db.transaction { db in
            let sanction = try await load(id, on: db)
            _ = try await move(sanction, step, ladder: ladder, action: action, actor: .init(actor), extra: [reasonKey: reason], on: db)
            try await after?(sanction, db)
            return sanction
        }
    }

    // MARK: effects

    /// What a sanction does once it is in force: the seal, the public list, the membership, the mail.
    func takeEffect(_ sanction: Sanction, shop: Shop?, ladder: SanctionLadder, actor: Record.Actor, on db: any Database) async throws {
        guard let kind = sanction.kind else { return }
        let organisation = sanction.organisationID
        switch kind {
        case .suspension:
            guard let shop else { break }
            shop.suspendedFrom = sanction.decidedOn
            // The shop's record keeps the first day back; the sanction keeps the last day suspended.
            shop.suspendedUntil = sanction.deadline.flatMap(Day.init)?.adding(days: 1).description
            shop.suspensionSource = Self.suspensionSource
            try await shop.save(on: db)
            try await WebhookEvents.statusChanged(organisation: organisation, shop: shop, from: "valid", to: "suspended", now: desk.clock.now(), on: db)
            _ = try await memberships.publish(event: kind.publicationEvent ?? "", organisation: organisation, shops: [shop], delistInvoice: nil,
                                              until: sanction.deadline, on: db)
        case .revocation, .bankruptcyRevocation:
            guard let membership = try await memberships.membership(of: organisation, on: db), membership.endedOn == nil else {
                throw AppError.conflict("not_a_member", "terminate_not_member")
            }
            try await memberships.end(membership, reason: kind == .revocation ? .revocation : .bankruptcy, by: actor, notify: false, on: db)
        case .unauthorisedUseSummons:
            let entry = shop.map { ($0.name, $0.domains.map(\.domain)) } ?? (sanction.partyName ?? "", [sanction.partyDomain].compactMap { $0 })
            _ = try await memberships.publish(event: kind.publicationEvent ?? "", organisation: organisation, entries: [entry], delistInvoice: nil, on: db)
        case .warning, .improvementPeriod, .summons:
            break
        }
        // The seal and the page read the change at once (the event moves the seal version).
        try await desk.note("sanction.in_force", organisation: organisation, actor: actor, detail: ["kind": kind.rawValue, "sanction": sanction.id?.uuidString ?? ""], on: db)
        // A summons also goes as a letter (registered where the scheme's summons_channels say so);
        // staff record the day it was posted on the letters page.
        let letter = kind == .summons || kind == .unauthorisedUseSummons ? try await summonsLetter(sanction, kind: kind, shop: shop, ladder: ladder, on: db) : nil
        let shopName = shop?.name ?? sanction.partyDomain ?? ""
        if shop == nil, let email = sanction.partyEmail {
            var values = texts(sanction, kind: kind, shop: shopName, ladder: ladder, locale: partyLocale)
            values["name"] = sanction.partyName ?? ""
            values["scheme"] = desk.scheme.name
            try await desk.mail(to: email, partyLocale, subject: "mail_sanction_subject", body: "mail_sanction_body", values, kind: "sanction", letter: letter, on: db)
            return
        }
        try await desk.mail(organisation, subject: "mail_sanction_subject", body: "mail_sanction_body", { locale in
            texts(sanction, kind: kind, shop: shopName, ladder: ladder, locale: locale)
        }, kind: "sanction", letter: letter, on: db)
    }

    /// A party that is no member hears in the scheme's own language.
    var partyLocale: AppLocale { AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback }

    /// What the mail and the letter say, in `locale`: the kind, the shop, the reason, the article and,
    /// as `next`, the deadline, the tasks and the appeal period.
    private func texts(_ sanction: Sanction, kind: SanctionKind, shop: String, ladder: SanctionLadder, locale: AppLocale) -> [String: String] {
        var lines: [String] = []
        if let deadline = sanction.deadline {
            lines.append(desk.localizer.text("sanction_deadline_\(kind.rawValue)", locale, ["date": desk.dayText(deadline, locale) ?? deadline]))
        }
        if !sanction.tasks.isEmpty {
            lines.append(desk.localizer.text("sanction_tasks", locale) + "\n" + sanction.tasks.split(separator: "\n").map { "- \($0)" }.joined(separator: "\n"))
        }
        if let appeal = ladder.rules.appealPeriod {
            lines.append(desk.localizer.text("sanction_appeal", locale, ["period": SchemeFacts(localizer: desk.localizer).period(appeal, locale), "scheme": desk.scheme.name]))
        }
        return ["kind": desk.localizer.text("sanction_kind_\(kind.rawValue)", locale), "shop": shop, "reason": sanction.reason, "scheme": desk.scheme.name,
                "article": sanction.article.map { "\n" + desk.localizer.text("sanction_article", locale, ["article": $0]) } ?? "", "next": lines.joined(separator: "\n\n")]
    }

    private func summonsLetter(_ sanction: Sanction, kind: SanctionKind, shop: Shop?, ladder: SanctionLadder, on db: any Database) async throws -> UUID? {
        let contact = try await desk.contact(of: sanction.organisationID, on: db)
        guard contact != nil || sanction.partyName != nil else { return nil }
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == sanction.organisationID).first()
        let locale = contact?.locale ?? partyLocale
        let values = texts(sanction, kind: kind, shop: shop?.name ?? sanction.partyDomain ?? "", ladder: ladder, locale: locale)
        let t = { (key: String) in desk.localizer.text(key, locale, values) }
        let paragraphs = [t("letter_sanction_decided"), t("letter_sanction_reason")] + (values["next"] ?? "").components(separatedBy: "\n\n")
        let partyAddress = (sanction.partyAddress ?? "").split(separator: "\n").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        let letter = DocumentWriter.Letter(
            recipient: registration?.legalName ?? shop?.name ?? contact?.name ?? sanction.partyName ?? "",
            address: registration.map { [$0.street, "\($0.postcode) \($0.city)", $0.country] } ?? partyAddress,
            subject: t("mail_sanction_subject"), paragraphs: paragraphs, registered: ladder.rules.summonsChannels.contains("registered_letter"),
            date: desk.clock.now())
        let letters = LettersService(storage: desk.storage, clock: desk.clock, writer: desk.writer, timeZone: desk.timeZone)
        return try await letters.create(kind: "sanction.\(kind.rawValue)", letter: letter, locale: locale, organisationID: sanction.organisationID,
                                        by: .system, on: db).id
    }

    // MARK: helpers

    /// Takes one step of the ladder on a stored sanction: refused as the ladder says, else saved and
    /// recorded with `extra` (a reason given for the step).
    func move(_ sanction: Sanction, _ step: SanctionStep, ladder: SanctionLadder, action: String, actor: Record.Actor, extra: [String: String] = [:],
              on db: any Database) async throws -> SanctionCase {
        let next: SanctionCase
        do { next = try ladder.apply(step, to: sanction.ladderCase) } catch let refusal as SanctionRefusal { throw answer(refusal) }
        sanction.stateRaw = next.state.rawValue
        sanction.updatedAt = desk.clock.now()
        try await sanction.save(on: db)
        try await record(action, sanction, actor: actor, extra: extra, on: db)
        return next
    }

    /// The shop a sanction concerns, with its domains; nil for a party that is no member.
    func shop(of sanction: Sanction, on db: any Database) async throws -> Shop? {
        guard let id = sanction.$shop.id else { return nil }
        return try await Shop.query(on: db).filter(\.$id == id).with(\.$domains).first()
    }

    /// Whom a sanction concerns, as letters and mails name it: the shop, or the party.
    func subject(of sanction: Sanction, on db: any Database) async throws -> String {
        try await shop(of: sanction, on: db)?.name ?? sanction.partyName ?? ""
    }

    func load(_ id: String?, on db: any Database) async throws -> Sanction {
        guard let id = id.flatMap(UUID.init(uuidString:)), let sanction = try await Sanction.find(id, on: db) else { throw AppError.notFound }
        return sanction
    }

    func record(_ action: String, _ sanction: Sanction, actor: Record.Actor, extra: [String: String] = [:], on db: any Database) async throws {
        var after = ["kind": sanction.kindRaw, "state": sanction.stateRaw, "reason": sanction.reason, "article": sanction.article ?? "-",
                     "deadline": sanction.deadline ?? "-", "shop": sanction.$shop.id?.uuidString ?? "-"]
        after.merge(extra) { _, new in new }
        try await Record.append(on: db, at: desk.clock.now(), actor: actor, action: action, subjectType: "sanction", subjectID: try sanction.requireID().uuidString, after: after)
    }

    /// The ladder's refusals as answers a person understands.
    func answer(_ refusal: SanctionRefusal) -> AppError {
        switch refusal {
        case .tooLong(let maximum):
            return AppError.invalid("until", "sanction_too_long", ["max": maximum.description])
        case .endsTooSoon:
            return AppError.invalid("until", "sanction_ends_too_soon")
        case .notInScheme(let kind):
            return AppError.invalid("kind", "sanction_not_in_scheme", ["kind": kind.rawValue])
        case .sameStaffMember:
            return AppError(.forbidden, code: "four_eyes", messageKey: "sanction_four_eyes")
        case .notAllowed(let state):
            return AppError.conflict("sanction_state", "sanction_wrong_state", ["state": state.rawValue])
        case .appealTooLate(let closed):
            return AppError.conflict("appeal_too_late", "sanction_appeal_too_late", ["date": closed.description])
        case .conflicts(let kind):
            return AppError.conflict("sanction_conflict", "sanction_conflict_\(kind.rawValue)", ["kind": kind.rawValue])
        }
    }
}
