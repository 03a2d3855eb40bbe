import Crypto
import Foundation

extension SealRules {
    /// The highest tier whose minimum number of ratings and minimum average the shop reaches, or nil
    /// (no tiers in the scheme, or not enough ratings yet). `sum` is the total of the overall scores
    /// in hundredths, so 12 ratings of 4.5 are `count: 12, sum: 5400`.
    public func tier(ratings count: Int, sum: Int) -> Tier? {
        guard count > 0 else { return nil }
        // average >= minimum  <=>  sum >= minimum * count: exact, with no rounding of the average.
        return tiers.last { count >= $0.minimumRatings && sum >= $0.minimumAverage * count }
    }
}

/// What overrides a membership's own standing on the seal: a sanction in force (suspension until a
/// day, revocation) or a membership that was ended by revocation or bankruptcy. The sanctions
/// feature adds its decisions here; the seal and the verification page read only this.
public enum SealOverride: Equatable, Sendable {
    case suspended(until: Day?)
    case revoked(on: Day)
}

extension SealStatus {
    /// The seal's answer for a shop: an override wins, otherwise the membership standing decides.
    public init(_ standing: SealStanding, memberSince: Day?, override: SealOverride?) {
        switch override {
        case .suspended: self = .suspended
        case .revoked: self = .revoked
        case nil: self.init(standing, memberSince: memberSince)
        }
    }
}

/// Signs a seal for one of a shop's domains: `/seal/{slug}.svg?domain=…&sig=…`. A signed seal names
/// its domain in the image and is valid only on that domain, so a copy on another site (even one
/// that hides its Referer) never claims the shop, and nobody can make a signature for their own site.
public struct SealSignature: Sendable {
    private let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: SHA256.hash(data: Data(("trustmark-seal:" + secret).utf8)))
    }

    public func sign(slug: String, domain: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(slug)\n\(domain)".utf8), using: key)
        return SecretToken.base64URL(Data(mac).prefix(16))
    }

    public func isValid(_ signature: String, slug: String, domain: String) -> Bool {
        guard let given = SecretToken.fromBase64URL(signature), given.count == 16 else { return false }
        let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("\(slug)\n\(domain)".utf8), using: key)).prefix(16)
        // Constant time: every byte is compared whatever the first difference.
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
