import Foundation

/// What a complaint is about: a member shop, or the trustmark itself (KeurOnline article 14: the
/// same form).
public enum ComplaintSubject: String, Sendable, CaseIterable, Codable {
    case shop
    case trustmark
}

/// How the consumer contacted the shop before coming to the trustmark.
public enum ShopContactChannel: String, Sendable, CaseIterable, Codable {
    case email, form, phone, chat, letter
}

/// The facts the intake decides on, as the consumer gave them and the register knows them.
public struct ComplaintIntakeFacts: Sendable {
    public var subject: ComplaintSubject
    /// Whether the shop currently carries the seal (a member, or suspended while a member).
    public var shopIsMember: Bool
    public var shopCountry: String?
    public var consumerCountry: String
    /// The scheme's sector the purchase belongs to (`travel`), nil for an ordinary purchase.
    public var sector: String?
    public var contactedShopOn: Day?
    /// The shop did answer, and the consumer is not satisfied: no need to wait any longer.
    public var shopAnswered: Bool
    public var today: Day

    public init(subject: ComplaintSubject, shopIsMember: Bool, shopCountry: String?, consumerCountry: String, sector: String?,
                contactedShopOn: Day?, shopAnswered: Bool, today: Day) {
        self.subject = subject
        self.shopIsMember = shopIsMember
        self.shopCountry = shopCountry
        self.consumerCountry = consumerCountry
        self.sector = sector
        self.contactedShopOn = contactedShopOn
        self.shopAnswered = shopAnswered
        self.today = today
    }
}

/// Why the trustmark cannot take a complaint, with where the consumer can go instead.
public enum ComplaintIntakeRefusal: Error, Equatable, Sendable {
    /// The shop does not carry the seal; the scheme's referral, if it names one.
    case notAMember(Referral?)
    /// The consumer must first give the shop the scheme's time to answer: filing opens on this day.
    case tooEarly(Day)
    /// The scheme wants the shop contacted first, and the consumer has not said when they did.
    case contactShopFirst
    /// The contact day lies in the future.
    case contactInFuture
    /// A purchase in a sector with its own committee (travel).
    case sector(String, Referral)
    /// Consumer and shop are in different countries: the EU route.
    case crossBorder(Referral)
}

/// The intake's rules: whether a complaint can be taken, from the scheme's complaint rules and
/// its working-day calendar.
public struct ComplaintIntake: Sendable {
    public let rules: ComplaintRules
    public let calendar: WorkingDayCalendar

    public init(rules: ComplaintRules, calendar: WorkingDayCalendar) {
        self.rules = rules
        self.calendar = calendar
    }

    /// The first day a consumer who contacted the shop on `contacted` may file: the day after the
    /// scheme's waiting time, counted on the scheme's calendar (working days skip weekends and
    /// holidays).
    public func earliestFilingDay(contacted: Day) -> Day? {
        guard let wait = rules.shopFirstWait else { return nil }
        return contacted.adding(wait, calendar: calendar).adding(days: 1)
    }

    /// Checks the facts in the order a consumer would want to hear them: the wrong place first,
    /// then the waiting time.
    public func check(_ facts: ComplaintIntakeFacts) throws(ComplaintIntakeRefusal) {
        guard facts.subject == .shop else { return }
        if let sector = facts.sector, let route = rules.sectorRoutes.first(where: { $0.sector == sector }) {
            throw .sector(sector, route.referral)
        }
        guard facts.shopIsMember else { throw .notAMember(rules.nonMemberReferral) }
        if let route = rules.crossBorderRoute, let shopCountry = facts.shopCountry,
           shopCountry.uppercased() != facts.consumerCountry.uppercased() {
            throw .crossBorder(route)
        }
        guard rules.contactShopFirst else { return }
        guard let contacted = facts.contactedShopOn else { throw .contactShopFirst }
        guard contacted <= facts.today else { throw .contactInFuture }
        if facts.shopAnswered { return }
        if let earliest = earliestFilingDay(contacted: contacted), facts.today < earliest { throw .tooEarly(earliest) }
    }
}
