import Foundation
import TrustmarkCore

/// The scheme's key rules as label/value pairs in the reader's language, for staff pages. (The
/// command line prints the same facts in English through `SchemeSummary`.)
struct SchemeFacts {
    struct Fact: Encodable, Sendable {
        let label: String
        let value: String
    }

    let localizer: Localizer

    func period(_ period: Period, _ locale: AppLocale) -> String {
        let unit = localizer.text("period_\(period.unit == .workingDays ? "working_day" : String(describing: period.unit).dropLast(1))_\(period.amount == 1 ? "one" : "other")", locale)
        return "\(period.amount) \(unit)"
    }

    /// `€ 60,00` in Dutch and German, `€60.00` in English; other currencies keep their code.
    static func money(_ money: Money, _ locale: AppLocale) -> String {
        let symbol = (money.currency == "EUR" ? "€" : money.currency + " ").trimmingWhitespace()
        return locale == .en ? symbol + amount(money, locale) : symbol + " " + amount(money, locale)
    }

    /// The number alone, as a person types it in an amount field: 90.75 in English, 90,75 in Dutch and German.
    static func amount(_ money: Money, _ locale: AppLocale) -> String {
        locale == .en ? money.plain : money.plain.replacingOccurrences(of: ".", with: ",")
    }

    func facts(_ scheme: Scheme, _ locale: AppLocale) -> [Fact] {
        let money = { (amount: Money) in Self.money(amount, locale) }
        let t = { (key: String) in localizer.text(key, locale) }
        var facts: [Fact] = []
        func add(_ key: String, _ value: String?) { if let value { facts.append(Fact(label: t(key), value: value)) } }
        add("fact_scheme", "\(scheme.name) (\(scheme.legalEntity), \(scheme.country))")
        add("fact_code", "\(scheme.codeOfConduct.version): \(scheme.codeOfConduct.articles.count) / \(scheme.codeOfConduct.criteria.count)")
        add("fact_vat", scheme.vatRate.description)
        if let m = scheme.membership {
            add("fact_annual_fee", "\(money(m.annualFee)) \(t(m.feesIncludeVAT ? "fact_incl_vat" : "fact_excl_vat")) / \(period(m.term, locale))")
            add("fact_extra_shop_fee", m.extraShopFee.map(money))
            for fee in m.oneTimeFees { facts.append(Fact(label: scheme.text(fee.name, locale.rawValue), value: money(fee.amount))) }
            add("fact_renewal", period(m.renewalInvoiceBefore, locale))
            add("fact_recheck", m.recheckEvery.map { period($0, locale) })
        }
        add("fact_variants", scheme.seal.variants.map { scheme.text($0.name, locale.rawValue) }.joined(separator: ", "))
        if !scheme.seal.tiers.isEmpty { add("fact_tiers", scheme.seal.tiers.map { scheme.text($0.name, locale.rawValue) }.joined(separator: ", ")) }
        if let c = scheme.complaints {
            add("fact_shop_first_wait", c.shopFirstWait.map { period($0, locale) })
            add("fact_shop_answer", period(c.shopAnswerDeadline, locale))
            add("fact_handling", c.handlingDeadline.map { period($0, locale) })
            add("fact_dispute_body", c.disputeBody.map { body in body.name + (body.fee.map { " (\(money($0)))" } ?? "") })
        }
        if let s = scheme.sanctions {
            add("fact_improvement", s.improvementPeriodMax.map { period($0, locale) })
            add("fact_summons", s.summonsDeadline.map { period($0, locale) })
            add("fact_suspension", s.suspensionMax.map { period($0, locale) })
            add("fact_lists", s.lists.map { scheme.text($0.name, locale.rawValue) }.joined(separator: ", "))
        }
        if let r = scheme.reviews, !r.ladder.isEmpty {
            add("fact_ladder", r.ladder.map { step in t("ladder_\(step.action.rawValue)") + (step.duration.map { " " + period($0, locale) } ?? "") }.joined(separator: " → "))
        }
        add("fact_transition", scheme.ruleChanges.map { period($0.farReachingTransition, locale) })
        return facts
    }
}
