import Foundation

/// Where a review comes from, shown beside it: a buyer the shop invited after an order, or someone
/// who only proved an e-mail address.
public enum ReviewOrigin: String, Sendable, CaseIterable, Codable {
    case invited
    case confirmedEmail = "confirmed_email"
}

/// A plain review, or the Service-Siegel's 'Lob & Tadel': praise, or a fault report the shop gets as
/// a service case.
public enum ReviewKind: String, Sendable, CaseIterable, Codable {
    case review, praise, fault
}

/// A review's scores, checked against the scheme: one per criterion within the scale, and an overall
/// score (for a scheme with one criterion, that criterion is the overall score).
public struct ReviewScores: Equatable, Sendable {
    public let criteria: [String: Int]
    public let overall: Int

    public enum Problem: Error, Equatable, Sendable {
        case missing(String)
        case outOfRange(String, Int)
        case unknown(String)
    }

    public init(criteria: [String: Int], overall: Int?, rules: ReviewRules) throws(Problem) {
        let range = rules.scaleMinimum...rules.scaleMaximum
        for key in criteria.keys where !rules.criteria.contains(where: { $0.id == key }) { throw .unknown(key) }
        for criterion in rules.criteria {
            guard let score = criteria[criterion.id] else { throw .missing(criterion.id) }
            guard range.contains(score) else { throw .outOfRange(criterion.id, score) }
        }
        let total: Int
        if let overall {
            guard range.contains(overall) else { throw .outOfRange("overall", overall) }
            total = overall
        } else if rules.criteria.count == 1, let only = rules.criteria.first, let score = criteria[only.id] {
            total = score
        } else {
            throw .missing("overall")
        }
        self.criteria = criteria
        self.overall = total
    }
}

/// A shop's ratings over the scheme's window, summed from day buckets: counts, sums in hundredths
/// (an average of 4.25 is 425, no floating point), the distribution of overall scores.
public struct RatingFigures: Equatable, Sendable {
    public var count = 0
    /// Sum of overall scores in hundredths.
    public var sum = 0
    public var criteriaSums: [String: Int] = [:]
    /// How many overall scores fell on each point of the scale, lowest first.
    public var distribution: [Int]

    public init(scale: ClosedRange<Int>) {
        distribution = Array(repeating: 0, count: scale.count)
    }

    public mutating func add(count: Int, overallSum: Int, criteriaSums: [String: Int], distribution: [Int]) {
        self.count += count
        sum += overallSum
        for (key, value) in criteriaSums { self.criteriaSums[key, default: 0] += value }
        for (index, value) in distribution.enumerated() where index < self.distribution.count { self.distribution[index] += value }
    }

    /// Adds another set of figures (of the same scale) to these.
    public mutating func add(_ other: RatingFigures) {
        add(count: other.count, overallSum: other.sum, criteriaSums: other.criteriaSums, distribution: other.distribution)
    }

    /// The average in hundredths, rounded half up; nil without ratings.
    public var average: Int? { count > 0 ? (sum * 2 + count) / (count * 2) : nil }

    public func average(of criterion: String) -> Int? {
        guard count > 0, let total = criteriaSums[criterion] else { return nil }
        return (total * 2 + count) / (count * 2)
    }

    /// "4.3": one decimal, half up.
    public static func text(_ hundredths: Int) -> String {
        let tenths = (hundredths + 5) / 10
        return "\(tenths / 10).\(tenths % 10)"
    }
}
