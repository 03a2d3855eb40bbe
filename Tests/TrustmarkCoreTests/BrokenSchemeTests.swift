import Foundation
import Testing
@testable import TrustmarkCore

/// A small valid scheme with every section, and the broken variants an operator might produce. Each
/// broken file must be refused with the exact message at the exact line and column.
@Suite("Broken scheme files")
struct BrokenSchemeTests {
    static let valid = """
        format: 1
        id: test
        name: Test
        legal_entity: Test BV
        country: NL
        languages: [nl, en]
        time_zone: Europe/Amsterdam
        calendar:
          holidays: NL
        currency: EUR
        vat_rate: "21"
        code_of_conduct:
          version: "1"
          date: 2026-01-01
          articles:
            - number: "1"
              title: {nl: Titel, en: Title}
              text: {nl: Tekst, en: Text}
          criteria:
            - {id: c1, article: "1", kind: yes_no, question: {nl: Vraag, en: Question}}
        membership:
          annual_fee: "60.00"
          fees_include_vat: false
          guarantee_fund: false
          starts: on_approval
          term: 1 year
          renewal_invoice_before: 1 month
          payment_term: 14 days
          contract_return_term: 14 days
          seal_requires: [approval, payment]
          contract_copies: 1
          recheck_before_renewal: false
          pre_check_required: false
          inspected_by: own_staff
          fix_reminder_after: 14 days
          termination: any_time
          refund_on_termination: false
        seal:
          variants:
            - {id: consumer, default: true, colour: "#112233", name: {nl: Consument, en: Consumer}}
          tiers:
            based_on: service_ratings
            levels:
              - {id: silver, colour: "#888888", minimum_ratings: 10, minimum_average: "4.0", name: {nl: Zilver, en: Silver}}
              - {id: gold, colour: "#bb8800", minimum_ratings: 20, minimum_average: "4.5", name: {nl: Goud, en: Gold}}
        complaints:
          contact_shop_first: true
          shop_first_wait: 2 working days
          shop_answer_deadline: 2 working days
          anonymous_allowed: false
          confirm_within: 7 days
        sanctions:
          suspension_max: 3 months
          lists:
            - {id: no-longer, name: {nl: Geen lid meer, en: No longer a member}}
          publication:
            revocation: no-longer
        reviews:
          criteria:
            - {id: service, name: {nl: Service, en: Service}}
          scale: {minimum: 1, maximum: 5}
          window: 12 months
          invited_only: false
          flag_cap_per_month: 5
          removed_retention: 1 year
          fraud_hold_score: 70
          confirm_within: 7 days
          fraud_ladder:
            staff_may_deviate: true
            steps:
              - {action: warning, letter: true}
              - {action: offline, duration: 1 week}
            public_notice: 3 months
        """

    static func problems(_ text: String) -> [String] {
        switch SchemeParser.parse(text) {
        case .valid: return []
        case .invalid(let problems): return problems.map(\.description)
        }
    }

    static func broken(_ old: String, _ new: String) -> String {
        precondition(valid.contains(old), "the base file has no '\(old)'")
        return valid.replacingOccurrences(of: old, with: new)
    }

    @Test func theBaseFileIsValid() {
        #expect(Self.problems(Self.valid) == [])
    }

    static let cases: [(String, String, String, [String])] = [
        ("unknown key", "  holidays: NL", "  holiday: NL", [
            "9:3: unknown key 'holiday' in calendar; allowed: holidays, region, extra_closed_days, extra_working_days",
            "9:3: calendar is missing the required key 'holidays'",
        ]),
        ("wrong type", "languages: [nl, en]", "languages: nl", ["6:12: languages must be a list"]),
        ("negative fee", "annual_fee: \"60.00\"", "annual_fee: \"-5.00\"", ["22:15: membership.annual_fee must not be negative (-5.00)"]),
        ("malformed amount", "annual_fee: \"60.00\"", "annual_fee: \"60,00\"", ["22:15: membership.annual_fee must be an amount such as 60.00, not '60,00'"]),
        ("tiers out of order", "minimum_ratings: 20, minimum_average: \"4.5\"", "minimum_ratings: 20, minimum_average: \"3.5\"", [
            "45:9: tier 'gold' must ask more than tier 'silver' below it (levels go from lowest to highest)",
        ]),
        ("criterion without article", "{id: c1, article: \"1\"", "{id: c1, article: \"9\"", [
            "20:25: criterion 'c1' points at article '9', which the code of conduct does not have",
        ]),
        ("ladder without steps", "      - {action: warning, letter: true}\n      - {action: offline, duration: 1 week}", "      []", [
            "71:7: reviews.fraud_ladder.steps must list at least one step",
        ]),
        ("deadline of 0 days", "shop_answer_deadline: 2 working days", "shop_answer_deadline: 0 working days", [
            "49:25: complaints.shop_answer_deadline must be longer than 0 working days",
        ]),
        ("malformed period", "  term: 1 year", "  term: one year", [
            "26:9: membership.term must be a period such as '2 working days', '14 days' or '1 month', not 'one year'",
        ]),
        ("missing translation", "title: {nl: Titel, en: Title}", "title: {nl: Titel}", [
            "17:14: code_of_conduct.articles[1].title is missing the required key 'en'",
        ]),
        ("unknown time zone", "time_zone: Europe/Amsterdam", "time_zone: Europe/Amsterdm", [
            "7:12: time_zone 'Europe/Amsterdm' is not a known time zone such as Europe/Amsterdam",
        ]),
        ("unknown choice", "starts: on_approval", "starts: whenever", [
            "25:11: membership.starts must be one of on_approval, when_seal_conditions_met, first_of_next_month, not 'whenever'",
        ]),
        ("no default variant", "{id: consumer, default: true,", "{id: consumer, default: false,", [
            "40:5: seal.variants must mark exactly one variant as default: true (found 0)",
        ]),
        ("bad colour", "colour: \"#112233\"", "colour: red", ["40:45: seal.variants[1].colour must be a colour such as #c8102e, not 'red'"]),
        ("duplicate key", "  term: 1 year", "  term: 1 year\n  term: 2 years", ["27:3: duplicate key 'term'; each key may appear once here"]),
        ("unsupported format", "format: 1", "format: 2", ["1:9: format 2 is not supported; this version of Trustmark reads format 1"]),
        ("impossible date", "date: 2026-01-01", "date: 2026-02-30", ["14:9: code_of_conduct.date must be a date such as 2012-04-20, not '2026-02-30'"]),
        ("YAML syntax", "languages: [nl, en]", "languages: [nl, en", ["7:10: not valid YAML: did not find expected ',' or ']'"]),
        ("list not defined", "revocation: no-longer", "revocation: no-longer-a-member", [
            "57:17: sanctions.publication.revocation names the list 'no-longer-a-member', which sanctions.lists does not define (or use 'never')",
        ]),
        ("offline without duration", "{action: offline, duration: 1 week}", "{action: offline}", [
            "72:9: reviews.fraud_ladder.steps[2] is missing the required key 'duration'",
        ]),
        ("duplicate article number", "      text: {nl: Tekst, en: Text}\n", "      text: {nl: Tekst, en: Text}\n    - number: \"1\"\n      title: {nl: Twee, en: Two}\n      text: {nl: Twee, en: Two}\n", [
            "19:15: article number '1' is used twice",
        ]),
        ("renewal longer than term", "renewal_invoice_before: 1 month", "renewal_invoice_before: 13 months", [
            "27:27: membership.renewal_invoice_before (13 months) must be shorter than the term (1 year)",
        ]),
    ]

    @Test(arguments: cases.indices)
    func aBrokenFileIsRefusedWithTheExactMessage(_ index: Int) {
        let (name, old, new, expected) = Self.cases[index]
        #expect(Self.problems(Self.broken(old, new)) == expected, "\(name)")
    }

    @Test func anEmptyFileAndAMissingSectionAreNamed() {
        #expect(Self.problems("") == ["1:1: the file is empty"])
        // The whole code_of_conduct section (lines 12 to 20) taken out.
        let lines = Self.valid.components(separatedBy: "\n")
        let withoutCode = (Array(lines[0..<11]) + Array(lines[20...])).joined(separator: "\n")
        #expect(Self.problems(withoutCode) == ["1:1: the file is missing the required key 'code_of_conduct'"])
        #expect(SchemeFile.LoadError.invalid(path: "Schemes/x.yaml", problems: [SchemeProblem(line: 3, column: 7, message: "m")]).lines == ["Schemes/x.yaml:3:7: m"])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let text = Self.broken("annual_fee: \"60.00\"", "annual_fee: \"-1\"").replacingOccurrences(of: "currency: EUR", with: "currency: euro")
        #expect(Self.problems(text) == [
            "10:11: currency must be a three-letter ISO 4217 code such as EUR, not 'euro'",
            "22:15: membership.annual_fee must not be negative (-1.00)",
        ])
    }

    @Test func periodsAndMoneyParse() {
        #expect(Period.parse("2 working days") == Period(2, .workingDays))
        #expect(Period.parse("1 month") == Period(1, .months))
        #expect(Period.parse("3 Months") == Period(3, .months))
        #expect(Period.parse("two days") == nil)
        #expect(Period.parse("5 fortnights") == nil)
        #expect(Money.parse("97.50", currency: "EUR")?.cents == 9750)
        #expect(Money.parse("60", currency: "EUR")?.cents == 6000)
        #expect(Money.parse("14.9", currency: "EUR")?.cents == 1490)
        #expect(Money.parse("1.234", currency: "EUR") == nil)
        #expect(Money.parse("1e3", currency: "EUR") == nil)
        #expect(Money(cents: 9750, currency: "EUR").description == "EUR 97.50")
    }
}

extension BrokenSchemeTests {
    @Test func severalProblemsInOneSectionAreAllReported() {
        let text = Self.broken("annual_fee: \"60.00\"", "annual_fee: \"-1\"")
            .replacingOccurrences(of: "  term: 1 year", with: "  term: one year")
            .replacingOccurrences(of: "  termination: any_time", with: "  termination: never")
        #expect(Self.problems(text) == [
            "22:15: membership.annual_fee must not be negative (-1.00)",
            "26:9: membership.term must be a period such as '2 working days', '14 days' or '1 month', not 'one year'",
            "36:16: membership.termination must be one of any_time, end_of_term_after_first, not 'never'",
        ])
    }
}
