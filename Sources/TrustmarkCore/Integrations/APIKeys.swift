import Foundation

/// What a shop's API key may do. A key is given to a webshop platform (WooCommerce, Shopify, ...),
/// so it only reaches the operations such a platform needs, and only for its own shop.
public enum APIScope: String, Sendable, Codable, CaseIterable, Hashable {
    /// Send review invitations after an order.
    case invitations
    /// Read the shop's complaints and their threads.
    case complaintsRead = "complaints:read"
    /// Answer a complaint and add messages to it.
    case complaintsAnswer = "complaints:answer"
    /// Read the shop's reviews, including those held or flagged.
    case reviewsRead = "reviews:read"

    /// Scopes as stored: sorted, comma separated.
    public static func joined(_ scopes: Set<APIScope>) -> String {
        scopes.map(\.rawValue).sorted().joined(separator: ",")
    }

    public static func parse(_ stored: String) -> Set<APIScope> {
        Set(stored.split(separator: ",").compactMap { APIScope(rawValue: String($0)) })
    }
}

/// The visible shape of a key: a fixed prefix, so a key is told apart from a sign-in token (and found
/// by secret scanners when it leaks), then a random secret.
public enum APIKeyFormat {
    public static let prefix = "tmk_"
    /// How much of a key stays visible in lists, so a person can tell their keys apart.
    public static let shownLength = 12

    public static func generate() -> String { prefix + SecretToken.generate() }

    public static func isKey(_ token: String) -> Bool { token.hasPrefix(prefix) }

    /// `tmk_AbCdEfGh…` for lists and logs.
    public static func hint(_ key: String) -> String { String(key.prefix(shownLength)) + "…" }
}

/// A token bucket: `capacity` requests at once, refilled at `perMinute`. Pure: the caller keeps the
/// state and passes the time, so the rule is tested without waiting.
public struct RequestBucket: Sendable, Equatable {
    public private(set) var tokens: Double
    public private(set) var updated: Date

    public init(capacity: Int, now: Date) {
        self.tokens = Double(capacity)
        self.updated = now
    }

    /// Takes one request's token. When none is left, how many whole seconds until one is.
    public mutating func take(capacity: Int, perMinute: Int, now: Date) -> Int? {
        let rate = Double(max(1, perMinute)) / 60
        tokens = min(Double(capacity), tokens + max(0, now.timeIntervalSince(updated)) * rate)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / rate).rounded(.up)))
    }
}
