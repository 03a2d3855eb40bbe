import Foundation
import Testing
@testable import TrustmarkCore

@Suite("The fraud ladder")
struct FraudLadderTests {
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

    static func ladder(_ name: String) throws -> FraudLadder {
        let scheme = try SchemeFile.load(SeedSchemeTests.schemes + "/\(name).yaml").scheme
        return FraudLadder(try #require(scheme.reviews))
    }

    @Test func eachOffenceTakesTheNextStepAndTheLastRepeats() throws {
        let ladder = try Self.ladder("kieskeurig")
        #expect(ladder.steps.map(\.action) == [.warning, .offline, .offline, .meeting])
        #expect((1...6).map { ladder.proposedStep(offence: $0) } == [1, 2, 3, 4, 4, 4])
        #expect(ladder.proposedStep(offence: 0) == nil)
    }

    @Test func staffTakeAnotherStepOnlyWithAReason() throws {
        let ladder = try Self.ladder("kieskeurig")
        #expect(try ladder.choose(offence: 1, chosen: nil, reason: nil) == (1, false))
        #expect(try ladder.choose(offence: 2, chosen: 2, reason: nil) == (2, false), "the proposed step needs no reason")
        #expect(throws: FraudLadder.Refusal.reasonRequired) { try ladder.choose(offence: 1, chosen: 3, reason: "  ") }
        #expect(throws: FraudLadder.Refusal.unknownStep(5)) { try ladder.choose(offence: 1, chosen: 5, reason: "ernstig") }
        #expect(try ladder.choose(offence: 1, chosen: 3, reason: "Tientallen nepreviews in één week") == (3, true))
        var strict = try #require(try SchemeFile.load(SeedSchemeTests.schemes + "/kieskeurig.yaml").scheme.reviews)
        strict.staffMayDeviate = false
        #expect(throws: FraudLadder.Refusal.deviationNotAllowed) { try FraudLadder(strict).choose(offence: 1, chosen: 2, reason: "x") }
        let none = try Self.ladder("service-siegel")
        #expect(throws: FraudLadder.Refusal.noLadder) { try none.choose(offence: 1, chosen: nil, reason: nil) }
    }

    @Test func stepsLastTheirScheduledDays() throws {
        let ladder = try Self.ladder("kieskeurig")
        let monday = try #require(Day("2027-01-04"))
        // A warning takes nothing offline; consumers are warned for the scheme's public notice (3 months).
        #expect(ladder.schedule(step: 1, from: monday, timeZone: Self.amsterdam)
            == .init(backOnline: nil, offline: false, noticeUntil: Day("2027-04-04"), durationEnds: nil))
        // 1 week without automatic return: offline until staff put the shop back, due on the 11th.
        #expect(ladder.schedule(step: 2, from: monday, timeZone: Self.amsterdam)
            == .init(backOnline: nil, offline: true, noticeUntil: nil, durationEnds: Day("2027-01-11")))
        // 1 month with automatic return: back on the same day of the next month (the end of a short month).
        #expect(ladder.schedule(step: 3, from: monday, timeZone: Self.amsterdam)
            == .init(backOnline: Day("2027-02-04"), offline: true, noticeUntil: Day("2027-02-04"), durationEnds: Day("2027-02-04")))
        #expect(ladder.schedule(step: 3, from: try #require(Day("2027-01-31")), timeZone: Self.amsterdam).backOnline == Day("2027-02-28"))
    }
}
