import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Complaint rules")
struct ComplaintRulesTests {
    static func intake(_ name: String) throws -> ComplaintIntake {
        let scheme = try SchemeFile.load(SeedSchemeTests.schemes + "/\(name).yaml").scheme
        let rules = try #require(scheme.complaints)
        let zone = try #require(TimeZone(identifier: scheme.timeZone))
        return ComplaintIntake(rules: rules, calendar: try WorkingDayCalendar(country: scheme.country, timeZone: zone))
    }

    func facts(contacted: String?, today: String, member: Bool = true, consumer: String = "NL", shop: String = "NL", sector: String? = nil,
               answered: Bool = false) -> ComplaintIntakeFacts {
        ComplaintIntakeFacts(subject: .shop, shopIsMember: member, shopCountry: shop, consumerCountry: consumer, sector: sector,
                             contactedShopOn: contacted.flatMap(Day.init), shopAnswered: answered, today: Day(today)!)
    }

    @Test func keurOnlineCountsTwoWorkingDaysOverChristmas() throws {
        let intake = try Self.intake("keuronline")
        // Contacted Thursday 24 December 2026: Friday 25 and Saturday 26 (Christmas), Sunday do not
        // count; the two working days are Monday 28 and Tuesday 29, so filing opens Wednesday 30.
        #expect(intake.earliestFilingDay(contacted: Day("2026-12-24")!) == Day("2026-12-30"))
        #expect(throws: ComplaintIntakeRefusal.tooEarly(Day("2026-12-30")!)) { try intake.check(facts(contacted: "2026-12-24", today: "2026-12-29")) }
        try intake.check(facts(contacted: "2026-12-24", today: "2026-12-30"))
        // An answer that did not satisfy ends the wait.
        try intake.check(facts(contacted: "2026-12-24", today: "2026-12-28", answered: true))
    }

    @Test func becomReferralsNameTheSchemesBodies() throws {
        let intake = try Self.intake("becom")
        #expect(intake.earliestFilingDay(contacted: Day("2027-01-04")!) == Day("2027-01-12"), "five working days from a Monday")
        do {
            try intake.check(facts(contacted: "2027-01-04", today: "2027-01-20", member: false, shop: "BE"))
            Issue.record("a shop without the seal was accepted")
        } catch .notAMember(let referral) {
            #expect(referral?.name.text("nl") == "Consumentenombudsdienst")
        } catch { Issue.record("wrong refusal \(error)") }
        do {
            try intake.check(facts(contacted: "2027-01-04", today: "2027-01-20", consumer: "BE", shop: "BE", sector: "travel"))
            Issue.record("a travel complaint was accepted")
        } catch .sector(let sector, let referral) {
            #expect(sector == "travel")
            #expect(referral.name.text("nl") == "Geschillencommissie Reizen")
        } catch { Issue.record("wrong refusal \(error)") }
        #expect(throws: ComplaintIntakeRefusal.crossBorder(intake.rules.crossBorderRoute!)) {
            try intake.check(facts(contacted: "2027-01-04", today: "2027-01-20", consumer: "DE", shop: "BE"))
        }
        try intake.check(facts(contacted: "2027-01-04", today: "2027-01-20", consumer: "BE", shop: "BE"))
    }

    @Test func contactFirstAndFutureDaysAreRefused() throws {
        let intake = try Self.intake("keuronline")
        #expect(throws: ComplaintIntakeRefusal.contactShopFirst) { try intake.check(facts(contacted: nil, today: "2027-01-20")) }
        #expect(throws: ComplaintIntakeRefusal.contactInFuture) { try intake.check(facts(contacted: "2027-01-21", today: "2027-01-20")) }
        // A complaint about the trustmark itself has no shop to wait for.
        var aboutUs = facts(contacted: nil, today: "2027-01-20", member: false)
        aboutUs.subject = .trustmark
        try intake.check(aboutUs)
    }

    @Test func theWorkflowNamesWhatIsAllowed() {
        #expect(throws: ComplaintWorkflow.Refused(from: .forwarded, to: .resolved, allowed: [.mediation])) {
            try ComplaintWorkflow.check(from: .forwarded, to: .resolved, by: .mediator)
        }
        #expect(ComplaintWorkflow.allowed(from: .mediation, by: .mediator) == [.resolved, .unresolved])
        #expect(ComplaintWorkflow.allowed(from: .closed, by: .shop).isEmpty)
        #expect(ComplaintWorkflow.allowed(from: .answered, by: .consumer).contains(.resolved))
        #expect(throws: ComplaintWorkflow.Refused.self) { try ComplaintWorkflow.check(from: .forwarded, to: .answered, by: .consumer) }
        // Every state but the final ones has a way on.
        for state in ComplaintState.allCases where !state.isFinal {
            #expect(ComplaintParty.allCases.contains { !ComplaintWorkflow.allowed(from: state, by: $0).isEmpty }, "\(state) is a dead end")
        }
    }

    @Test func medianOfFirstAnswerTimes() {
        #expect(ComplaintFigures.median([]) == nil)
        #expect(ComplaintFigures.median([5]) == 5)
        #expect(ComplaintFigures.median([9, 1, 4]) == 4)
        #expect(ComplaintFigures.median([1, 2, 3, 10]) == 3, "the mean of the middle two, rounded up")
    }
}

@Suite("Mail, uploads and archives")
struct MailFileTests {
    static let eml = """
        From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>\r
        To: klachten@trustmark.example\r
        Date: Tue, 17 Nov 2026 09:30:00 +0100\r
        Subject: =?UTF-8?B?S2xhY2h0IG92ZXIgYmVzdGVsbGluZw==?=\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="outer"\r
        \r
        --outer\r
        Content-Type: text/plain; charset=iso-8859-1\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        Mijn fiets is nooit geleverd. Gr=FC=DFe,=\r
         J=FCrgen\r
        --outer\r
        Content-Type: image/png\r
        Content-Disposition: attachment; filename="bon.png"\r
        Content-Transfer-Encoding: base64\r
        \r
        iVBORw0KGgoAAAANSUhEUg==\r
        --outer--\r

        """

    @Test func aForwardedMailGivesSenderDateTextAndFiles() throws {
        let mail = try ReceivedMail.parse(Array(Self.eml.utf8))
        #expect(mail.fromAddress == "juergen@example.org")
        #expect(mail.fromName == "Jürgen Müller")
        #expect(mail.subject == "Klacht over bestelling")
        #expect(mail.date == ISO8601DateFormatter().date(from: "2026-11-17T08:30:00Z"))
        #expect(mail.text == "Mijn fiets is nooit geleverd. Grüße, Jürgen")
        #expect(mail.attachments.map(\.filename) == ["bon.png"])
        #expect(EvidenceFileKind.sniff(mail.attachments[0].data) == .png)
        #expect(throws: ReceivedMail.Failure.notAMail) { try ReceivedMail.parse(Array("just some text\r\n\r\nbody".utf8)) }
    }

    @Test func filesAreJudgedByTheirBytes() {
        #expect(EvidenceFileKind.sniff(Array("%PDF-1.7\n".utf8)) == .pdf)
        #expect(EvidenceFileKind.sniff(Array("<html><script>".utf8)) == nil)
        #expect(EvidenceFileKind.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(EvidenceFileKind.pdf.matches(filename: "bon.PDF"))
        #expect(!EvidenceFileKind.pdf.matches(filename: "photo.jpg"), "a PDF disguised as a picture")
    }

    @Test func zipArchivesOpenWithUnzip() throws {
        var zip = ZipWriter()
        zip.add("bon.pdf", Array("%PDF-1.4 one".utf8), modified: Date(timeIntervalSince1970: 1_800_000_000))
        zip.add("bon.pdf", Array("%PDF-1.4 two".utf8), modified: Date(timeIntervalSince1970: 1_800_000_000))
        zip.add("foto's/ü.png", [0x89, 0x50], modified: Date(timeIntervalSince1970: 1_800_000_000))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString).zip")
        try Data(zip.finish()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-t", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("bon (2).pdf"))
        #expect(ZipWriter.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite("Review fraud signals")
struct FraudSignalTests {
    func ids(_ facts: ReviewFraudFacts) -> [String] { FraudScoring.signals(facts).map(\.id) }

    @Test func eachSignalFiresOnItsOwnFacts() {
        #expect(ids(ReviewFraudFacts()).isEmpty)
        #expect(ids(ReviewFraudFacts(sameAddress: 1)).isEmpty, "one other review from the address is normal (a household)")
        #expect(ids(ReviewFraudFacts(sameAddress: 2)) == ["same_address"])
        #expect(ids(ReviewFraudFacts(emailOnShopDomain: true)) == ["shop_domain"])
        #expect(ids(ReviewFraudFacts(emailOfShopStaff: true)) == ["shop_staff"])
        #expect(ids(ReviewFraudFacts(lastDay: 4, usualPerDay: 0)).isEmpty, "four in a day is not a burst")
        #expect(ids(ReviewFraudFacts(lastDay: 5, usualPerDay: 0.5)) == ["burst"])
        #expect(ids(ReviewFraudFacts(lastDay: 20, usualPerDay: 10)).isEmpty, "a busy shop's usual day")
        #expect(ids(ReviewFraudFacts(likeness: 0.79)).isEmpty)
        #expect(ids(ReviewFraudFacts(likeness: 0.8)) == ["near_duplicate"])
        #expect(ids(ReviewFraudFacts(uninvitedWhileShopInvites: true)) == ["uninvited"])
        #expect(ids(ReviewFraudFacts(incentiveReports: 1)) == ["incentive"])
    }

    @Test func scoresAddUpToAtMostAHundredAndExplainThemselves() {
        let two = FraudScoring.signals(ReviewFraudFacts(sameAddress: 3, likeness: 0.9))
        #expect(FraudScoring.score(two) == 85)
        #expect(two.first?.arguments["count"] == "3")
        #expect(two.last?.arguments["percent"] == "90")
        let all = FraudScoring.signals(ReviewFraudFacts(sameAddress: 3, emailOnShopDomain: true, emailOfShopStaff: true, lastDay: 9, likeness: 1,
                                                        uninvitedWhileShopInvites: true, incentiveReports: 2))
        #expect(all.count == 7)
        #expect(FraudScoring.score(all) == 100)
    }

    @Test func likenessComparesWordTriples() {
        let text = "De levering was snel en het product werkt prima, aanrader"
        #expect(FraudScoring.likeness(text, text) == 1)
        #expect(FraudScoring.likeness(text, text.uppercased() + "!") == 1, "case and punctuation do not hide a copy")
        #expect(FraudScoring.likeness(text, "Heel slechte service, nooit meer bestellen bij deze winkel") == 0)
        #expect(FraudScoring.likeness("Top", "Top") == 0, "too short to judge")
        let german = "Über die Qualität der Ware bin ich sehr zufrieden, schöne Verpackung"
        #expect(FraudScoring.likeness(german, german.uppercased()) == 1, "letters beyond ASCII are lower-cased too")
        #expect(FraudScoring.likeness(german, "Über die Qualität der Ware bin ich nicht zufrieden, schöne Verpackung") > 0.3)
        #expect(FraudScoring.likeness(german, "Über die Qualität der Ware bin ich nicht zufrieden, schöne Verpackung") < 0.8)
    }
}
