import Foundation

/// A shop's complaint figures over the scheme's statistics window, as the verification page and
/// the API show them, and the test that raises a sanction proposal.
public struct ComplaintFigures: Equatable, Sendable, Codable {
    public var received: Int
    public var resolved: Int
    public var unresolved: Int
    public var noAnswer: Int
    /// Median hours from forwarding to the shop's first answer, over the answered complaints.
    public var medianFirstAnswerHours: Int?

    public init(received: Int = 0, resolved: Int = 0, unresolved: Int = 0, noAnswer: Int = 0, medianFirstAnswerHours: Int? = nil) {
        self.received = received
        self.resolved = resolved
        self.unresolved = unresolved
        self.noAnswer = noAnswer
        self.medianFirstAnswerHours = medianFirstAnswerHours
    }

    /// Counts one complaint: resolved or not by its outcome (or, while open, by its state), whether
    /// the shop let its deadline pass. The first-answer hours are collected by the caller for the median.
    public mutating func count(state: ComplaintState, outcome: ComplaintOutcome?, noAnswer: Bool) {
        received += 1
        if let outcome {
            if outcome.countsAsResolved { resolved += 1 }
            if outcome.countsAsUnresolved { unresolved += 1 }
        } else if state == .resolved {
            resolved += 1
        } else if [.unresolved, .referred, .ruled].contains(state) {
            unresolved += 1
        }
        if noAnswer { self.noAnswer += 1 }
    }

    /// The middle value; for an even count the mean of the middle two, rounded up.
    public static func median(_ values: [Int]) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        return (sorted[middle - 1] + sorted[middle] + 1) / 2
    }

    /// Whether the complaints the shop left unresolved or unanswered reach the scheme's threshold.
    public func reaches(threshold: Int?) -> Bool {
        guard let threshold else { return false }
        return unresolved + noAnswer >= threshold
    }
}
