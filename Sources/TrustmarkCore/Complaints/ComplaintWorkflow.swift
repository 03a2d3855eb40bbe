import Foundation

/// Where a complaint stands. A complaint exists once the consumer has confirmed the e-mail link;
/// before that it is an unconfirmed intake that expires.
public enum ComplaintState: String, Sendable, CaseIterable, Codable {
    /// Confirmed by the consumer; the trustmark has it.
    case received
    /// Sent on to the shop, which now has the scheme's answer deadline.
    case forwarded
    /// The shop has answered; the consumer accepts or not.
    case answered
    /// The shop let its deadline pass; this counts against it even if it answers later.
    case noAnswer = "no_answer"
    /// The trustmark mediates (its own deadline where the scheme has one).
    case mediation
    /// Settled: the consumer accepted or mediation succeeded. Final.
    case resolved
    /// Mediation failed; the consumer may take it to the dispute committee.
    case unresolved
    /// Taken to the external dispute committee.
    case referred
    /// The committee's ruling is recorded; compliance follows.
    case ruled
    /// Finished without a settlement (withdrawn, no reply, compliance recorded). Final.
    case closed

    public var isFinal: Bool { self == .resolved || self == .closed }
}

/// Who takes a step in a complaint.
public enum ComplaintParty: String, Sendable, CaseIterable, Codable {
    case consumer, shop, mediator, system
}

/// The complaint state machine: which party may move a complaint from which state to which.
/// Every step outside this table is refused, naming the steps that are allowed.
public enum ComplaintWorkflow {
    public struct Step: Hashable, Sendable {
        public let from: ComplaintState
        public let to: ComplaintState
        public let by: ComplaintParty
    }

    public struct Refused: Error, Equatable, Sendable {
        public let from: ComplaintState
        public let to: ComplaintState
        /// Where this party may move the complaint from its current state.
        public let allowed: [ComplaintState]
    }

    public static let steps: [Step] = {
        var steps: [Step] = []
        func add(_ from: ComplaintState, _ to: ComplaintState, _ parties: ComplaintParty...) {
            for party in parties { steps.append(Step(from: from, to: to, by: party)) }
        }
        add(.received, .forwarded, .system)
        add(.received, .mediation, .system, .mediator)
        add(.forwarded, .answered, .shop)
        add(.forwarded, .mediation, .mediator)
        add(.forwarded, .noAnswer, .system)
        add(.noAnswer, .answered, .shop)
        add(.noAnswer, .mediation, .consumer, .mediator)
        add(.answered, .resolved, .consumer)
        add(.answered, .mediation, .consumer, .mediator)
        add(.answered, .closed, .system)
        add(.mediation, .resolved, .mediator)
        add(.mediation, .unresolved, .mediator)
        add(.unresolved, .referred, .mediator)
        add(.unresolved, .closed, .mediator)
        add(.referred, .ruled, .mediator)
        add(.ruled, .closed, .mediator)
        // The consumer may withdraw a complaint at any time before it is settled or referred.
        for state in [ComplaintState.received, .forwarded, .answered, .noAnswer, .mediation, .unresolved] {
            add(state, .closed, .consumer)
        }
        return steps
    }()

    private static let index = Set(steps)

    public static func allowed(from state: ComplaintState, by party: ComplaintParty) -> [ComplaintState] {
        var seen = Set<ComplaintState>()
        return steps.filter { $0.from == state && $0.by == party && seen.insert($0.to).inserted }.map(\.to)
    }

    public static func check(from: ComplaintState, to: ComplaintState, by party: ComplaintParty) throws(Refused) {
        guard index.contains(Step(from: from, to: to, by: party)) else {
            throw Refused(from: from, to: to, allowed: allowed(from: from, by: party))
        }
    }
}

/// Why a closed or resolved complaint ended as it did; the statistics count by it.
public enum ComplaintOutcome: String, Sendable, CaseIterable, Codable {
    /// The consumer accepted the shop's answer.
    case acceptedAnswer = "accepted_answer"
    /// Mediation found a solution.
    case mediated
    /// Mediation failed and the consumer went no further.
    case unresolved
    /// The committee ruled and the shop complied.
    case rulingComplied = "ruling_complied"
    /// The committee ruled and the shop did not comply.
    case rulingNotComplied = "ruling_not_complied"
    /// The committee ruled for the shop.
    case rulingForShop = "ruling_for_shop"
    /// The consumer withdrew the complaint.
    case withdrawn
    /// The consumer did not react to the shop's answer in time.
    case noReply = "no_reply"

    /// Whether the complaint counts as settled for the shop's statistics.
    public var countsAsResolved: Bool { [.acceptedAnswer, .mediated, .rulingComplied, .rulingForShop].contains(self) }
    /// Whether it counts as left unresolved by the shop.
    public var countsAsUnresolved: Bool { self == .unresolved || self == .rulingNotComplied }
}

/// What a dispute committee decided.
public enum RulingOutcome: String, Sendable, CaseIterable, Codable {
    case forConsumer = "for_consumer"
    case partly
    case forShop = "for_shop"
}
