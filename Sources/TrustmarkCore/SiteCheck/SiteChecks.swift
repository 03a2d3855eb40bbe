import Foundation

/// What one automated check found on a site. `found` and `notFound` are answers; `unsure` asks the
/// inspector to look (the words are there without what makes them certain, or a page was cut off);
/// `couldNotCheck` means the site could not be read, and never stands for 'not found'.
public enum CheckOutcome: String, Sendable, Codable, CaseIterable {
    case found
    case notFound = "not_found"
    case unsure
    case couldNotCheck = "could_not_check"
}

/// A page and the words on it that an outcome rests on, so the inspector confirms with one click.
public struct CheckEvidence: Equatable, Sendable, Codable {
    public var url: String
    public var text: String

    public init(url: String, text: String) {
        self.url = url
        self.text = text
    }
}

public struct CheckResult: Equatable, Sendable, Codable {
    public var check: String
    public var outcome: CheckOutcome
    public var evidence: [CheckEvidence]
    /// Why, in a few words (`kvk_differs`, `page_cut`, ...), for the text the inspector reads.
    public var reason: String?

    public init(check: String, outcome: CheckOutcome, evidence: [CheckEvidence] = [], reason: String? = nil) {
        self.check = check
        self.outcome = outcome
        self.evidence = evidence
        self.reason = reason
    }
}

/// A page as the checks read it.
public struct SitePage: Sendable {
    public var url: String
    public var page: ScannedPage
    /// The page was longer than the size limit and was read only in part.
    public var truncated: Bool

    public init(url: String, page: ScannedPage, truncated: Bool = false) {
        self.url = url
        self.page = page
        self.truncated = truncated
    }
}

/// What the trustmark knows of the shop, to compare with its site. Empty for a site that is not
/// registered (the command line without details): the checks then look for presence and form only.
public struct SiteFacts: Sendable {
    public var legalName: String?
    public var street: String?
    public var postcode: String?
    public var kvk: String?
    public var vat: String?
    /// `b2b` shows prices excl. VAT; every other variant incl. VAT.
    public var business: Bool
    /// The seal's address on the trustmark's own site (`https://keurmerk.example/seal/{slug}.svg`) and
    /// its verification page, when the shop has one.
    public var sealPath: String?
    public var verificationPath: String?

    public init(legalName: String? = nil, street: String? = nil, postcode: String? = nil, kvk: String? = nil, vat: String? = nil, business: Bool = false,
                sealPath: String? = nil, verificationPath: String? = nil) {
        self.legalName = legalName
        self.street = street
        self.postcode = postcode
        self.kvk = kvk
        self.vat = vat
        self.business = business
        self.sealPath = sealPath
        self.verificationPath = verificationPath
    }
}

/// The website checker's checks, one per `automated_check` a scheme names. Words in nl, en and de.
public enum SiteChecks {
    public static let all = ["company_name_address", "contact_details", "kvk_number", "vat_number", "prices_vat", "shipping_costs", "payment_methods",
                             "withdrawal_right", "terms_reachable", "privacy_statement", "seal_link"]

    /// The links worth following from the home page, by what they lead to.
    public static let pageWords: [(role: String, pattern: String)] = [
        ("contact", "contact|klantenservice|kontakt|customer service|impressum"),
        ("terms", "voorwaarden|terms|conditions|agb|geschäftsbedingungen|geschaftsbedingungen"),
        ("returns", "retour|herroep|withdraw|return|widerruf|rücksend|rucksend|ruil"),
        ("privacy", "privacy|datenschutz|privacyverklaring"),
        ("shipping", "verzend|bezorg|shipping|delivery|versand|lieferung"),
        ("about", "over ons|over-ons|about|über uns|uber-uns|ueber-uns|bedrijfsgegevens|company"),
    ]

    public static func run(_ check: String, pages: [SitePage], facts: SiteFacts) -> CheckResult {
        let result: CheckResult
        switch check {
        case "company_name_address": result = companyNameAddress(pages, facts)
        case "contact_details": result = contactDetails(pages)
        case "kvk_number": result = kvk(pages, facts)
        case "vat_number": result = vat(pages, facts)
        case "prices_vat": result = pricesVAT(pages, facts)
        case "shipping_costs":
            result = words(check, pages, "verzendkosten|bezorgkosten|gratis (verzending|verzonden|bezorgd)|verzending is gratis|shipping (costs?|fees?|is free)"
                           + "|free shipping|delivery (costs?|charges?|is free)|versandkosten|versandkostenfrei|lieferkosten")
        case "payment_methods": result = paymentMethods(pages)
        case "withdrawal_right": result = withdrawal(pages)
        case "terms_reachable": result = reachable(check, pages, role: "terms")
        case "privacy_statement": result = reachable(check, pages, role: "privacy")
        case "seal_link": result = seal(pages, facts)
        default: result = CheckResult(check: check, outcome: .unsure, reason: "no_automated_check")
        }
        // A page read only in part may hide what was not found.
        if result.outcome == .notFound, result.reason == nil, pages.contains(where: \.truncated) {
            return CheckResult(check: check, outcome: .unsure, evidence: pages.filter(\.truncated).map { CheckEvidence(url: $0.url, text: "") }, reason: "page_cut")
        }
        return result
    }

    // MARK: the checks

    static func companyNameAddress(_ pages: [SitePage], _ facts: SiteFacts) -> CheckResult {
        let check = "company_name_address"
        let postcode = "\\b[1-9][0-9]{3} ?[A-Za-z]{2}\\b|\\b[0-9]{5} [A-ZÄÖÜ][a-zäöüß]+"
        let address = first(pages, facts.postcode.map { NSRegularExpression.escapedPattern(for: $0).replacingOccurrences(of: " ", with: " ?") } ?? postcode)
        guard let name = facts.legalName.map(simpleName), !name.isEmpty else {
            return address.map { CheckResult(check: check, outcome: .unsure, evidence: [$0], reason: "name_not_registered") } ?? CheckResult(check: check, outcome: .notFound)
        }
        let named = first(pages, NSRegularExpression.escapedPattern(for: name).replacingOccurrences(of: "\\ ", with: "\\s*"))
        switch (named, address) {
        case (let named?, let address?): return CheckResult(check: check, outcome: .found, evidence: [named, address])
        case (let named?, nil): return CheckResult(check: check, outcome: .notFound, evidence: [named], reason: "address_missing")
        case (nil, let address?): return CheckResult(check: check, outcome: .unsure, evidence: [address], reason: "name_missing")
        case (nil, nil): return CheckResult(check: check, outcome: .notFound)
        }
    }

    /// The legal name without the legal form people often leave out (B.V., GmbH, ...).
    static func simpleName(_ name: String) -> String {
        var text = name.trimmingCharacters(in: .whitespaces)
        for form in [" B.V.", " BV", " B.V", " V.O.F.", " VOF", " GmbH", " UG", " Ltd", " Ltd.", " N.V.", " NV", " e.K."] where text.hasSuffix(form) {
            text = String(text.dropLast(form.count))
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    static func contactDetails(_ pages: [SitePage]) -> CheckResult {
        let phone = first(pages, "(\\+|00)(31|32|49|43|41)[ ()0-9/-]{8,18}[0-9]|\\b0[1-9][0-9]{1,3}[ /-]{0,3}[0-9]{2,4}[ -]?[0-9]{2,4}[ -]?[0-9]{0,4}\\b")
        let email = first(pages, "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")
        let form = pages.first { $0.page.hasContactForm }.map { CheckEvidence(url: $0.url, text: "form") }
        let written = email ?? form
        switch (phone, written) {
        case (let phone?, let written?): return CheckResult(check: "contact_details", outcome: .found, evidence: [phone, written])
        case (let one?, nil), (nil, let one?): return CheckResult(check: "contact_details", outcome: .unsure, evidence: [one], reason: phone == nil ? "phone_missing" : "email_missing")
        case (nil, nil): return CheckResult(check: "contact_details", outcome: .notFound)
        }
    }

    static func kvk(_ pages: [SitePage], _ facts: SiteFacts) -> CheckResult {
        let check = "kvk_number"
        guard let hit = firstMatch(pages, "(kvk|k\\.v\\.k\\.|kamer van koophandel|chamber of commerce|coc|handelsregister)[^0-9]{0,30}([0-9][0-9 .]{6,12}[0-9])") else {
            return CheckResult(check: check, outcome: .notFound)
        }
        let digits = hit.groups.last?.filter(\.isNumber) ?? ""
        guard digits.count == 8 else { return CheckResult(check: check, outcome: .notFound, evidence: [hit.evidence], reason: "kvk_format") }
        if let registered = facts.kvk.map(RegistrationNumbers.normalise), registered != digits {
            return CheckResult(check: check, outcome: .notFound, evidence: [hit.evidence], reason: "kvk_differs")
        }
        return CheckResult(check: check, outcome: .found, evidence: [hit.evidence])
    }

    static func vat(_ pages: [SitePage], _ facts: SiteFacts) -> CheckResult {
        let check = "vat_number"
        let pattern = "\\b(NL ?[0-9]{3} ?[0-9]{3} ?[0-9]{3} ?B ?[0-9]{2}|DE ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}|BE ?0?[0-9]{3}[ .]?[0-9]{3}[ .]?[0-9]{3}|AT ?U ?[0-9]{8})\\b"
        guard let hit = firstMatch(pages, pattern, caseInsensitive: false) else {
            // The words without a number in a form we read.
            if let words = first(pages, "btw-?(nummer|nr)|vat (number|no)|ust-?id|umsatzsteuer-?id") {
                return CheckResult(check: check, outcome: .unsure, evidence: [words], reason: "vat_unreadable")
            }
            return CheckResult(check: check, outcome: .notFound)
        }
        let number = RegistrationNumbers.normalise(hit.groups.last ?? "")
        if RegistrationNumbers.checkVAT(number) != nil {
            return CheckResult(check: check, outcome: .notFound, evidence: [hit.evidence], reason: "vat_check_digits")
        }
        if let registered = facts.vat.map(RegistrationNumbers.normalise), registered != number {
            return CheckResult(check: check, outcome: .notFound, evidence: [hit.evidence], reason: "vat_differs")
        }
        return CheckResult(check: check, outcome: .found, evidence: [hit.evidence])
    }

    static func pricesVAT(_ pages: [SitePage], _ facts: SiteFacts) -> CheckResult {
        let check = "prices_vat"
        let incl = first(pages, "incl\\.? ?(btw|vat|mwst|ust)|inkl\\.? ?(mwst|ust)|inclusief btw|including vat|inklusive (mwst|mehrwertsteuer)")
        let excl = first(pages, "excl\\.? ?(btw|vat|mwst|ust)|exkl\\.? ?(mwst|ust)|exclusief btw|excluding vat|zzgl\\.? ?(mwst|ust)")
        let wanted = facts.business ? excl : incl
        let other = facts.business ? incl : excl
        if let wanted { return CheckResult(check: check, outcome: .found, evidence: [wanted]) }
        if let other { return CheckResult(check: check, outcome: .notFound, evidence: [other], reason: facts.business ? "prices_incl" : "prices_excl") }
        return CheckResult(check: check, outcome: .unsure, reason: "vat_not_mentioned")
    }

    static let paymentNames = ["iDEAL", "PayPal", "Visa", "Mastercard", "Maestro", "Klarna", "Bancontact", "SOFORT", "Giropay", "Apple Pay", "Google Pay",
                               "American Express", "achteraf betalen", "overboeking", "bank transfer", "Vorkasse", "Rechnung", "Lastschrift", "creditcard",
                               "credit card", "Kreditkarte"]

    /// The payment methods named, per page: the evidence lists them ("iDEAL, PayPal, Visa").
    static func paymentMethods(_ pages: [SitePage]) -> CheckResult {
        var evidence: [CheckEvidence] = []
        for page in pages {
            let named = paymentNames.filter { matches(page.page.text, "\\b" + NSRegularExpression.escapedPattern(for: $0) + "\\b") }
            if !named.isEmpty { evidence.append(CheckEvidence(url: page.url, text: named.joined(separator: ", "))) }
        }
        return evidence.isEmpty ? CheckResult(check: "payment_methods", outcome: .notFound) : CheckResult(check: "payment_methods", outcome: .found, evidence: evidence)
    }

    static func withdrawal(_ pages: [SitePage]) -> CheckResult {
        let check = "withdrawal_right"
        let days = "(14|veertien|vierzehn|fourteen) ?(dagen|tage[n]?|days|kalenderdagen)"
        let words = "bedenktijd|herroep|ontbind|retour|widerruf|withdraw|cancel|return"
        if let hit = first(pages, "(\(days))[^.]{0,120}(\(words))|(\(words))[^.]{0,120}(\(days))") {
            return CheckResult(check: check, outcome: .found, evidence: [hit])
        }
        if let hit = first(pages, "bedenktijd|herroepingsrecht|widerrufsrecht|right of withdrawal") {
            return CheckResult(check: check, outcome: .unsure, evidence: [hit], reason: "days_missing")
        }
        return CheckResult(check: check, outcome: .notFound)
    }

    /// A page of the role is linked and was read.
    static func reachable(_ check: String, _ pages: [SitePage], role: String) -> CheckResult {
        let pattern = pageWords.first { $0.role == role }?.pattern ?? role
        let read = pages.dropFirst().first { matches($0.url, pattern) || matches($0.page.title, pattern) }
        if let read { return CheckResult(check: check, outcome: .found, evidence: [CheckEvidence(url: read.url, text: read.page.title)]) }
        let linked = pages.lazy.compactMap { page in link(in: page.page, matching: pattern).map { (page.url, $0) } }.first
        if let (url, link) = linked { return CheckResult(check: check, outcome: .unsure, evidence: [CheckEvidence(url: url, text: link.text + " → " + link.href)], reason: "link_not_read") }
        return CheckResult(check: check, outcome: .notFound)
    }

    static func seal(_ pages: [SitePage], _ facts: SiteFacts) -> CheckResult {
        let check = "seal_link"
        let sealPart = facts.sealPath ?? "/seal/"
        for page in pages {
            guard let image = page.page.images.first(where: { $0.src.contains(sealPart) }) else { continue }
            let evidence = CheckEvidence(url: page.url, text: image.src)
            guard let target = facts.verificationPath else { return CheckResult(check: check, outcome: .found, evidence: [evidence]) }
            if page.page.links.contains(where: { $0.href.contains(target) }) { return CheckResult(check: check, outcome: .found, evidence: [evidence]) }
            return CheckResult(check: check, outcome: .notFound, evidence: [evidence], reason: "seal_not_linked")
        }
        return CheckResult(check: check, outcome: .notFound)
    }

    // MARK: matching

    static func words(_ check: String, _ pages: [SitePage], _ pattern: String) -> CheckResult {
        first(pages, pattern).map { CheckResult(check: check, outcome: .found, evidence: [$0]) } ?? CheckResult(check: check, outcome: .notFound)
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }

    /// The page's first link whose words or address match `pattern` (one of `pageWords`).
    public static func link(in page: ScannedPage, matching pattern: String) -> ScannedPage.Link? {
        page.links.first { matches($0.text, pattern) || matches($0.href, pattern) }
    }

    static func first(_ pages: [SitePage], _ pattern: String) -> CheckEvidence? {
        firstMatch(pages, pattern)?.evidence
    }

    /// The first match on any page, with the words around it and its capture groups.
    static func firstMatch(_ pages: [SitePage], _ pattern: String, caseInsensitive: Bool = true) -> (evidence: CheckEvidence, groups: [String])? {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : []) else { return nil }
        for page in pages {
            let text = page.page.text as NSString
            guard let match = regex.firstMatch(in: page.page.text, range: NSRange(location: 0, length: text.length)) else { continue }
            var start = max(0, match.range.location - 40), end = min(text.length, match.range.location + match.range.length + 40)
            // Whole words only: a cut word at either end is left out.
            if start > 0 {
                let space = text.range(of: " ", range: NSRange(location: start, length: match.range.location - start))
                if space.location != NSNotFound { start = space.location + 1 }
            }
            let after = match.range.location + match.range.length
            if end < text.length, end > after {
                let space = text.range(of: " ", options: .backwards, range: NSRange(location: after, length: end - after))
                if space.location != NSNotFound { end = space.location }
            }
            let snippet = text.substring(with: NSRange(location: start, length: end - start)).trimmingCharacters(in: .whitespaces)
            let groups = (0..<match.numberOfRanges).compactMap { index -> String? in
                let range = match.range(at: index)
                return range.location == NSNotFound ? nil : text.substring(with: range)
            }
            return (CheckEvidence(url: page.url, text: snippet), groups)
        }
        return nil
    }
}

/// Whether a page that is not a member's shows the trustmark: its seal (an image from the
/// trustmark's own address, which names the shop whose seal it is) or a copy of its logo (an image
/// named or described with the scheme's name). The scheme's name in the text alone is not enough.
public enum MisuseScan {
    public enum Outcome: String, Sendable, Codable {
        case seen, notSeen = "not_seen", unsure
    }

    public struct Finding: Equatable, Sendable {
        public var outcome: Outcome
        public var evidence: String
        /// The shop whose seal the page shows, from the seal's address.
        public var slug: String?
    }

    public static func look(_ page: SitePage, sealHost: String, schemeName: String) -> Finding {
        let host = sealHost.lowercased()
        for image in page.page.images {
            let src = image.src.lowercased()
            if src.contains(host), let range = src.range(of: "/seal/") {
                let slug = src[range.upperBound...].prefix { $0 != "." && $0 != "?" && $0 != "/" }
                return Finding(outcome: .seen, evidence: image.src, slug: slug.isEmpty ? nil : String(slug))
            }
        }
        let name = schemeName.lowercased().filter { !$0.isWhitespace }
        if !name.isEmpty, let image = page.page.images.first(where: {
            $0.src.lowercased().filter { !$0.isWhitespace }.contains(name) || $0.alt.lowercased().filter { !$0.isWhitespace }.contains(name)
        }) {
            return Finding(outcome: .seen, evidence: image.src + (image.alt.isEmpty ? "" : " (\(image.alt))"))
        }
        if !name.isEmpty, let words = SiteChecks.first([page], NSRegularExpression.escapedPattern(for: schemeName)) {
            return Finding(outcome: .unsure, evidence: words.text)
        }
        return Finding(outcome: .notSeen, evidence: "")
    }
}
