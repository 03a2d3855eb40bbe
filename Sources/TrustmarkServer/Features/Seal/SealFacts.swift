import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization
import TrustmarkCore

/// What the seal needs to know about a shop, read once and kept in memory.
/// A class, not a struct: every seal request reads it from the cache on one of the event loops, and
/// handing on one reference costs one reference count where a copy of the fields cost one per field,
/// counts that both cores contend for.
final class ShopSealFacts: Sendable {
    let shopID: UUID?
    let organisationID: UUID?
    let shopName: String
    let variant: String
    let domains: Set<String>
    let status: SealStatus
    /// The scheme tier the shop holds now (from its maintained ratings), if the scheme has tiers.
    let tier: String?
    /// When the answer must be looked at again even without an event: the next midnight, when a term may start or run out.
    let expires: Date
    /// Set once the seal service no longer keeps these facts (an event, a moved tier, a fresh read):
    /// answers the event loops keep for themselves (`SealLoopCache`) are built from facts and stay
    /// good only while their facts are current. Read on every seal request, written once.
    private let retired = Atomic<Bool>(false)

    var isCurrent: Bool { !retired.load(ordering: .acquiring) }

    func retire() {
        retired.store(true, ordering: .releasing)
    }

    init(shopID: UUID?, organisationID: UUID?, shopName: String, variant: String, domains: Set<String>, status: SealStatus, tier: String?, expires: Date) {
        self.shopID = shopID
        self.organisationID = organisationID
        self.shopName = shopName
        self.variant = variant
        self.domains = domains
        self.status = status
        self.tier = tier
        self.expires = expires
    }

    /// Whether `host` is one of the domains, or a subdomain of one (`shop.example.nl` for `example.nl`).
    static func host(_ host: String, isIn domains: some Sequence<String>) -> Bool {
        domains.contains { host == $0 || isSubdomain(host, of: $0) }
    }

    /// `host` ends in "." followed by `domain`; compared byte by byte, without building the suffix.
    static func isSubdomain(_ host: String, of domain: String) -> Bool {
        let hostBytes = host.utf8, domainBytes = domain.utf8
        guard hostBytes.count > domainBytes.count, host.hasSuffix(domain) else { return false }
        return hostBytes[hostBytes.index(hostBytes.endIndex, offsetBy: -domainBytes.count - 1)] == UInt8(ascii: ".")
    }
}

/// What one seal request asks for, after its query and headers were read.
struct SealRequest: Sendable {
    var slug: String
    var locale: AppLocale
    var width: Int
    /// The page that shows the seal (`Referer`), without its query; nil when absent or not a web address.
    var page: (host: String, url: String)?
    /// A signed seal: the domain it names and the signature that came with it.
    var signed: (domain: String, signature: String)?
}

/// A rendered seal, kept with the buffer and the header fields every response shares (written,
/// never built or copied per request).
/// A class for the same reason as `ShopSealFacts`: one reference count per request, not one per field.
final class SealImageBytes: Sendable {
    let etag: String
    let body: ByteBuffer
    /// The header fields of a `200` answer, and of a `304` (the same without the length).
    let fields: HTTPFields
    let notModifiedFields: HTTPFields
    /// Both answers' heads as the HTTP/1.1 encoder takes them, built once for the connection handler.
    let head: HTTPResponseHead
    let notModifiedHead: HTTPResponseHead

    init(_ bytes: Data, maxAge: TimeInterval) {
        etag = EntityTag.of(bytes)
        body = ByteBuffer(bytes: bytes)
        fields = [.contentType: "image/svg+xml; charset=utf-8", .eTag: etag, .cacheControl: "public, max-age=\(Int(maxAge))", .vary: "Referer",
                  .accessControlAllowOrigin: "*", .xContentTypeOptions: "nosniff", .contentSecurityPolicy: "default-src 'none'",
                  .contentLength: String(bytes.count)]
        var notModified = fields
        notModified[.contentLength] = nil
        notModifiedFields = notModified
        func encoderHead(_ status: HTTPResponseStatus, _ fields: HTTPFields) -> HTTPResponseHead {
            HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(fields.map { ($0.name.rawName, $0.value) }))
        }
        head = encoderHead(.ok, fields)
        notModifiedHead = encoderHead(.notModified, notModified)
    }

    /// What to send for a request: `notModified` when the browser holds these bytes already (a `304`
    /// without a body), and the body otherwise, none for HEAD. Both the application and the
    /// connection handler answer by it.
    func answer(ifNoneMatch: String?, head: Bool) -> (notModified: Bool, body: ByteBuffer?) {
        if EntityTag.matches(ifNoneMatch, etag) { return (true, nil) }
        return (false, head ? nil : body)
    }
}
