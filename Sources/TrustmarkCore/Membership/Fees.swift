import Foundation

/// What a member owes for a term, computed from the scheme: the annual fee for the first shop, the
/// extra-shop fee for each further shop (once, or every term, as the scheme says), and VAT.
public struct FeeCalculation: Equatable, Sendable {
    public struct Line: Equatable, Sendable {
        public enum Kind: String, Sendable { case annualFee = "annual_fee", extraShop = "extra_shop", oneTime = "one_time" }
        public let kind: Kind
        public let quantity: Int
        public let unitPrice: Money
        public var amount: Money { Money(cents: unitPrice.cents * quantity, currency: unitPrice.currency) }

        public init(kind: Kind, quantity: Int, unitPrice: Money) {
            self.kind = kind
            self.quantity = quantity
            self.unitPrice = unitPrice
        }
    }

    public let lines: [Line]
    public let net: Money
    public let vat: Money
    public let gross: Money

    /// The amounts for `shops` shops; `newShops` of them are charged the extra-shop fee now (on a first
    /// invoice every shop beyond the first; on a renewal only if the scheme charges it every term).
    public init(rules: MembershipRules, vatRate: Percentage, shops: Int, renewal: Bool) {
        let currency = rules.annualFee.currency
        var lines: [Line] = [Line(kind: .annualFee, quantity: 1, unitPrice: rules.annualFee)]
        let extra = max(0, shops - 1)
        if let fee = rules.extraShopFee, extra > 0, !renewal || rules.extraShopFeeRecurring {
            lines.append(Line(kind: .extraShop, quantity: extra, unitPrice: fee))
        }
        self.init(lines: lines, vatRate: vatRate, pricesIncludeVAT: rules.feesIncludeVAT, currency: currency)
    }

    /// One of the scheme's one-time fees (the investigation invoice, say).
    public init(oneTime fee: MembershipRules.OneTimeFee, rules: MembershipRules, vatRate: Percentage) {
        self.init(lines: [Line(kind: .oneTime, quantity: 1, unitPrice: fee.amount)], vatRate: vatRate, pricesIncludeVAT: rules.feesIncludeVAT, currency: fee.amount.currency)
    }

    /// VAT is computed once on the total and rounded half up to the cent; prices that include VAT
    /// have it taken out of the total the same way.
    public init(lines: [Line], vatRate: Percentage, pricesIncludeVAT: Bool, currency: String) {
        self.lines = lines
        let total = lines.reduce(0) { $0 + $1.amount.cents }
        if pricesIncludeVAT {
            let net = (total * 10000 * 2 + (10000 + vatRate.basisPoints)) / ((10000 + vatRate.basisPoints) * 2)
            self.net = Money(cents: net, currency: currency)
            self.vat = Money(cents: total - net, currency: currency)
            self.gross = Money(cents: total, currency: currency)
        } else {
            let vat = (total * vatRate.basisPoints * 2 + 10000) / 20000
            self.net = Money(cents: total, currency: currency)
            self.vat = Money(cents: vat, currency: currency)
            self.gross = Money(cents: total + vat, currency: currency)
        }
    }
}
