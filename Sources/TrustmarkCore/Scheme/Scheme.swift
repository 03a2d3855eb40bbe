import Foundation

/// The rules of one trustmark organisation, read from its scheme file. Every fee, deadline,
/// threshold and ladder step the system applies comes from here; the code never second-guesses it.
/// A section that is absent means the scheme does not run that part (no reviews, no tiers, ...).
public struct Scheme: Equatable, Sendable {
    public var id: String
    public var name: String
    public var legalEntity: String
    public var country: String
    /// The first language is the scheme's own; pages fall back to it.
    public var languages: [String]
    public var timeZone: String
    public var calendar: CalendarRules
    public var currency: String
    public var vatRate: Percentage
    public var website: String?
    public var codeOfConduct: CodeOfConduct
    public var membership: MembershipRules?
    public var seal: SealRules
    public var complaints: ComplaintRules?
    public var sanctions: SanctionRules?
    public var reviews: ReviewRules?
    public var ruleChanges: RuleChangeRules?

    public var defaultLanguage: String { languages.first ?? "nl" }

    public func text(_ text: LocalizedText, _ language: String) -> String {
        text.text(language, fallbacks: languages)
    }
}

public struct CalendarRules: Equatable, Sendable {
    /// The country whose public holidays count (NL, BE, DE).
    public var holidays: String
    /// A region whose extra holidays count too, e.g. a German state (DE-NI).
    public var region: String?
    public var extraClosedDays: [String]
    public var extraWorkingDays: [String]
}

public struct CodeOfConduct: Equatable, Sendable {
    public var version: String
    public var date: String
    public var articles: [Article]
    public var criteria: [Criterion]

    public func article(_ number: String) -> Article? { articles.first { $0.number == number } }
}

public struct Article: Equatable, Sendable {
    public var number: String
    public var title: LocalizedText
    public var text: LocalizedText
}

/// One thing an inspector checks, derived from an article.
public struct Criterion: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case yesNo = "yes_no"
        case evidenceURL = "evidence_url"
        case value
    }

    public var id: String
    public var article: String
    public var question: LocalizedText
    public var kind: Kind
    /// The website checker's check that finds this automatically, if any.
    public var automatedCheck: String?
}

public struct MembershipRules: Equatable, Sendable {
    public enum Start: String, Sendable, CaseIterable {
        case onApproval = "on_approval"
        case onSealConditions = "when_seal_conditions_met"
        case firstOfNextMonth = "first_of_next_month"
    }

    public enum Requirement: String, Sendable, CaseIterable {
        case approval
        case signedContract = "signed_contract"
        case payment
    }

    public enum Inspector: String, Sendable, CaseIterable {
        case ownStaff = "own_staff"
        case independentBody = "independent_body"
    }

    public enum Termination: String, Sendable, CaseIterable {
        case anyTime = "any_time"
        case endOfTermAfterFirst = "end_of_term_after_first"
    }

    public struct OneTimeFee: Equatable, Sendable {
        public var id: String
        public var name: LocalizedText
        public var amount: Money
        /// The event that raises it, e.g. `application_cancelled`.
        public var chargedWhen: String
    }

    public var annualFee: Money
    public var feesIncludeVAT: Bool
    public var extraShopFee: Money?
    public var extraShopFeeRecurring: Bool
    public var oneTimeFees: [OneTimeFee]
    public var includes: [String]
    public var guaranteeFund: Bool
    public var starts: Start
    public var term: Period
    public var renewalInvoiceBefore: Period
    public var paymentTerm: Period
    public var contractReturnTerm: Period
    public var sealRequires: [Requirement]
    public var contractCopies: Int
    public var probation: Period?
    public var recheckEvery: Period?
    public var recheckBeforeRenewal: Bool
    public var preCheckRequired: Bool
    public var inspectedBy: Inspector
    public var inspectionBody: String?
    public var fixReminderAfter: Period
    public var termination: Termination
    public var refundOnTermination: Bool
}

public struct SealRules: Equatable, Sendable {
    public struct Variant: Equatable, Sendable {
        public var id: String
        public var name: LocalizedText
        public var colour: String
        public var isDefault: Bool
        public var pricesExclVAT: Bool
        public var consumerNotice: LocalizedText?
    }

    public struct Tier: Equatable, Sendable {
        public var id: String
        public var name: LocalizedText
        public var colour: String
        public var minimumRatings: Int
        /// Average of the overall score, in hundredths (3.50 = 350).
        public var minimumAverage: Int
    }

    public var variants: [Variant]
    /// From lowest to highest; empty when the scheme has no tiers.
    public var tiers: [Tier]
    public var tiersBasedOn: String?

    public var defaultVariant: Variant? { variants.first { $0.isDefault } }
}

public struct Referral: Equatable, Sendable {
    public var name: LocalizedText
    public var url: String?
}

public struct ComplaintRules: Equatable, Sendable {
    public struct SectorRoute: Equatable, Sendable {
        public var sector: String
        public var referral: Referral
    }

    public struct DisputeBody: Equatable, Sendable {
        public var name: String
        public var url: String?
        public var fee: Money?
        public var binding: Bool
    }

    public var contactShopFirst: Bool
    /// How long the consumer must wait for the shop's answer before filing with the trustmark.
    public var shopFirstWait: Period?
    public var shopAnswerDeadline: Period
    public var handlingDeadline: Period?
    public var anonymousAllowed: Bool
    public var nonMemberReferral: Referral?
    public var sectorRoutes: [SectorRoute]
    public var crossBorderRoute: Referral?
    public var disputeBody: DisputeBody?
    public var sanctionThreshold: Int?
    public var sanctionWindow: Period?
    public var statisticsPublic: Bool
    /// How long a consumer has to confirm the e-mail link; unconfirmed complaints are then removed.
    public var confirmWithin: Period
    /// How long before a complaint deadline its party is reminded (none without it).
    public var reminderBefore: Period?
    /// How long the consumer has to accept or reject the shop's answer before the complaint closes.
    public var consumerReplyDeadline: Period?
    /// The stretch the public complaint figures cover (and over which the threshold counts when no
    /// `sanction_window` is given).
    public var statisticsWindow: Period?
    /// How long a finished complaint keeps the consumer's details, texts and files; then they are
    /// erased and only its facts (shop, dates, states, outcome) remain. None: kept.
    public var retention: Period? = nil
}

public struct SanctionRules: Equatable, Sendable {
    public struct PublicList: Equatable, Sendable {
        public var id: String
        public var name: LocalizedText
    }

    public var improvementPeriodMax: Period?
    public var summonsDeadline: Period?
    public var summonsChannels: [String]
    public var suspensionMax: Period?
    public var appealPeriod: Period?
    public var fourEyesFor: [String]
    public var legalStep: String?
    public var lists: [PublicList]
    /// Which list each event puts a shop on; `never` keeps it off every list.
    public var publication: [String: String]
    /// What takes a shop off a list again, per list.
    public var delisting: [String: String]
    /// The rule each sanction kind rests on (e.g. `suspension: "26"`), for the record and the letters.
    public var articles: [String: String] = [:]

    public static let never = "never"
}

public struct ReviewRules: Equatable, Sendable {
    public struct RatingCriterion: Equatable, Sendable {
        public var id: String
        public var name: LocalizedText
    }

    public enum LadderAction: String, Sendable, CaseIterable {
        case warning, offline, meeting
    }

    public struct LadderStep: Equatable, Sendable {
        public var action: LadderAction
        public var duration: Period?
        public var letter: Bool
        public var removeReviews: Bool
        public var phoneTask: Bool
        public var automaticReturn: Bool
    }

    public var criteria: [RatingCriterion]
    public var scaleMinimum: Int
    public var scaleMaximum: Int
    public var window: Period
    public var praiseAndFaultForm: Bool
    public var invitedOnly: Bool
    public var flagCapPerMonth: Int
    public var removedRetention: Period
    /// Fraud score (0-100) from which a review is held for moderation.
    public var fraudHoldScore: Int
    public var ladder: [LadderStep]
    public var staffMayDeviate: Bool
    /// How long the public page warns consumers after a ladder step without a duration of its own.
    public var publicNotice: Period?
    /// How long someone who rates without an invitation has to confirm the e-mail link.
    public var confirmWithin: Period
}

public struct RuleChangeRules: Equatable, Sendable {
    public var farReachingTransition: Period
    public var notify: [String]
    public var refusalMayEndMembership: Bool
}
