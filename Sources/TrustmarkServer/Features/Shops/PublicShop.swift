import Foundation
import TrustmarkCore

/// A shop's public facts in one language: the verification page's content and the JSON of
/// `GET /api/v1/shops?domain=` and `GET /api/v1/shops/{slug}`.
struct PublicShop: Codable, Sendable {
    struct Address: Codable, Sendable {
        let street: String
        let postcode: String
        let city: String
        let country: String
    }

    struct Check: Codable, Sendable {
        let on: String
        let onText: String
        let kind: String
        let kindText: String
        let outcome: String
        let outcomeText: String
        let passed: Bool
    }

    struct Complaints: Codable, Sendable {
        /// Complaints confirmed within the scheme's statistics window (12 months in the seed schemes).
        let received12Months: Int
        /// Whole percent of those complaints that were resolved; nil without complaints.
        let resolvedPercent: Int?
        /// Left unresolved by the shop (mediation failed, a ruling not complied with).
        let unresolved12Months: Int
        /// The shop let its answer deadline pass.
        let noAnswer12Months: Int
        /// The window in words: "last 12 months".
        let windowText: String
        let medianHoursToFirstAnswer: Int?
        let medianText: String?
    }

    struct Ratings: Codable, Sendable {
        let count12Months: Int
        /// The average overall score, e.g. "4.3"; nil without ratings.
        let average: String?
        /// The top of the scheme's scale.
        let outOf: Int
        /// The count in words ("1 rating", "12 ratings").
        let countText: String
    }

    struct Sanction: Codable, Sendable {
        let kind: String
        let text: String
        let since: String?
        let until: String?
    }

    let slug: String
    let name: String
    let legalName: String
    let kvk: String
    let vatNumber: String
    let address: Address
    let domains: [String]
    let variant: String
    let variantName: String
    let tier: String?
    let tierName: String?
    let status: String
    let statusText: String
    let statusSince: String?
    let statusUntil: String?
    let memberSince: String?
    let codeOfConductVersion: String?
    let lastCheckedOn: String?
    let checks: [Check]
    let complaints: Complaints?
    let ratings: Ratings?
    let sanctions: [Sanction]
    /// A step of the fraud ladder in force, in words for consumers.
    let warning: String?
    let verificationURL: String
    let sealURL: String

    init(_ record: ShopRecord, locale: AppLocale, desk: MembershipDesk) {
        let scheme = desk.scheme
        let t = { (key: String, args: [String: String]) in desk.localizer.text(key, locale, args) }
        let day = { (day: Day?) in day.map { desk.dayText($0, locale) } }
        slug = record.slug
        name = record.name
        legalName = record.legalName
        kvk = record.kvk
        vatNumber = record.vatNumber
        address = Address(street: record.street, postcode: record.postcode, city: record.city, country: record.country)
        domains = record.domains
        variant = record.variant
        variantName = desk.variantName(record.variant, locale)
        let tierRule = desk.tier(record.seal.tier)
        tier = tierRule?.id
        tierName = tierRule.map { desk.active.text($0.name, locale) }
        status = SealService.statusKey(record.seal.status)
        statusText = SealService.statusText(record.seal.status, locale: locale, desk: desk)
        memberSince = record.memberSince.map(\.description)
        switch (record.seal.status, record.override) {
        case (.valid, _):
            statusSince = record.memberSince.map(\.description)
            statusUntil = record.validUntil?.description
        case (_, .revoked(let on)?):
            statusSince = on.description
            statusUntil = nil
        case (_, .suspended(let until)?):
            statusSince = nil
            statusUntil = until?.description
        default:
            statusSince = record.endedOn?.description
            statusUntil = nil
        }
        codeOfConductVersion = record.codeVersion
        lastCheckedOn = record.checks.last.map(\.on.description)
        checks = record.checks.reversed().map {
            Check(on: $0.on.description, onText: day($0.on) ?? "", kind: $0.kind.rawValue, kindText: t("verify_check_\($0.kind.rawValue)", [:]),
                  outcome: $0.passed ? "passed" : "fixes_requested", outcomeText: t($0.passed ? "verify_check_passed" : "verify_check_fixes", [:]),
                  passed: $0.passed)
        }
        if scheme.complaints?.statisticsPublic == true {
            let stats = record.stats
            let received = stats?.complaints12m ?? 0
            let hours = stats?.medianFirstAnswerHours
            let window = scheme.complaints?.statisticsWindow.map { SchemeFacts(localizer: desk.localizer).period($0, locale) } ?? ""
            complaints = Complaints(received12Months: received,
                                    resolvedPercent: received > 0 ? ((stats?.resolved12m ?? 0) * 100 + received / 2) / received : nil,
                                    unresolved12Months: stats?.unresolved12m ?? 0, noAnswer12Months: stats?.noAnswer12m ?? 0,
                                    windowText: t("verify_window", ["period": window]),
                                    medianHoursToFirstAnswer: hours,
                                    medianText: hours.map { $0 < 48 ? t("verify_hours", ["count": "\($0)"]) : t("verify_days", ["count": "\(($0 + 12) / 24)"]) })
        } else {
            complaints = nil
        }
        if let reviewRules = scheme.reviews {
            let count = record.stats?.ratings12m ?? 0
            let sum = record.stats?.ratingSum12m ?? 0
            // One decimal, rounded half up, from hundredths: 4.25 -> "4.3".
            let tenths = count > 0 ? (sum * 10 / count + 50) / 100 : 0
            ratings = Ratings(count12Months: count, average: count > 0 ? "\(tenths / 10).\(tenths % 10)" : nil, outOf: reviewRules.scaleMaximum,
                              countText: t(count == 1 ? "widget_count_one" : "widget_count", ["count": "\(count)"]))
        } else {
            ratings = nil
        }
        switch record.override {
        case .revoked(let on)?:
            sanctions = [Sanction(kind: "revoked", text: t("seal_revoked", [:]), since: on.description, until: nil)]
        case .suspended(let until)?:
            sanctions = [Sanction(kind: "suspended", text: t("seal_suspended", [:]), since: nil, until: until?.description)]
        case nil:
            sanctions = []
        }
        warning = record.fraudNotice.map { ReviewsService.warningText($0, desk: desk, locale: locale) }
        verificationURL = "\(desk.baseURL)/shops/\(record.slug)"
        sealURL = "\(desk.baseURL)/seal/\(record.slug).svg"
    }
}
