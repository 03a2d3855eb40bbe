import Foundation
import Testing
@testable import TrustmarkCore

/// The five seed schemes and the default load, and carry the numbers their seeds give.
@Suite("Seed schemes")
struct SeedSchemeTests {
    static let schemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemes").path

    func load(_ name: String) throws -> Scheme {
        try SchemeFile.load(Self.schemes + "/" + name + ".yaml").scheme
    }

    @Test(arguments: ["default", "keuronline", "mkbok", "service-siegel", "becom", "kieskeurig"])
    func everySchemeFileIsValid(_ name: String) throws {
        let scheme = try load(name)
        #expect(!scheme.codeOfConduct.articles.isEmpty)
        #expect(scheme.seal.defaultVariant != nil)
        #expect(!SchemeSummary.text(scheme).isEmpty)
    }

    @Test func keurOnline() throws {
        let scheme = try load("keuronline")
        let membership = try #require(scheme.membership)
        #expect(membership.annualFee == Money(cents: 6000, currency: "EUR"))
        #expect(membership.feesIncludeVAT == false)
        #expect(membership.guaranteeFund)
        #expect(membership.starts == .firstOfNextMonth)
        #expect(membership.term == Period(1, .years))
        #expect(membership.renewalInvoiceBefore == Period(1, .months))
        #expect(membership.sealRequires == [.approval, .signedContract, .payment])
        #expect(membership.contractCopies == 2)
        #expect(membership.recheckEvery == Period(3, .months))
        #expect(membership.recheckBeforeRenewal)
        #expect(membership.oneTimeFees.first { $0.id == "investigation" }?.amount == Money(cents: 5000, currency: "EUR"))
        let complaints = try #require(scheme.complaints)
        #expect(complaints.shopAnswerDeadline == Period(2, .workingDays))
        #expect(complaints.shopFirstWait == Period(2, .workingDays))
        #expect(complaints.anonymousAllowed == false)
        #expect(complaints.disputeBody?.name == "Geschilonline")
        #expect(complaints.disputeBody?.fee == Money(cents: 1495, currency: "EUR"))
        let sanctions = try #require(scheme.sanctions)
        #expect(sanctions.summonsDeadline == Period(5, .workingDays))
        #expect(sanctions.improvementPeriodMax == Period(1, .months))
        #expect(sanctions.suspensionMax == Period(3, .months))
        #expect(sanctions.summonsChannels == ["email", "registered_letter"])
        #expect(sanctions.publication["voluntary_termination"] == SanctionRules.never)
        #expect(sanctions.publication["application_rejected"] == SanctionRules.never)
        #expect(sanctions.publication["application_cancelled"] == "not-a-member")
        #expect(sanctions.publication["revocation"] == "no-longer-a-member")
        #expect(sanctions.lists.map { $0.name.text("nl") } == ["GEEN LID", "Geen lid meer"])
        #expect(scheme.ruleChanges?.farReachingTransition == Period(2, .months))
        #expect(scheme.ruleChanges?.notify == ["email", "letter"])
        let b2b = try #require(scheme.seal.variants.first { $0.id == "b2b" })
        #expect(b2b.pricesExclVAT)
        #expect(b2b.colour == "#c8102e")
        #expect(scheme.seal.variants.map(\.id) == ["consumer", "b2b", "website-owner"])
    }

    /// The 31 articles (plus 16a) with their numbers and titles exactly as in the seed.
    @Test func keurOnlineHasEveryArticleOfTheSeed() throws {
        let code = try load("keuronline").codeOfConduct
        let seedTitles = [
            "01": "Aanbod in de webshop", "02": "Betaalmogelijkheden", "03": "Wet– en regelgeving", "04": "Betaalveiligheid",
            "05": "Erkenning elektronische communicatie", "06": "Levering", "07": "Garantie", "08": "Klantencontact en klantenservice",
            "09": "Bedenktijd", "10": "Privacy van de consument", "11": "Verpakken en verzenden", "12": "Factuur / Pakbon",
            "13": "Retourneren", "14": "Klachtenafhandeling over een Webshop of het Keurmerk", "15": "Minimale eisen keurmerk",
            "16": "Aanvraag procedure van het Keurmerk", "16a": "Annuleren van de aanvraag", "17": "Webshopeigenaar",
            "18": "Keurmerkeigenaar", "19": "Onafhankelijkheid", "20": "Keurmerklogo", "21": "Lidmaatschap", "22": "Contract",
            "23": "Controle naleving van het keurmerk", "24": "Beëindigen van lidmaatschap door Webshopeigenaar",
            "25": "Intrekking van het keurmerk", "26": "Tijdelijke intrekking van het keurmerk",
            "27": "Registratie gegevens keurmerkvoerder", "28": "Ongeoorloofd gebruik van het Keurmerk",
            "29": "Wijziging van de gedragsregels", "30": "Aanvullende regels keurmerk Business to Business",
            "31": "Aanvullende regels keurmerk Website–eigenaar",
        ]
        #expect(code.articles.count == 32)
        for (number, title) in seedTitles {
            #expect(code.article(number)?.title.text("nl") == title, "article \(number)")
        }
        for article in code.articles {
            for language in ["nl", "en", "de"] { #expect(!(article.text.values[language] ?? "").isEmpty, "\(article.number) \(language)") }
        }
        // Article 15's minimum requirements each became an audit criterion.
        #expect(code.criteria.filter { $0.article == "15" }.count == 11)
        #expect(code.version == "2012-04-20")
    }

    @Test func mkbOK() throws {
        let scheme = try load("mkbok")
        let membership = try #require(scheme.membership)
        #expect(membership.annualFee == Money(cents: 9750, currency: "EUR"))
        #expect(membership.extraShopFee == Money(cents: 2950, currency: "EUR"))
        #expect(membership.extraShopFeeRecurring == false)
        #expect(membership.inspectedBy == .independentBody)
        #expect(membership.inspectionBody == "CGD")
        #expect(membership.termination == .endOfTermAfterFirst)
        #expect(scheme.complaints?.disputeBody?.name == "Geschilonline")
        #expect(scheme.complaints?.disputeBody?.binding == true)
    }

    @Test func serviceSiegel() throws {
        let scheme = try load("service-siegel")
        #expect(scheme.seal.tiers.map(\.id) == ["bronze", "silver", "gold"])
        #expect(scheme.reviews?.criteria.map(\.id) == ["service", "reachability", "response-time"])
        #expect(scheme.reviews?.praiseAndFaultForm == true)
        #expect(scheme.membership?.preCheckRequired == true)
        #expect(scheme.calendar.holidays == "DE")
        #expect(scheme.defaultLanguage == "de")
    }

    @Test func becom() throws {
        let complaints = try #require(try load("becom").complaints)
        #expect(complaints.shopFirstWait == Period(5, .workingDays))
        #expect(complaints.handlingDeadline == Period(5, .workingDays))
        #expect(complaints.nonMemberReferral?.name.text("nl") == "Consumentenombudsdienst")
        #expect(complaints.sectorRoutes.first?.sector == "travel")
        #expect(complaints.sectorRoutes.first?.referral.name.text("nl") == "Geschillencommissie Reizen")
        #expect(complaints.crossBorderRoute != nil)
        #expect(try load("becom").calendar.holidays == "BE")
    }

    @Test func kieskeurig() throws {
        let reviews = try #require(try load("kieskeurig").reviews)
        #expect(reviews.ladder.map(\.action) == [.warning, .offline, .offline, .meeting])
        #expect(reviews.ladder[0].letter && reviews.ladder[0].removeReviews && reviews.ladder[0].phoneTask)
        #expect(reviews.ladder[1].duration == Period(1, .weeks))
        #expect(reviews.ladder[2].duration == Period(1, .months))
        #expect(reviews.ladder[2].automaticReturn)
        #expect(reviews.staffMayDeviate)
    }

    @Test func theDiffNamesChangedArticles() throws {
        let old = try load("keuronline")
        var new = old
        new.codeOfConduct.version = "2027-01-01"
        new.codeOfConduct.articles[7].text = LocalizedText(["nl": "Antwoord binnen 1 werkdag.", "en": "Answer within 1 working day.", "de": "Antwort binnen 1 Werktag."])
        new.codeOfConduct.articles.removeLast()
        new.sanctions?.suspensionMax = Period(2, .months)
        #expect(SchemeDiff.changes(from: old, to: new) == [.changed("08", fields: ["text"]), .removed("31"), .setting("sanctions")])
        let text = SchemeDiff.text(from: old, to: new)
        #expect(text.contains("~ article 08 Klantencontact en klantenservice: text changed"))
        #expect(text.contains("now: Antwoord binnen 1 werkdag."))
    }
}
