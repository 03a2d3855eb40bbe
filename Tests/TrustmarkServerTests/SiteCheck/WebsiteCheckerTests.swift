import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The website checker against shop sites served from local files on 127.0.0.1: a compliant shop in
/// nl, de and en, shops missing items, and the sites that cannot be read. Each check's outcome and its
/// evidence (the page and the words) are asserted.
@Suite("Website checker")
struct WebsiteCheckerTests {
    static let keurOnlineChecks = ["company_name_address", "contact_details", "kvk_number", "prices_vat", "shipping_costs", "payment_methods",
                                   "withdrawal_right", "terms_reachable", "vat_number", "privacy_statement", "seal_link"]

    static func runner(_ port: Int, timeout: Duration = .seconds(3), perHost: Duration = .zero) -> SiteCheckRunner {
        var rules = SiteFetcher.Rules()
        rules.contactURL = "https://keurmerk.test/checker"
        rules.perHost = perHost
        rules.pageTimeout = timeout
        rules.connectTimeout = .seconds(1)
        rules.dnsOverride = Dictionary(uniqueKeysWithValues: SiteFixtures.hosts.map { ($0, "127.0.0.1") })
        return SiteCheckRunner(fetcher: SiteFetcher(rules: rules))
    }

    static func outcome(_ report: SiteReport, _ check: String) -> CheckResult? {
        report.results.first { $0.check == check }
    }

    @Test func aCompliantDutchShopPassesEveryCheckWithTheEvidence() async throws {
        try await SiteFixtures.with { port, _ in
            let runner = Self.runner(port)
            let facts = SiteFacts(legalName: "Fietsen Van Dijk B.V.", postcode: "3511 AB", kvk: "12345678", vat: "NL123456782B01",
                                  sealPath: "/seal/fietsen-van-dijk.svg", verificationPath: "/shops/fietsen-van-dijk")
            let report = await runner.run("http://fietsen-nl.test:\(port)/", checks: Self.keurOnlineChecks, facts: facts)
            try await runner.fetcher.shutdown()
            #expect(report.failure == nil, "\(report.failureDetail ?? "")")
            #expect(report.certificate == "none", "plain HTTP: no certificate to hold")
            #expect(report.pages.count == 7, "the home page and the six it links to: \(report.pages)")
            for result in report.results { #expect(result.outcome == .found, "\(result)") }
            let kvk = try #require(Self.outcome(report, "kvk_number")?.evidence.first)
            #expect(kvk.url == "http://fietsen-nl.test:\(port)/" && kvk.text.contains("KvK 12345678"), "not the number in the script: \(kvk)")
            #expect(Self.outcome(report, "vat_number")?.evidence.first?.text.contains("NL 123 456 782 B 01") == true, "a VAT number with spaces")
            let contact = try #require(Self.outcome(report, "contact_details"))
            #expect(contact.evidence.map(\.url).contains("http://fietsen-nl.test:\(port)/klantenservice/contact"))
            #expect(Self.outcome(report, "terms_reachable")?.evidence.first?.url == "http://fietsen-nl.test:\(port)/algemene-voorwaarden")
            #expect(Self.outcome(report, "withdrawal_right")?.evidence.first?.text.contains("14 dagen") == true)
            #expect(Self.outcome(report, "payment_methods")?.evidence.map(\.text) == ["iDEAL, PayPal, Visa"])
            #expect(Self.outcome(report, "shipping_costs")?.evidence.first?.url == "http://fietsen-nl.test:\(port)/verzending", "not the menu's link text")
        }
    }

    @Test func germanAndEnglishWordingIsUnderstood() async throws {
        try await SiteFixtures.with { port, _ in
            let runner = Self.runner(port)
            let german = await runner.run("http://fahrrad-de.test:\(port)/", checks: Self.keurOnlineChecks,
                                          facts: SiteFacts(legalName: "Fahrradhaus Müller GmbH", postcode: "50667", vat: "DE123456789"))
            for check in ["company_name_address", "contact_details", "prices_vat", "shipping_costs", "payment_methods", "withdrawal_right", "terms_reachable",
                          "vat_number", "privacy_statement"] {
                #expect(Self.outcome(german, check)?.outcome == .found, "\(check): \(String(describing: Self.outcome(german, check)))")
            }
            #expect(Self.outcome(german, "kvk_number")?.outcome == .notFound, "a German shop has no KvK number")
            #expect(Self.outcome(german, "withdrawal_right")?.evidence.first?.text.contains("vierzehn Tagen") == true)
            let english = await runner.run("http://bikes-en.test:\(port)/", checks: Self.keurOnlineChecks,
                                           facts: SiteFacts(legalName: "Bikes Ltd", postcode: "1012 AB", kvk: "87654321", vat: "NL123456782B01"))
            try await runner.fetcher.shutdown()
            for check in Self.keurOnlineChecks where check != "seal_link" {
                #expect(Self.outcome(english, check)?.outcome == .found, "\(check): \(String(describing: Self.outcome(english, check)))")
            }
            #expect(Self.outcome(english, "seal_link")?.outcome == .notFound)
        }
    }

    @Test func missingItemsAreNotFoundAndTrickyOnesAreRead() async throws {
        try await SiteFixtures.with { port, _ in
            let runner = Self.runner(port)
            let bare = await runner.run("http://kaal.test:\(port)/", checks: Self.keurOnlineChecks, facts: SiteFacts(legalName: "Kaal BV", kvk: "11111111"))
            for check in ["company_name_address", "contact_details", "kvk_number", "shipping_costs", "payment_methods", "withdrawal_right", "terms_reachable",
                          "vat_number", "privacy_statement", "seal_link"] {
                #expect(Self.outcome(bare, check)?.outcome == .notFound, "\(check)")
            }
            #expect(Self.outcome(bare, "prices_vat")?.outcome == .unsure, "prices without a word on VAT: the inspector looks")

            // A KvK number only in an image's alt text, contact only by form, prices excl. btw on a consumer shop.
            let hidden = await runner.run("http://verborgen.test:\(port)/", checks: Self.keurOnlineChecks, facts: SiteFacts(legalName: "Verborgen BV", kvk: "23456789"))
            #expect(Self.outcome(hidden, "kvk_number")?.outcome == .found)
            #expect(Self.outcome(hidden, "kvk_number")?.evidence.first?.text.contains("KvK-nummer 23456789") == true)
            #expect(Self.outcome(hidden, "contact_details")?.outcome == .found, "a phone number and a contact form")
            #expect(Self.outcome(hidden, "contact_details")?.evidence.last?.text == "form")
            let prices = try #require(Self.outcome(hidden, "prices_vat"))
            #expect(prices.outcome == .notFound && prices.reason == "prices_excl" && prices.evidence.first?.text.contains("excl. btw") == true)
            let other = await runner.run("http://verborgen.test:\(port)/", checks: ["kvk_number"], facts: SiteFacts(kvk: "99999999"))
            #expect(Self.outcome(other, "kvk_number")?.reason == "kvk_differs", "a number other than the registered one")

            // The same words are right for a business-to-business shop.
            let business = await runner.run("http://zakelijk.test:\(port)/", checks: ["prices_vat"], facts: SiteFacts(business: true))
            #expect(Self.outcome(business, "prices_vat")?.outcome == .found)
            // A page in ISO-8859-1 that says so is read.
            let latin = await runner.run("http://latin.test:\(port)/", checks: ["kvk_number", "shipping_costs"], facts: SiteFacts())
            try await runner.fetcher.shutdown()
            #expect(latin.failure == nil && Self.outcome(latin, "kvk_number")?.outcome == .found && Self.outcome(latin, "shipping_costs")?.outcome == .found)
            #expect(Self.outcome(latin, "shipping_costs")?.evidence.first?.text.contains("€ 3,95") == true, "windows-1252 € read as Latin-1")
        }
    }

    @Test func sitesThatCannotBeReadSaySoAndNeverGiveNotFound() async throws {
        try await SiteFixtures.with { port, tlsPort in
            let runner = Self.runner(port, timeout: .seconds(2))
            func reason(_ url: String) async -> (String?, String?, [CheckOutcome]) {
                let report = await runner.run(url, checks: Self.keurOnlineChecks, facts: SiteFacts())
                return (report.failure, report.failureDetail, Array(Set(report.results.map(\.outcome))))
            }
            var answer = await reason("http://robots.test:\(port)/")
            #expect(answer.0 == "robots_disallow" && answer.2 == [.couldNotCheck])
            answer = await reason("http://weg.test:\(port)/")
            #expect(answer.0 == "redirect_elsewhere" && answer.1 == "http://elders.test/" && answer.2 == [.couldNotCheck])
            answer = await reason("http://lus.test:\(port)/")
            #expect(answer.0 == "redirect_loop" && answer.2 == [.couldNotCheck], "\(answer)")
            answer = await reason("http://plaatje.test:\(port)/")
            #expect(answer.0 == "not_html" && answer.1 == "image/png")
            answer = await reason("http://bytes.test:\(port)/")
            #expect(answer.0 == "not_utf8")
            answer = await reason("http://kapot.test:\(port)/")
            #expect(answer.0 == "http_error" && answer.1 == "HTTP 500")
            answer = await reason("http://dicht.test:1/")
            #expect(answer.0 == "unreachable" && answer.2 == [.couldNotCheck])
            answer = await reason("https://selfsigned.test:\(tlsPort)/")
            #expect(answer.0 == "tls_invalid" && answer.2 == [.couldNotCheck], "\(answer)")
            #expect(await runner.run("https://selfsigned.test:\(tlsPort)/", checks: [], facts: SiteFacts()).certificate == "invalid", "recorded as such")
            answer = await reason("ftp://fietsen-nl.test/")
            #expect(answer.0 == "invalid_url")

            // Pages cut off (5 MB, or one that never ends) are read in part: what is not in that part is
            // 'unsure', never 'not found'.
            let big = await runner.run("http://groot.test:\(port)/", checks: ["kvk_number", "payment_methods"], facts: SiteFacts())
            #expect(big.failure == nil && Self.outcome(big, "kvk_number")?.outcome == .found)
            #expect(Self.outcome(big, "payment_methods")?.outcome == .unsure && Self.outcome(big, "payment_methods")?.reason == "page_cut")
            let endless = await runner.run("http://eindeloos.test:\(port)/", checks: ["kvk_number", "payment_methods"], facts: SiteFacts())
            #expect(endless.failure == nil && Self.outcome(endless, "kvk_number")?.outcome == .found)
            #expect(Self.outcome(endless, "payment_methods")?.outcome == .unsure)
            try await runner.fetcher.shutdown()
        }
    }

    @Test func robotsTxtIsHonouredPerPageAndThePacingHolds() async throws {
        try await SiteFixtures.with { port, _ in
            let runner = Self.runner(port, perHost: .milliseconds(200))
            let started = ContinuousClock.now
            let report = await runner.run("http://fietsen-nl.test:\(port)/", checks: ["terms_reachable"], facts: SiteFacts())
            // robots.txt and seven pages, 200 ms apart.
            #expect(ContinuousClock.now - started >= .milliseconds(7 * 200))
            #expect(report.pages.count == 7)
            // robots.txt forbids the terms page to every agent: it is not read, and the check asks the inspector.
            let half = await runner.run("http://halfdicht.test:\(port)/", checks: ["terms_reachable", "privacy_statement"], facts: SiteFacts())
            try await runner.fetcher.shutdown()
            #expect(half.skipped.map(\.url) == ["http://halfdicht.test:\(port)/voorwaarden"] && half.skipped.first?.reason == "robots_disallow")
            #expect(Self.outcome(half, "terms_reachable")?.outcome == .unsure && Self.outcome(half, "terms_reachable")?.reason == "link_not_read")
            #expect(Self.outcome(half, "privacy_statement")?.outcome == .found)
        }
    }
}
