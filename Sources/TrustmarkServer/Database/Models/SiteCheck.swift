import FluentKit
import Foundation
import TrustmarkCore

/// One run of the website checker, as staff and the audit screen read it.
final class SiteCheck: Model, @unchecked Sendable {
    static let schema = "site_checks"

    /// Why it ran.
    enum Reason: String, Sendable, CaseIterable {
        case preCheck = "pre_check", recheck, renewal, manual
    }

    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "shop_id") var shop: Shop?
    @OptionalField(key: "application_id") var applicationID: UUID?
    @Field(key: "url") var url: String
    @Field(key: "reason") var reason: String
    /// Why the site could not be read (`unreachable`, `tls_invalid`, ...), when it could not.
    @OptionalField(key: "failure") var failure: String?
    @OptionalField(key: "failure_detail") var failureDetail: String?
    /// The site's HTTPS certificate: `valid`, `invalid`, or `none` for a site on plain HTTP.
    @OptionalField(key: "certificate") var certificate: String?
    /// The pages read, one per line.
    @Field(key: "pages") var pages: String
    /// The checks' outcomes with their evidence, as JSON (`[CheckResult]`).
    @Field(key: "results") var results: String
    @Field(key: "found") var found: Int
    @Field(key: "not_found") var notFound: Int
    @Field(key: "unsure") var unsure: Int
    /// The checks found before and not found now, one per line.
    @Field(key: "regressions") var regressions: String
    @Field(key: "milliseconds") var milliseconds: Int
    @Field(key: "checked_at") var checkedAt: Date

    init() {}

    var checkResults: [CheckResult] { (try? JSONDecoder().decode([CheckResult].self, from: Data(results.utf8))) ?? [] }
}
