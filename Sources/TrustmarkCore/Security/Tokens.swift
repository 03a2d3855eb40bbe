import Crypto
import Foundation

/// Random secrets handed to people (session cookies, API tokens, set-up and reset links). Only their
/// SHA-256 digest is stored, so a copy of the database does not let anyone sign in.
public enum SecretToken {
    /// 32 random bytes as URL-safe base64 without padding (43 characters).
    public static func generate() -> String {
        // Eight bytes per draw from the system's generator, not one (a token is made for every
        // visitor's first page).
        var generator = SystemRandomNumberGenerator()
        var bytes = Data(capacity: 32)
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return base64URL(bytes)
    }

    /// The digest under which a token is stored and looked up.
    public static func digest(_ token: String) -> String {
        Hex.string(SHA256.hash(data: Data(token.utf8)))
    }

    static func base64URL(_ data: Data) -> String {
        String(decoding: data.base64EncodedString().utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): return UInt8(ascii: "-")
            case UInt8(ascii: "/"): return UInt8(ascii: "_")
            case UInt8(ascii: "="): return nil
            default: return byte
            }
        }, as: UTF8.self)
    }

    static func fromBase64URL(_ text: String) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }
}

/// A link that proves its holder received it, without a database row: the purpose, the subject and
/// the expiry are signed with the server's key. Used where consumers prove an e-mail address.
public struct SignedLink: Sendable {
    private let key: SymmetricKey

    public init(secret: String) {
        self.key = SymmetricKey(data: SHA256.hash(data: Data(("trustmark-signed-link:" + secret).utf8)))
    }

    public enum Failure: Error, Equatable, Sendable {
        case malformed
        case badSignature
        case expired
        case wrongPurpose
    }

    public struct Claims: Equatable, Sendable {
        public let purpose: String
        public let subject: String
        public let expires: Date
    }

    /// Produces `payload.signature`, both URL-safe.
    public func sign(purpose: String, subject: String, expires: Date) -> String {
        let payload = "\(purpose)\n\(subject)\n\(Int(expires.timeIntervalSince1970))"
        let encoded = SecretToken.base64URL(Data(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(encoded.utf8), using: key)
        return encoded + "." + SecretToken.base64URL(Data(mac))
    }

    public func verify(_ token: String, purpose: String, now: Date) throws(Failure) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let mac = SecretToken.fromBase64URL(String(parts[1])) else { throw .malformed }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key) else {
            throw .badSignature
        }
        guard let payloadData = SecretToken.fromBase64URL(String(parts[0])),
              let payload = String(data: payloadData, encoding: .utf8)
        else { throw .malformed }
        let fields = payload.split(separator: "\n", omittingEmptySubsequences: false)
        guard fields.count == 3, let seconds = Int(fields[2]) else { throw .malformed }
        let claims = Claims(purpose: String(fields[0]), subject: String(fields[1]), expires: Date(timeIntervalSince1970: TimeInterval(seconds)))
        guard claims.purpose == purpose else { throw .wrongPurpose }
        guard now < claims.expires else { throw .expired }
        return claims
    }
}
