import Foundation
import Testing
@testable import TrustmarkCore

@Suite("The seal image")
struct SealImageTests {
    static func image(_ status: SealStatus, text: String = "Geldig lid sinds 2027", tier: SealImage.Tier? = nil, shop: String = "Fietsenhuis De Ketting") -> SealImage {
        SealImage(schemeName: "KeurOnline", shopName: shop, colour: "#0b5e4f", status: status, statusText: text,
                  description: "Verifieer op https://keuronline.example/shops/fietsenhuis", tier: tier)
    }

    @Test func everyStatusIsSmallAccessibleAndSaysItInWords() throws {
        let cases: [(SealStatus, String)] = [(.valid(since: Day("2027-01-01")!), "Geldig lid sinds 2027"), (.suspended, "Geschorst"), (.revoked, "Ingetrokken"),
                                             (.notAMember, "Geen lid"), (.notValidHere, "Niet geldig op deze website"), (.notValidHere, "Auf dieser Website nicht gültig")]
        for (status, text) in cases {
            let svg = Self.image(status, text: text, tier: .init(name: "Goud", colour: "#b8860b")).svg()
            #expect(svg.utf8.count < 4096, "under 4 KB")
            #expect(svg.contains("<title id=\"t\">KeurOnline: \(text)</title>"))
            #expect(svg.contains("<desc id=\"d\">"))
            #expect(svg.contains("\(text)</text>"), "the status is never shortened")
            #expect(svg.contains("viewBox=\"0 0 200 72\""), "drawn in its own coordinates, sharp at any size")
            #expect(svg.contains("#0b5e4f") == status.isValid, "only a valid seal wears the scheme's colour")
            #expect(svg.contains("#b8860b") == status.isValid, "a tier only on a valid seal")
        }
    }

    @Test func sizesAreClampedAndTextIsEscapedAndFitted() {
        let image = Self.image(.valid(since: Day("2027-01-01")!), shop: "<script>alert('x')</script> & a very long shop name indeed")
        #expect(image.svg(width: 5).contains("width=\"80\" height=\"28\""))
        #expect(image.svg(width: 100_000).contains("width=\"800\" height=\"288\""))
        let svg = image.svg()
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;"))
        #expect(svg.contains("…"))
        let hostile = SealImage(schemeName: "X", shopName: "Y", colour: "red\" onload=\"x", status: .valid(since: Day("2027-01-01")!), statusText: "ok", description: "d")
        #expect(!hostile.svg().contains("onload"), "colours are checked before they reach the image")
    }

    @Test func theMembershipStandingDecidesTheFirstAnswer() {
        let since = Day("2027-01-01")!
        #expect(SealStatus(.active(until: Day("2028-01-01")!), memberSince: since) == .valid(since: since))
        #expect(SealStatus(.lapsed(since: Day("2028-01-01")!), memberSince: since) == .notAMember)
        #expect(SealStatus(.scheduled(from: since), memberSince: nil) == .notAMember)
        #expect(SealStatus(.awaiting([.payment]), memberSince: nil) == .notAMember)
        #expect(SealStatus(.ended(on: since), memberSince: since) == .notAMember)
    }
}
