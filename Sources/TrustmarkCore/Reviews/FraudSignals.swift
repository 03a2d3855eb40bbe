import Foundation

/// What is known about a new review and its surroundings when it arrives.
public struct ReviewFraudFacts: Sendable {
    /// Other reviews of this shop from the same network address in the last 30 days.
    public var sameAddress: Int
    /// The reviewer's e-mail is on one of the shop's own domains.
    public var emailOnShopDomain: Bool
    /// The reviewer's e-mail belongs to the shop's own people (its users, its registered contact).
    public var emailOfShopStaff: Bool
    /// Reviews of this shop in the last 24 hours, and its usual number per day over the window.
    public var lastDay: Int
    public var usualPerDay: Double
    /// The highest likeness (0...1) of the text to another recent review of the shop.
    public var likeness: Double
    /// The review came without an invitation while the shop invites its buyers as a rule.
    public var uninvitedWhileShopInvites: Bool
    /// Consumers reported an incentive campaign (reviews bought with a discount, a gift) in the last 30 days.
    public var incentiveReports: Int

    public init(sameAddress: Int = 0, emailOnShopDomain: Bool = false, emailOfShopStaff: Bool = false, lastDay: Int = 0, usualPerDay: Double = 0,
                likeness: Double = 0, uninvitedWhileShopInvites: Bool = false, incentiveReports: Int = 0) {
        self.sameAddress = sameAddress
        self.emailOnShopDomain = emailOnShopDomain
        self.emailOfShopStaff = emailOfShopStaff
        self.lastDay = lastDay
        self.usualPerDay = usualPerDay
        self.likeness = likeness
        self.uninvitedWhileShopInvites = uninvitedWhileShopInvites
        self.incentiveReports = incentiveReports
    }
}

/// Scores a review's fraud signals, each with its points and the reason in words (a locale key and its
/// arguments), so moderators see why a review was held. The total is capped at 100; the scheme's
/// `fraud_hold_score` decides from which total a review waits for moderation.
public enum FraudScoring {
    public struct Signal: Equatable, Sendable {
        public let id: String
        public let points: Int
        public let arguments: [String: String]
    }

    /// The platform's weights: each signal alone stays below a typical hold score of 70 except the
    /// shop reviewing itself; two independent signals together reach it.
    public static let weights: [String: Int] = [
        "same_address": 40, "shop_domain": 80, "shop_staff": 80, "burst": 35, "near_duplicate": 45, "uninvited": 25, "incentive": 30,
    ]

    public static func signals(_ facts: ReviewFraudFacts) -> [Signal] {
        var signals: [Signal] = []
        func add(_ id: String, _ arguments: [String: String] = [:]) {
            signals.append(Signal(id: id, points: weights[id] ?? 0, arguments: arguments))
        }
        if facts.sameAddress >= 2 { add("same_address", ["count": "\(facts.sameAddress)"]) }
        if facts.emailOnShopDomain { add("shop_domain") }
        if facts.emailOfShopStaff { add("shop_staff") }
        // A burst: at least five in a day and five times the shop's usual rate.
        if facts.lastDay >= 5, Double(facts.lastDay) >= 5 * max(facts.usualPerDay, 0.2) {
            add("burst", ["count": "\(facts.lastDay)", "usual": String(format: "%.1f", facts.usualPerDay)])
        }
        if facts.likeness >= 0.8 { add("near_duplicate", ["percent": "\(Int((facts.likeness * 100).rounded()))"]) }
        if facts.uninvitedWhileShopInvites { add("uninvited") }
        if facts.incentiveReports > 0 { add("incentive", ["count": "\(facts.incentiveReports)"]) }
        return signals
    }

    public static func score(_ signals: [Signal]) -> Int {
        min(100, signals.reduce(0) { $0 + $1.points })
    }

    /// Likeness of two texts: the share of word triples they have in common (Jaccard), 0 for texts too
    /// short to judge.
    public static func likeness(_ a: String, _ b: String) -> Double {
        jaccard(shingles(a), shingles(b))
    }

    /// The highest likeness of `text` to any of `others` (its word triples are made once).
    public static func highestLikeness(_ text: String, among others: [String]) -> Double {
        highestLikeness(shingles(text), among: others.map(shingles))
    }

    /// The same with word triples made already (`shingles`), so that texts compared with many
    /// others are split once.
    public static func highestLikeness(_ mine: Set<Int>, among others: [Set<Int>]) -> Double {
        guard !mine.isEmpty else { return 0 }
        return others.map { jaccard(mine, $0) }.max() ?? 0
    }

    private static func jaccard(_ first: Set<Int>, _ second: Set<Int>) -> Double {
        guard !first.isEmpty, !second.isEmpty else { return 0 }
        let shared = first.intersection(second).count
        return Double(shared) / Double(first.count + second.count - shared)
    }

    /// The text's runs of three words (lower case, letters and digits), hashed: texts of fewer than
    /// four words have none.
    public static func shingles(_ text: String) -> Set<Int> {
        // Words are hashed as they are read, scalar by scalar: plain ASCII without a look-up of
        // Unicode properties, other letters and digits lower-cased by their mapping.
        var words: [Int] = []
        var word = Hasher()
        var inWord = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 128 {
                if value >= 65 && value <= 90 {
                    word.combine(value + 32)
                } else if (value >= 97 && value <= 122) || (value >= 48 && value <= 57) {
                    word.combine(value)
                } else {
                    if inWord { words.append(word.finalize()); word = Hasher() }
                    inWord = false
                    continue
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { word.combine(lower.value) }
            } else {
                if inWord { words.append(word.finalize()); word = Hasher() }
                inWord = false
                continue
            }
            inWord = true
        }
        if inWord { words.append(word.finalize()) }
        guard words.count >= 4 else { return [] }
        var triples = Set<Int>(minimumCapacity: words.count)
        for index in 0...(words.count - 3) {
            var hasher = Hasher()
            hasher.combine(words[index])
            hasher.combine(words[index + 1])
            hasher.combine(words[index + 2])
            triples.insert(hasher.finalize())
        }
        return triples
    }
}
