import Foundation

/// Where an application stands. An application holds one or more shops of one organisation and goes
/// through the audit as a whole; each shop has its own findings.
public enum ApplicationState: String, Sendable, CaseIterable, Codable {
    /// Sent in, waiting for staff to assign an inspector.
    case submitted
    /// An inspector is working through the criteria.
    case inAudit = "in_audit"
    /// The report listed failed criteria (the fix list); waiting for the applicant to fix and ask
    /// for a re-check.
    case changesRequested = "changes_requested"
    /// Every criterion passed or did not apply; waiting for the decision.
    case audited
    case approved
    /// Final; never shown publicly.
    case rejected
    /// Ended after approval before membership: cancelled, contract not returned, invoice not paid.
    case cancelled

    public var isOpen: Bool { [.submitted, .inAudit, .changesRequested, .audited].contains(self) }

    /// The states a step may move an application to from here; anything else is refused.
    public func allows(_ next: ApplicationState) -> Bool {
        switch (self, next) {
        case (.submitted, .inAudit), (.inAudit, .changesRequested), (.inAudit, .audited),
             (.changesRequested, .inAudit), (.audited, .approved), (.audited, .changesRequested),
             (.approved, .cancelled):
            return true
        case (let from, .rejected):
            return from.isOpen
        default:
            return false
        }
    }
}

/// What kind of request an application is.
public enum ApplicationKind: String, Sendable, CaseIterable, Codable {
    /// A new member with its first shop(s).
    case membership
    /// A member adds a shop; it gets its own inspection and the extra-shop fee.
    case extraShop = "extra_shop"
    /// A member changed its registration data and the scheme has it judged again.
    case recheck
}

/// An inspector's verdict on one criterion for one shop.
public enum FindingResult: String, Sendable, CaseIterable, Codable {
    case pass, fail
    case notApplicable = "not_applicable"
}

/// The ways an approved application can end before it becomes a membership (article 16a of
/// KeurOnline); each is an event the scheme's `publication` may put on a public list.
public enum CancellationEvent: String, Sendable, CaseIterable {
    case applicationCancelled = "application_cancelled"
    case contractNotReturned = "contract_not_returned"
    case invoiceNotPaid = "invoice_not_paid"
}

/// Why a membership ended; the raw values are the scheme's `publication` events.
public enum MembershipEnd: String, Sendable, CaseIterable {
    case voluntaryTermination = "voluntary_termination"
    case bankruptcy
    case revocation
    case ruleChangeRefused = "rule_change_refused"
}

/// The facts that decide whether a member may show the seal, and from when.
public struct SealFacts: Equatable, Sendable {
    public var approvedOn: Day?
    /// The day the contract carried both signatures.
    public var contractCompletedOn: Day?
    /// The day the first invoice was paid in full (or `nil` while it is open). A membership whose
    /// first invoice was for nothing counts as paid on approval.
    public var firstPaymentOn: Day?
    /// The first day after the paid-for period; `nil` until the first term has started.
    public var paidThrough: Day?
    public var endedOn: Day?

    public init(approvedOn: Day? = nil, contractCompletedOn: Day? = nil, firstPaymentOn: Day? = nil, paidThrough: Day? = nil, endedOn: Day? = nil) {
        self.approvedOn = approvedOn
        self.contractCompletedOn = contractCompletedOn
        self.firstPaymentOn = firstPaymentOn
        self.paidThrough = paidThrough
        self.endedOn = endedOn
    }
}

/// A membership's standing on a day, as the seal and the verification page show it.
public enum SealStanding: Equatable, Sendable {
    /// Approved, but the scheme still waits for these.
    case awaiting([MembershipRules.Requirement])
    /// Everything is in order; the seal may be shown from this day (the scheme's start date).
    case scheduled(from: Day)
    case active(until: Day)
    /// The paid term ran out with the renewal unpaid: the seal right is gone until it is paid.
    case lapsed(since: Day)
    case ended(on: Day)

    public var code: String {
        switch self {
        case .awaiting: return "awaiting"
        case .scheduled: return "scheduled"
        case .active: return "active"
        case .lapsed: return "lapsed"
        case .ended: return "ended"
        }
    }

    public var mayShowSeal: Bool { if case .active = self { return true } else { return false } }
}

extension MembershipRules {
    /// The day every requirement of `seal_requires` was met, or the ones still missing.
    public func conditionsMet(_ facts: SealFacts) -> Result<Day, MissingRequirements> {
        var missing: [Requirement] = []
        var days: [Day] = []
        for requirement in sealRequires {
            let day: Day?
            switch requirement {
            case .approval: day = facts.approvedOn
            case .signedContract: day = facts.contractCompletedOn
            case .payment: day = facts.firstPaymentOn
            }
            if let day { days.append(day) } else { missing.append(requirement) }
        }
        if !missing.isEmpty { return .failure(MissingRequirements(requirements: missing)) }
        return .success(days.max() ?? facts.approvedOn ?? Day(julian: 0))
    }

    /// The first day of the first term. KeurOnline's invoice "ingaat op de 1e van de nieuwe maand"
    /// after acceptance; `on_approval` starts on approval; `when_seal_conditions_met` starts when
    /// the last requirement is met (then `conditionsMetOn` is needed).
    public func termStart(approvedOn approval: Day, conditionsMetOn met: Day?) -> Day? {
        switch starts {
        case .onApproval: return approval
        case .firstOfNextMonth: return approval.firstOfNextMonth
        case .onSealConditions: return met
        }
    }

    /// The standing on `today`. The seal is shown from the later of the term's start and the day
    /// the requirements were met ("met onmiddellijke ingang" once signed and paid), until the paid
    /// term runs out.
    public func standing(_ facts: SealFacts, today: Day) -> SealStanding {
        if let ended = facts.endedOn, ended <= today { return .ended(on: ended) }
        let met: Day
        switch conditionsMet(facts) {
        case .failure(let missing): return .awaiting(missing.requirements)
        case .success(let day): met = day
        }
        guard let approval = facts.approvedOn, let start = termStart(approvedOn: approval, conditionsMetOn: met) else {
            return .awaiting([.approval])
        }
        let from = max(start, met)
        if today < from { return .scheduled(from: from) }
        let paidThrough = facts.paidThrough ?? start.adding(term)
        if today >= paidThrough { return .lapsed(since: paidThrough) }
        return .active(until: paidThrough)
    }
}

public struct MissingRequirements: Error, Equatable, Sendable {
    public let requirements: [MembershipRules.Requirement]
}

extension Day {
    /// The 1st of the month after this day.
    public var firstOfNextMonth: Day {
        let (year, month, _) = components
        return Day(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1) ?? self
    }

    /// This day plus a scheme period on the plain calendar: months and years keep the day of the
    /// month, or take the month's last day when it is shorter (31 January + 1 month = 28 February).
    /// Working days need the scheme's working-day calendar and are counted by `adding(_:calendar:)`.
    public func adding(_ period: Period) -> Day {
        switch period.unit {
        case .days, .workingDays: return adding(days: period.unit == .days ? period.amount : Int((Double(period.amount) * 7 / 5).rounded(.up)))
        case .weeks: return adding(days: period.amount * 7)
        case .months, .years:
            let months = period.unit == .months ? period.amount : period.amount * 12
            let (year, month, day) = components
            let index = year * 12 + (month - 1) + months
            let (newYear, newMonth) = (index / 12, index % 12 + 1)
            var candidate = day
            while candidate > 28, Day(year: newYear, month: newMonth, day: candidate) == nil { candidate -= 1 }
            return Day(year: newYear, month: newMonth, day: candidate) ?? self
        }
    }

    /// This day plus a period, counting working days on the scheme's calendar.
    public func adding(_ period: Period, calendar: WorkingDayCalendar) -> Day {
        if period.unit == .workingDays, let day = try? calendar.adding(workingDays: period.amount, to: self) { return day }
        return adding(period)
    }

    /// This day minus a calendar period (the renewal invoice's lead time before expiry).
    public func subtracting(_ period: Period) -> Day {
        switch period.unit {
        case .months, .years: return adding(Period(-period.amount, period.unit))
        default: return adding(days: -(adding(period).julian - julian))
        }
    }
}
