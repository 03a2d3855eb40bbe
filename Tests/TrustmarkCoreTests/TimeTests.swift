import Foundation
import Testing
@testable import TrustmarkCore

@Suite("ISO 8601 durations and the settable clock")
struct TimeTests {
    let utc = TimeZone(identifier: "UTC")!
    let start = ISO8601DateFormatter().date(from: "2026-12-24T10:00:00Z")!

    @Test(arguments: [
        ("P3D", ISO8601Duration(days: 3)),
        ("PT2H30M", ISO8601Duration(hours: 2, minutes: 30)),
        ("P1M", ISO8601Duration(months: 1)),
        ("P2W", ISO8601Duration(weeks: 2)),
        ("P1Y2M10DT2H30M5S", ISO8601Duration(years: 1, months: 2, days: 10, hours: 2, minutes: 30, seconds: 5)),
        ("p1d", ISO8601Duration(days: 1)),
    ])
    func parses(_ text: String, _ expected: ISO8601Duration) throws {
        #expect(try ISO8601Duration(parsing: text) == expected)
    }

    @Test(arguments: ["", "P", "PT", "3D", "P3", "PD", "P1D2D", "P1DT", "P-1D", "P1.5D", "PT1D", "P1H", "P3D1M", "P999999D"])
    func refusesMalformed(_ text: String) {
        #expect(throws: ISO8601Duration.ParseError.self) { try ISO8601Duration(parsing: text) }
    }

    @Test func monthsAreCalendarMonths() throws {
        let jan31 = ISO8601DateFormatter().date(from: "2027-01-31T12:00:00Z")!
        let plusMonth = try ISO8601Duration(parsing: "P1M").added(to: jan31, in: utc)
        #expect(ISO8601DateFormatter().string(from: plusMonth) == "2027-02-28T12:00:00Z")
        #expect(try ISO8601Duration(parsing: "P1Y2M10DT2H30M5S").description == "P1Y2M10DT2H30M5S")
    }

    @Test func theSettableClockMovesOnlyForward() throws {
        let clock = SettableClock(start)
        clock.advance(by: try ISO8601Duration(parsing: "P3D"))
        #expect(clock.now() == start.addingTimeInterval(3 * 86400))
        #expect(throws: SettableClock.MoveError.self) { try clock.set(start) }
        #expect(clock.now() == start.addingTimeInterval(3 * 86400), "a refused move changes nothing")
        try clock.set(start.addingTimeInterval(4 * 86400))
        #expect(clock.now() == start.addingTimeInterval(4 * 86400))
    }
}

@Suite("Accounts rules")
struct AccountRulesTests {
    @Test func accessAdmitsTheDeclaredRolesOnly() {
        #expect(Access.everyone.admits(nil))
        #expect(!Access.signedIn.admits(nil))
        #expect(Access.signedIn.admits(.member))
        #expect(Access.roles([.admin]).admits(.admin))
        #expect(!Access.roles([.admin]).admits(.inspector))
        #expect(!Access.roles(Role.staff).admits(.member))
        #expect(!Access.roles(Role.staff).admits(nil))
    }

    @Test func passwordsHaveAMinimumAndTheBcryptLimit() {
        let rules = PasswordRules()
        #expect(rules.check("short") == .tooShort(minimum: 10))
        #expect(rules.check("ten chars!") == nil)
        #expect(rules.check(String(repeating: "é", count: 40)) == .tooLong(maximum: 72), "bytes count, not characters")
    }

    @Test(arguments: ["anna@example.nl", "a.b+c@sub.example.de"])
    func validAddresses(_ address: String) { #expect(EmailAddress.isValid(address)) }

    @Test(arguments: ["", "anna", "anna@", "@example.nl", "anna@example", "an na@example.nl", "a@b@c.nl", "anna@.example.nl", "anna@example..nl"])
    func invalidAddresses(_ address: String) { #expect(!EmailAddress.isValid(address)) }

    @Test func pagingIsClampedToSaneValues() {
        #expect(Paging(page: nil, size: nil) == Paging(page: 1, size: Paging.defaultSize))
        #expect(Paging(page: -3, size: 0).page == 1)
        #expect(Paging(page: 2, size: 10_000).size == Paging.maximumSize)
        #expect(Paging(page: 3, size: 10).offset == 20)
        let list = PagedList(items: [1, 2], request: Paging(page: 2, size: 2), total: 5)
        #expect(list.pageCount == 3)
        #expect(list.hasNext && list.hasPrevious)
    }
}

@Suite("Signed links")
struct SignedLinkTests {
    let signer = SignedLink(secret: "test secret")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aLinkVerifiesForItsPurposeUntilItExpires() throws {
        let token = signer.sign(purpose: "confirm-email", subject: "consumer@example.nl", expires: now.addingTimeInterval(3600))
        let claims = try signer.verify(token, purpose: "confirm-email", now: now)
        #expect(claims.subject == "consumer@example.nl")
        #expect(throws: SignedLink.Failure.expired) { try signer.verify(token, purpose: "confirm-email", now: now.addingTimeInterval(3601)) }
        #expect(throws: SignedLink.Failure.wrongPurpose) { try signer.verify(token, purpose: "reset", now: now) }
    }

    @Test func aTamperedOrForeignLinkIsRefused() {
        let token = signer.sign(purpose: "confirm-email", subject: "a@example.nl", expires: now.addingTimeInterval(3600))
        let other = SignedLink(secret: "another secret").sign(purpose: "confirm-email", subject: "a@example.nl", expires: now.addingTimeInterval(3600))
        #expect(throws: SignedLink.Failure.badSignature) { try signer.verify(other, purpose: "confirm-email", now: now) }
        let forged = SecretTokenTestHelper.swapPayload(token, with: "confirm-email\nb@example.nl\n9999999999")
        #expect(throws: SignedLink.Failure.badSignature) { try signer.verify(forged, purpose: "confirm-email", now: now) }
        #expect(throws: SignedLink.Failure.malformed) { try signer.verify("nonsense", purpose: "confirm-email", now: now) }
    }

    @Test func secretTokensAreRandomAndStoredAsDigests() {
        let a = SecretToken.generate(), b = SecretToken.generate()
        #expect(a != b)
        #expect(a.count == 43)
        #expect(SecretToken.digest(a).count == 64)
        #expect(SecretToken.digest(a) == SecretToken.digest(a))
    }
}

enum SecretTokenTestHelper {
    static func swapPayload(_ token: String, with payload: String) -> String {
        let signature = token.split(separator: ".")[1]
        return SecretToken.base64URL(Data(payload.utf8)) + "." + signature
    }
}
