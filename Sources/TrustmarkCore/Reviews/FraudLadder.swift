import Foundation

/// The scheme's escalation ladder for confirmed review fraud (Kieskeurig.nl's procedure by default):
/// each confirmed offence moves the shop one step, the last step repeating for every further offence.
/// Staff may take another step where the scheme allows it, with a written reason.
public struct FraudLadder: Sendable {
    public let steps: [ReviewRules.LadderStep]
    public let staffMayDeviate: Bool
    /// How long the public page warns consumers after a step that takes the shop offline for no
    /// fixed time of its own (a warning, a meeting).
    public let publicNotice: Period?

    public init(_ rules: ReviewRules) {
        steps = rules.ladder
        staffMayDeviate = rules.staffMayDeviate
        publicNotice = rules.publicNotice
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// The scheme has no ladder: offences are recorded and go to the sanctions desk.
        case noLadder
        /// A step number outside the ladder (1-based, as staff see it).
        case unknownStep(Int)
        /// The scheme does not let staff leave the ladder.
        case deviationNotAllowed
        /// Another step than the proposed one needs a written reason.
        case reasonRequired
    }

    /// The step (1-based) that the shop's `number`th confirmed offence takes.
    public func proposedStep(offence number: Int) -> Int? {
        guard !steps.isEmpty, number >= 1 else { return nil }
        return min(number, steps.count)
    }

    /// The step staff take for the `number`th offence: the proposed one, or `chosen` with a reason.
    public func choose(offence number: Int, chosen: Int?, reason: String?) throws(Refusal) -> (step: Int, deviated: Bool) {
        guard let proposed = proposedStep(offence: number) else { throw .noLadder }
        guard let chosen, chosen != proposed else { return (proposed, false) }
        guard steps.indices.contains(chosen - 1) else { throw .unknownStep(chosen) }
        guard staffMayDeviate else { throw .deviationNotAllowed }
        guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .reasonRequired }
        return (chosen, true)
    }

    /// What a step taken on `day` means in days.
    public struct Schedule: Equatable, Sendable {
        /// The first day the shop is back online by itself; nil when the step takes it offline until
        /// staff return it, or does not take it offline at all.
        public let backOnline: Day?
        /// Whether the step takes the shop's listing and seal offline.
        public let offline: Bool
        /// The first day the consumer warning is no longer shown (nil: while the shop is offline).
        public let noticeUntil: Day?
        /// The last day of the step's duration (an offline step without automatic return ends here and
        /// waits for staff).
        public let durationEnds: Day?
    }

    public func schedule(step number: Int, from day: Day, timeZone: TimeZone) -> Schedule {
        let step = steps[number - 1]
        let after = { (period: Period) -> Day? in
            period.added(to: day.midday(in: timeZone), timeZone: timeZone).map { Day($0, in: timeZone) }
        }
        guard step.action == .offline, let duration = step.duration, let end = after(duration) else {
            return Schedule(backOnline: nil, offline: false, noticeUntil: publicNotice.flatMap(after) ?? day.adding(days: 1), durationEnds: nil)
        }
        return Schedule(backOnline: step.automaticReturn ? end : nil, offline: true, noticeUntil: step.automaticReturn ? end : nil, durationEnds: end)
    }
}
