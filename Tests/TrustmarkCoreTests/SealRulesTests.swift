import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Seal tiers, overrides and signatures")
struct SealRulesTests {
    static func scheme(_ name: String) throws -> Scheme {
        try SchemeFile.load(SeedSchemeTests.schemes + "/" + name + ".yaml").scheme
    }

    @Test func theTierIsTheHighestWhoseCountAndAverageAreReached() throws {
        let seal = try Self.scheme("service-siegel").seal
        let (bronze, silver, gold) = (seal.tiers[0], seal.tiers[1], seal.tiers[2])
        #expect(seal.tier(ratings: 0, sum: 0) == nil)
        #expect(seal.tier(ratings: bronze.minimumRatings - 1, sum: 500 * (bronze.minimumRatings - 1)) == nil, "too few ratings, however good")
        #expect(seal.tier(ratings: bronze.minimumRatings, sum: bronze.minimumAverage * bronze.minimumRatings)?.id == bronze.id, "exactly the minimum")
        #expect(seal.tier(ratings: bronze.minimumRatings, sum: bronze.minimumAverage * bronze.minimumRatings - 1) == nil, "a hundredth under the average")
        #expect(seal.tier(ratings: silver.minimumRatings, sum: silver.minimumAverage * silver.minimumRatings)?.id == silver.id)
        #expect(seal.tier(ratings: gold.minimumRatings * 4, sum: gold.minimumAverage * gold.minimumRatings * 4)?.id == gold.id)
        #expect(seal.tier(ratings: gold.minimumRatings * 4, sum: silver.minimumAverage * gold.minimumRatings * 4)?.id == silver.id,
                "many ratings at a silver average stay silver")
        #expect(try Self.scheme("keuronline").seal.tier(ratings: 1000, sum: 500_000) == nil, "no tiers in a scheme without them")
    }

    @Test func overridesWinOverTheStanding() {
        let since = Day("2027-01-01")!
        let active = SealStanding.active(until: Day("2028-01-01")!)
        #expect(SealStatus(active, memberSince: since, override: nil) == .valid(since: since))
        #expect(SealStatus(active, memberSince: since, override: .suspended(until: Day("2027-04-01"))) == .suspended)
        #expect(SealStatus(.ended(on: since), memberSince: since, override: .revoked(on: since)) == .revoked)
        #expect(SealStatus(.ended(on: since), memberSince: since, override: nil) == .notAMember, "leaving on one's own is never shown as revoked")
    }

    @Test func aSignatureHoldsForItsShopAndDomainOnly() {
        let signer = SealSignature(secret: "one secret")
        let signature = signer.sign(slug: "fietsen-1a2b3c", domain: "fietsen.test")
        #expect(signer.isValid(signature, slug: "fietsen-1a2b3c", domain: "fietsen.test"))
        #expect(!signer.isValid(signature, slug: "fietsen-1a2b3c", domain: "fake-shop.test"), "another domain")
        #expect(!signer.isValid(signature, slug: "other-9f9f9f", domain: "fietsen.test"), "another shop")
        #expect(!SealSignature(secret: "another secret").isValid(signature, slug: "fietsen-1a2b3c", domain: "fietsen.test"), "another server's key")
        #expect(!signer.isValid("", slug: "fietsen-1a2b3c", domain: "fietsen.test"))
        #expect(!signer.isValid("not base64 !!", slug: "fietsen-1a2b3c", domain: "fietsen.test"))
        #expect(!signer.isValid(String(signature.dropLast()), slug: "fietsen-1a2b3c", domain: "fietsen.test"))
    }

    /// Every status in every variant of every scheme, with and without each tier: small, accessible,
    /// in words, the variant's colour and the tier only when valid.
    @Test(arguments: ["default", "keuronline", "becom", "kieskeurig", "mkbok", "service-siegel"])
    func everyStatusVariantAndTier(_ name: String) throws {
        let scheme = try Self.scheme(name)
        let statuses: [SealStatus] = [.valid(since: Day("2027-01-01")!), .suspended, .revoked, .notAMember, .notValidHere]
        let tiers: [SealImage.Tier?] = [nil] + scheme.seal.tiers.map { SealImage.Tier(name: $0.name.values["en"] ?? $0.id, colour: $0.colour) }
        for variant in scheme.seal.variants {
            for status in statuses {
                for tier in tiers {
                    let text = "\(status)"
                    let image = SealImage(schemeName: scheme.name, shopName: "Fietsenhuis De Ketting", colour: variant.colour, status: status,
                                          statusText: text, description: "check", tier: tier)
                    let svg = image.svg()
                    #expect(svg.utf8.count < 4096)
                    #expect(svg.contains("<title id=\"t\">"))
                    #expect(svg.contains(">\(SealImage.escape(text))</text>"))
                    #expect(svg.contains("fill=\"\(variant.colour)\"") == status.isValid, "\(name) \(variant.id) \(status)")
                    if let tier { #expect(svg.contains(tier.colour) == status.isValid, "\(name) \(variant.id) \(status) \(tier.name)") }
                }
            }
        }
    }

    @Test func aSignedSealNamesItsSiteAndTheFileCarriesValidityAndAddress() {
        let image = SealImage(schemeName: "KeurOnline", shopName: "Fietsen", colour: "#0b5e4f", status: .valid(since: Day("2027-01-01")!),
                              statusText: "Geldig lid sinds 2027", description: "d", site: "fietsen.test")
        #expect(image.svg().contains("Fietsen · fietsen.test"))
        let file = image.fileSVG(width: 800, validity: "Geldig van 1 januari 2027 tot en met 31 december 2027", url: "https://keur.example/shops/fietsen-1a2b3c")
        #expect(file.contains("width=\"800\" height=\"400\""))
        #expect(file.contains("tot en met 31 december 2027</text>"))
        #expect(file.contains("https://keur.example/shops/fietsen-1a2b3c</text>"))
        #expect(file.components(separatedBy: "xmlns=").count == 2, "one document, the seal nested inside it")
    }
}
