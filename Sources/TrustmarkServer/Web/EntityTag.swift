import Crypto
import Foundation
import TrustmarkCore
import Hummingbird

/// Strong ETags from a body's bytes, and the `If-None-Match` check, for the responses that caches
/// may keep (the seal, the verification page and its JSON).
enum EntityTag {
    static func of(_ bytes: Data) -> String {
        "\"" + Hex.string(SHA256.hash(data: bytes).prefix(12)) + "\""
    }

    /// Whether the client already holds `etag` (a list in `If-None-Match` counts too).
    static func matches(_ request: Request, _ etag: String) -> Bool {
        matches(request.headers[.ifNoneMatch], etag)
    }

    static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        ifNoneMatch?.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" } ?? false
    }
}
