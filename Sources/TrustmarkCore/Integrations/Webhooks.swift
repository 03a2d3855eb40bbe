import Crypto
import Foundation

/// The events a webhook endpoint can ask for.
public enum WebhookEvent: String, Sendable, Codable, CaseIterable, Hashable {
    case complaintReceived = "complaint.received"
    case complaintMessage = "complaint.message"
    case reviewPublished = "review.published"
    case reviewFlagged = "review.flagged"
    case statusChanged = "status.changed"
    case invoiceIssued = "invoice.issued"

    public static func joined(_ events: Set<WebhookEvent>) -> String {
        events.map(\.rawValue).sorted().joined(separator: ",")
    }
}

/// How a delivery is signed, so a receiver knows it came from us and was not replayed later:
/// `Trustmark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
/// A receiver recomputes the HMAC over the timestamp, a dot and the raw body, compares in constant
/// time, and refuses a timestamp older than it tolerates (five minutes is usual).
public enum WebhookSignature {
    public static let header = "Trustmark-Signature"

    public static func sign(body: Data, secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(mac(body: body, secret: secret, timestamp: timestamp))"
    }

    public static func mac(body: Data, secret: String, timestamp: Int) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return Hex.string(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))))
    }

    public enum Failure: Error, Equatable, Sendable {
        case malformed, badSignature, tooOld
    }

    /// What a receiver does: parse the header, check the MAC, check the age.
    public static func verify(header: String, body: Data, secret: String, now: Date, tolerance: TimeInterval = 300) throws(Failure) {
        var timestamp: Int?
        var given: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformed }
            if pair[0] == "t" { timestamp = Int(pair[1]) } else if pair[0] == "v1" { given.append(pair[1]) }
        }
        guard let timestamp, !given.isEmpty else { throw .malformed }
        let expected = Array(mac(body: body, secret: secret, timestamp: timestamp).utf8)
        guard given.contains(where: { constantTimeEqual(Array($0.utf8), expected) }) else { throw .badSignature }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw .tooOld }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Waits between attempts: 1 min, 5 min, 25 min, ... up to six hours; `attempts` is how many failed.
    public static func retryDelay(afterAttempt attempt: Int) -> TimeInterval {
        min(6 * 3600, 60 * pow(5, Double(max(0, attempt - 1))))
    }

    /// After this many attempts a delivery is given up and the endpoint counted as failing.
    public static let maxAttempts = 6
}
