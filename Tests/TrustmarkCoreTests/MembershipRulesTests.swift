import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Registration numbers")
struct RegistrationNumberTests {
    @Test func kvkNumbersHaveEightDigits() {
        #expect(RegistrationNumbers.checkKvK("12345678") == nil)
        #expect(RegistrationNumbers.checkKvK("1234 5678") == nil)
        #expect(RegistrationNumbers.checkKvK("1234567") == .kvkFormat)
        #expect(RegistrationNumbers.checkKvK("1234567a") == .kvkFormat)
        #expect(RegistrationNumbers.checkKvK("123456789") == .kvkFormat)
    }

    @Test func dutchVATNumbersPassTheElevenTestOrModNinetySeven() {
        #expect(RegistrationNumbers.checkVAT("NL123456782B01") == nil, "11-test")
        #expect(RegistrationNumbers.checkVAT("nl 1234.56782 b01") == nil, "typed with spaces and dots")
        #expect(RegistrationNumbers.checkVAT("NL209965679B09") == nil, "mod 97 (sole traders since 2020)")
        #expect(RegistrationNumbers.checkVAT("NL123456789B01") == .vatCheckDigits)
        #expect(RegistrationNumbers.checkVAT("NL12345678B01") == .vatFormat(country: "NL", example: "NL123456789B01"))
    }

    @Test func otherCountriesAreCheckedForFormatAndBelgiumForItsCheckDigits() {
        #expect(RegistrationNumbers.checkVAT("BE0123456749") == nil)
        #expect(RegistrationNumbers.checkVAT("BE0123456748") == .vatCheckDigits)
        #expect(RegistrationNumbers.checkVAT("DE123456789") == nil)
        #expect(RegistrationNumbers.checkVAT("DE12345678") == .vatFormat(country: "DE", example: "DE123456789"))
        #expect(RegistrationNumbers.checkVAT("ATU12345678") == nil)
        #expect(RegistrationNumbers.checkVAT("XX123") == .vatUnknownCountry("XX"))
    }
}

@Suite("Fees from the scheme")
struct FeeTests {
    static func scheme(_ name: String) throws -> Scheme {
        try SchemeFile.load(SeedSchemeTests.schemes + "/\(name).yaml").scheme
    }

    @Test func mkbOKChargesEachExtraShopOnceAndVATOnTheTotal() throws {
        let scheme = try Self.scheme("mkbok")
        let rules = try #require(scheme.membership)
        let first = FeeCalculation(rules: rules, vatRate: scheme.vatRate, shops: 3, renewal: false)
        // 97.50 + 2 x 29.50 = 156.50 net; 21% = 32.865 -> 32.87
        #expect(first.net.cents == 15650)
        #expect(first.vat.cents == 3287)
        #expect(first.gross.cents == 18937)
        let renewal = FeeCalculation(rules: rules, vatRate: scheme.vatRate, shops: 3, renewal: true)
        #expect(renewal.net.cents == 9750, "the extra-shop contribution is one-time")
    }

    @Test func keurOnlinesInvestigationFee() throws {
        let scheme = try Self.scheme("keuronline")
        let rules = try #require(scheme.membership)
        let fee = try #require(rules.oneTimeFees.first { $0.id == "investigation" })
        let invoice = FeeCalculation(oneTime: fee, rules: rules, vatRate: scheme.vatRate)
        #expect(invoice.net.cents == 5000)
        #expect(invoice.gross.cents == 6050)
    }

    @Test func pricesIncludingVATHaveItTakenOut() throws {
        var rules = try #require(try Self.scheme("keuronline").membership)
        rules.feesIncludeVAT = true
        let calculation = FeeCalculation(rules: rules, vatRate: Percentage(basisPoints: 2100), shops: 1, renewal: false)
        // 60.00 incl. 21%: net 49.59, VAT 10.41
        #expect(calculation.gross.cents == 6000)
        #expect(calculation.net.cents == 4959)
        #expect(calculation.vat.cents == 1041)
    }

    @Test func keurOnlinesTermStartsOnTheFirstOfTheNextMonthAndTheSealOnceSignedAndPaid() throws {
        let rules = try #require(try Self.scheme("keuronline").membership)
        #expect(rules.termStart(approvedOn: Day("2026-12-20")!, conditionsMetOn: nil)?.description == "2027-01-01")
        // Approved 20 December, signed 22 December, paid 24 December: the seal from 1 January.
        var facts = SealFacts(approvedOn: Day("2026-12-20")!, contractCompletedOn: Day("2026-12-22")!)
        #expect(rules.standing(facts, today: Day("2026-12-23")!) == .awaiting([.payment]))
        facts.firstPaymentOn = Day("2026-12-24")!
        #expect(rules.standing(facts, today: Day("2026-12-24")!) == .scheduled(from: Day("2027-01-01")!))
        #expect(rules.standing(facts, today: Day("2027-01-01")!) == .active(until: Day("2028-01-01")!))
        // Paid only on 5 January: the term still started on the 1st, the seal comes at once.
        facts.firstPaymentOn = Day("2027-01-05")!
        #expect(rules.standing(facts, today: Day("2027-01-05")!) == .active(until: Day("2028-01-01")!))
        #expect(rules.standing(facts, today: Day("2028-01-01")!) == .lapsed(since: Day("2028-01-01")!), "an unpaid renewal takes the seal away")
        facts.paidThrough = Day("2029-01-01")!
        #expect(rules.standing(facts, today: Day("2028-02-01")!).mayShowSeal)
        facts.endedOn = Day("2028-03-01")!
        #expect(rules.standing(facts, today: Day("2028-03-01")!) == .ended(on: Day("2028-03-01")!))
    }

    @Test func mkbOKStartsWhenApprovedAndPaidWithoutAContract() throws {
        let rules = try #require(try Self.scheme("mkbok").membership)
        let facts = SealFacts(approvedOn: Day("2026-12-20")!, firstPaymentOn: Day("2026-12-29")!)
        #expect(rules.standing(facts, today: Day("2026-12-29")!) == .active(until: Day("2027-12-29")!))
        let siegel = try #require(try Self.scheme("service-siegel").membership)
        #expect(siegel.standing(SealFacts(approvedOn: Day("2026-12-20")!), today: Day("2026-12-20")!) == .active(until: Day("2027-12-20")!))
    }

    @Test func periodsOnTheCalendar() {
        #expect(Day("2027-01-31")!.adding(Period(1, .months)).description == "2027-02-28")
        #expect(Day("2028-02-29")!.adding(Period(1, .years)).description == "2029-02-28")
        #expect(Day("2027-12-01")!.adding(Period(14, .days)).description == "2027-12-15")
        #expect(Day("2028-01-01")!.subtracting(Period(1, .months)).description == "2027-12-01")
        #expect(Day("2028-01-01")!.subtracting(Period(14, .days)).description == "2027-12-18")
    }

    @Test func applicationsOnlyMoveAlongTheirPath() {
        #expect(ApplicationState.submitted.allows(.inAudit))
        #expect(!ApplicationState.submitted.allows(.approved), "no approval without an audit")
        #expect(!ApplicationState.changesRequested.allows(.approved))
        #expect(ApplicationState.audited.allows(.rejected))
        #expect(!ApplicationState.approved.allows(.rejected), "an approved application is cancelled, not rejected")
        #expect(!ApplicationState.rejected.allows(.inAudit), "a rejection is final")
    }
}
