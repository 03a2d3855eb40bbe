import Testing
@testable import TrustmarkCore

/// The website checker's reading of pages and of robots.txt.
@Suite("Reading shop pages")
struct SiteScanTests {
    @Test func textLinksImagesAndFormsAreReadScriptsAreNot() {
        let page = HTMLScan.scan("""
            <html><head><title>Fietsen &amp; zo</title><script>var kvk="00000000"</script><style>p{}</style></head>
            <body><!-- KvK 99999999 --><p>Prijs&nbsp;&euro;&#160;9,99</p><a href='/contact' class=x>Neem <b>contact</b> op</a>
            <img src="/kvk.png" alt="KvK 12345678"><form><input type="email" name="e"></form></body></html>
            """)
        #expect(page.title == "Fietsen & zo")
        #expect(page.text.contains("Prijs € 9,99") && page.text.contains("KvK 12345678"))
        #expect(!page.text.contains("00000000") && !page.text.contains("99999999"), "scripts and comments are not text")
        #expect(page.links == [.init(href: "/contact", text: "Neem contact op")])
        #expect(page.images.first?.alt == "KvK 12345678")
        #expect(page.hasContactForm)
        #expect(!HTMLScan.scan("<form><input name=q><button>Zoek</button></form>").hasContactForm, "a search form is no contact form")
    }

    @Test func robotsTxtTakesTheLongestMatchOfTheRightGroup() {
        let robots = RobotsTxt("""
            User-agent: *
            Disallow: /checkout
            Allow: /checkout/help
            Disallow: /*.pdf$

            User-agent: TrustmarkChecker
            Disallow: /private
            """)
        #expect(!robots.allows("/private/x", agent: "TrustmarkChecker"))
        #expect(robots.allows("/checkout", agent: "TrustmarkChecker"), "our own group replaces the * group")
        #expect(!robots.allows("/checkout/pay", agent: "OtherBot"))
        #expect(robots.allows("/checkout/help/faq", agent: "OtherBot"), "the longer Allow wins")
        #expect(!robots.allows("/files/terms.pdf", agent: "OtherBot") && robots.allows("/files/terms.pdf?x=1", agent: "OtherBot"))
        #expect(RobotsTxt("User-agent: *\nDisallow:\n").allows("/anything", agent: "TrustmarkChecker"), "an empty Disallow allows all")
        #expect(RobotsTxt.allowAll.allows("/", agent: "TrustmarkChecker"))
    }

    @Test func aVATNumberWithAWrongCheckDigitIsNotTakenForOne() {
        let page = SitePage(url: "https://shop.test/", page: HTMLScan.scan("<p>BTW-nummer: NL 123 456 789 B 01</p>"))
        let result = SiteChecks.run("vat_number", pages: [page], facts: SiteFacts())
        #expect(result.outcome == .notFound && result.reason == "vat_check_digits")
        #expect(result.evidence.first?.text.contains("NL 123 456 789 B 01") == true)
    }

    @Test func evidenceQuotesWholeWords() {
        let text = String(repeating: "woorden ", count: 20) + "KvK 12345678" + String(repeating: " woorden", count: 20)
        let result = SiteChecks.run("kvk_number", pages: [SitePage(url: "https://shop.test/", page: HTMLScan.scan("<p>\(text)</p>"))], facts: SiteFacts())
        let quoted = result.evidence.first?.text ?? ""
        #expect(quoted.hasPrefix("woorden") && quoted.hasSuffix("woorden") && quoted.contains("KvK 12345678"), "\(quoted)")
    }
}
