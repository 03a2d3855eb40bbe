import Foundation

/// The kinds of sanction a scheme enforces (KeurOnline articles 25, 26 and 28; ISO/IEC 17065's
/// graduated steps). The raw values are the keys the scheme's `sanctions` section uses in
/// `four_eyes_for` and `articles`.
public enum SanctionKind: String, Sendable, CaseIterable, Codable {
    /// A written warning; changes nothing the public sees.
    case warning
    /// The shop gets a task list and up to the scheme's maximum to improve.
    case improvementPeriod = "improvement_period"
    /// The member is told by mail and registered letter to remove the seal within the scheme's
    /// deadline (in working days); when it passes, the seal is revoked.
    case summons
    /// The seal is withdrawn until a day within the scheme's maximum.
    case suspension
    case revocation
    /// Revocation at once, on bankruptcy.
    case bankruptcyRevocation = "bankruptcy_revocation"
    /// A shop that shows the seal without the right to it (a member or not) is summoned to remove it
    /// and listed at once; if it ignores the deadline, the legal step follows.
    case unauthorisedUseSummons = "unauthorised_use_summons"

    /// The scheme's `publication` event that puts a shop on a public list for this kind.
    public var publicationEvent: String? {
        switch self {
        case .suspension: return "suspension"
        case .revocation: return "revocation"
        case .bankruptcyRevocation: return "bankruptcy"
        case .unauthorisedUseSummons: return "unauthorised_use"
        case .warning, .improvementPeriod, .summons: return nil
        }
    }

    /// What follows when the deadline passes without improvement: the next kind, decided by the
    /// ladder itself (no new staff decision), or nil.
    public var escalation: SanctionKind? {
        switch self {
        case .improvementPeriod: return .summons
        case .summons: return .revocation
        default: return nil
        }
    }

    /// Whether the kind ends the seal for good (until an appeal overturns it).
    public var revokes: Bool { self == .revocation || self == .bankruptcyRevocation }
}

/// Where one sanction stands.
public enum SanctionState: String, Sendable, CaseIterable, Codable {
    /// Raised by a signal (complaints, review fraud, a failed re-check, an unpaid invoice, a misuse
    /// case), waiting for a staff decision.
    case proposed
    /// Decided; a second staff member must confirm it before it takes effect (four-eyes).
    case awaitingConfirmation = "awaiting_confirmation"
    case inForce = "in_force"
    /// Over without the next step: the shop improved or complied, or a suspension ended.
    case resolved
    /// Its deadline passed without improvement; the next step (its kind's escalation, or for an
    /// unauthorised use the legal step) followed.
    case escalated
    /// Dropped before it took effect: a proposal not taken up, or a decision not confirmed.
    case dismissed
    /// Set aside on appeal.
    case overturned

    /// Still in the way of a conflicting sanction of the same shop.
    public var isActive: Bool { self == .awaitingConfirmation || self == .inForce }
}

/// One step of a sanction's life. Staff steps name the staff member, so that four-eyes and appeal
/// rules can be checked.
public enum SanctionStep: Equatable, Sendable {
    /// A staff member decides a proposal (or starts a sanction of their own) with its kind and, for
    /// an improvement period or suspension, the last day chosen for this case.
    case decide(SanctionKind, by: UUID, on: Day, until: Day?)
    case confirm(by: UUID)
    case dismiss(by: UUID)
    /// A re-check found the shop improved, it complied with a summons, or staff reinstate a
    /// suspended shop before its end.
    case resolve
    /// The deadline passed. For a suspension, `conditionsMet` says whether the shop may return.
    case deadlinePassed(conditionsMet: Bool)
    case appealUpheld(by: UUID, on: Day)
    case appealRejected(by: UUID, on: Day)
}

public enum SanctionRefusal: Error, Equatable, Sendable {
    /// The step does not apply in this state.
    case notAllowed(SanctionState)
    /// The scheme lacks what the kind needs (e.g. no `suspension_max`), or has no sanctions at all.
    case notInScheme(SanctionKind)
    /// The chosen last day lies beyond the scheme's maximum (the latest allowed day).
    case tooLong(maximum: Day)
    /// The chosen last day is not after the day of the decision.
    case endsTooSoon
    /// A second staff member must confirm, or decide the appeal: not the one who decided.
    case sameStaffMember
    /// The appeal came after the scheme's appeal period, which ended the day before this one.
    case appealTooLate(closed: Day)
    /// Another active sanction of the shop conflicts with this kind.
    case conflicts(with: SanctionKind)
}

/// One sanction as the ladder sees it: the facts its rules need. The server stores it with its
/// shop, evidence and reasons, and records every step.
public struct SanctionCase: Equatable, Sendable {
    public var kind: SanctionKind?
    public var state: SanctionState
    public var decidedBy: UUID?
    public var decidedOn: Day?
    /// The last day to improve or comply, or the last day of a suspension.
    public var deadline: Day?

    public init(kind: SanctionKind? = nil, state: SanctionState = .proposed, decidedBy: UUID? = nil, decidedOn: Day? = nil, deadline: Day? = nil) {
        self.kind = kind
        self.state = state
        self.decidedBy = decidedBy
        self.decidedOn = decidedOn
        self.deadline = deadline
    }
}

/// The scheme's sanction rules as one state machine: what each kind may last, who must confirm it,
/// what it does to the seal and which public list it puts the shop on, and which step follows.
public struct SanctionLadder: Sendable {
    public let rules: SanctionRules
    public let calendar: WorkingDayCalendar?

    public init(_ rules: SanctionRules, calendar: WorkingDayCalendar?) {
        self.rules = rules
        self.calendar = calendar
    }

    /// Whether a second staff member must confirm a staff decision of this kind. A step the ladder
    /// takes itself (a summons after an improvement period, a revocation after a summons) follows a
    /// decision already taken and confirmed.
    public func needsConfirmation(_ kind: SanctionKind) -> Bool { rules.fourEyesFor.contains(kind.rawValue) }

    /// The rule (article) a kind rests on, as the scheme names it; nil where the scheme is silent.
    public func article(_ kind: SanctionKind) -> String? { rules.articles[kind.rawValue] }

    /// The public list a kind puts the shop on (the list's id), or nil.
    public func list(_ kind: SanctionKind) -> String? {
        guard let event = kind.publicationEvent, let list = rules.publication[event], list != SanctionRules.never else { return nil }
        return list
    }

    /// The latest last day a kind may have when decided on `day` (an improvement period ends the
    /// scheme's maximum after the decision), or nil when the kind has no duration of its own.
    public func maximumEnd(_ kind: SanctionKind, decidedOn day: Day) throws(SanctionRefusal) -> Day? {
        switch kind {
        case .improvementPeriod:
            guard let maximum = rules.improvementPeriodMax else { throw .notInScheme(kind) }
            return day.adding(maximum)
        case .suspension:
            // The seal is suspended from the day of the decision, so its last day is one before the
            // end of the period counted from it.
            guard let maximum = rules.suspensionMax else { throw .notInScheme(kind) }
            return day.adding(maximum).adding(days: -1)
        default:
            return nil
        }
    }

    /// The deadline of a kind decided on `day`: the chosen last day (or the scheme's maximum) for an
    /// improvement period or suspension, the summons deadline counted in the scheme's working days
    /// for a summons, none for the rest.
    public func deadline(_ kind: SanctionKind, decidedOn day: Day, chosen: Day?) throws(SanctionRefusal) -> Day? {
        switch kind {
        case .improvementPeriod, .suspension:
            guard let maximum = try maximumEnd(kind, decidedOn: day) else { return nil }
            guard let chosen else { return maximum }
            if chosen <= day { throw .endsTooSoon }
            if chosen > maximum { throw .tooLong(maximum: maximum) }
            return chosen
        case .summons, .unauthorisedUseSummons:
            guard let period = rules.summonsDeadline else { throw .notInScheme(kind) }
            if let calendar { return day.adding(period, calendar: calendar) }
            return day.adding(period)
        case .warning, .revocation, .bankruptcyRevocation:
            return nil
        }
    }

    /// The active sanction kind that a new sanction of `kind` would conflict with, if any. Warnings
    /// go with anything; nothing goes with a revocation; the steps towards revocation (improvement
    /// period, summons) exclude each other; every other kind excludes only itself.
    public func conflict(_ kind: SanctionKind, active: [SanctionKind]) -> SanctionKind? {
        guard kind != .warning else { return nil }
        let towardsRevocation: Set<SanctionKind> = [.improvementPeriod, .summons, .revocation, .bankruptcyRevocation]
        return active.first { other in
            if other == .warning { return false }
            if other.revokes || kind.revokes { return true }
            if towardsRevocation.contains(kind), towardsRevocation.contains(other) { return true }
            return other == kind
        }
    }

    /// The first day an appeal against a decision of `day` is too late, or nil when the scheme has
    /// no appeal period (an appeal is then always heard).
    public func appealCloses(decidedOn day: Day) -> Day? {
        rules.appealPeriod.map { day.adding($0).adding(days: 1) }
    }

    /// The sanction after `step`, or why the step is refused. Conflicts with the shop's other
    /// sanctions are the caller's to check (`conflict`) before a decision.
    public func apply(_ step: SanctionStep, to current: SanctionCase) throws(SanctionRefusal) -> SanctionCase {
        var next = current
        switch (current.state, step) {
        case (.proposed, .decide(let kind, let staff, let day, let until)):
            next.kind = kind
            next.decidedBy = staff
            next.decidedOn = day
            next.deadline = try deadline(kind, decidedOn: day, chosen: until)
            next.state = needsConfirmation(kind) ? .awaitingConfirmation : .inForce
        case (.awaitingConfirmation, .confirm(let staff)):
            if staff == current.decidedBy { throw .sameStaffMember }
            next.state = .inForce
        case (.proposed, .dismiss), (.awaitingConfirmation, .dismiss):
            next.state = .dismissed
        case (.inForce, .resolve):
            guard let kind = current.kind, [.improvementPeriod, .summons, .suspension, .unauthorisedUseSummons].contains(kind) else {
                throw .notAllowed(current.state)
            }
            next.state = .resolved
        case (.inForce, .deadlinePassed(let conditionsMet)):
            guard let kind = current.kind, current.deadline != nil else { throw .notAllowed(current.state) }
            next.state = kind == .suspension && conditionsMet ? .resolved : .escalated
        case (.inForce, .appealUpheld(let staff, let day)), (.escalated, .appealUpheld(let staff, let day)), (.resolved, .appealUpheld(let staff, let day)):
            try checkAppeal(current, staff: staff, day: day)
            next.state = .overturned
        case (.inForce, .appealRejected(let staff, let day)), (.escalated, .appealRejected(let staff, let day)), (.resolved, .appealRejected(let staff, let day)):
            try checkAppeal(current, staff: staff, day: day)
        default:
            throw .notAllowed(current.state)
        }
        return next
    }

    /// `day` is the day the objection came in: staff may decide it later, but it must have come in
    /// within the appeal period.
    private func checkAppeal(_ current: SanctionCase, staff: UUID, day: Day) throws(SanctionRefusal) {
        if staff == current.decidedBy { throw .sameStaffMember }
        try checkObjection(current, on: day)
    }

    /// Whether the member may object on `day`: to a decision that took effect (in force, escalated
    /// or resolved), within the scheme's appeal period.
    public func checkObjection(_ current: SanctionCase, on day: Day) throws(SanctionRefusal) {
        guard [.inForce, .escalated, .resolved].contains(current.state) else { throw .notAllowed(current.state) }
        if let decided = current.decidedOn, let closes = appealCloses(decidedOn: decided), day >= closes { throw .appealTooLate(closed: closes.adding(days: -1)) }
    }

    /// What a sanction does to the seal while it stands: a suspension until its last day, a
    /// revocation from its day. Nothing for the other kinds or states.
    public func sealOverride(_ sanction: SanctionCase) -> SealOverride? {
        guard sanction.state == .inForce, let kind = sanction.kind else { return nil }
        switch kind {
        case .suspension: return .suspended(until: sanction.deadline)
        case .revocation, .bankruptcyRevocation: return sanction.decidedOn.map { .revoked(on: $0) }
        default: return nil
        }
    }

    /// The public list a sanction keeps the shop on in its state: while it is in force, and for an
    /// unauthorised use also once the legal step has followed.
    public func listed(_ sanction: SanctionCase) -> String? {
        guard let kind = sanction.kind else { return nil }
        let stands = sanction.state == .inForce || (kind == .unauthorisedUseSummons && sanction.state == .escalated)
        return stands ? list(kind) : nil
    }
}
