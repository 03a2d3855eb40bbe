import Foundation
import Testing
@testable import TrustmarkCore

@Suite("The sanction ladder")
struct SanctionLadderTests {
    static let decider = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    static let second = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!

    static func ladder(_ name: String = "keuronline") throws -> SanctionLadder {
        let scheme = try SchemeFile.load(SeedSchemeTests.schemes + "/\(name).yaml").scheme
        return SanctionLadder(try #require(scheme.sanctions), calendar: try WorkingDayCalendar(scheme: scheme, equalDays: []))
    }

    static func day(_ text: String) throws -> Day { try #require(Day(text)) }

    @Test func keurOnlinesArticlesNameTheRuleOfEveryKindThatHasOne() throws {
        let ladder = try Self.ladder()
        #expect(ladder.article(.improvementPeriod) == "25")
        #expect(ladder.article(.suspension) == "26")
        #expect(ladder.article(.unauthorisedUseSummons) == "28")
        #expect(ladder.article(.warning) == nil, "the seed has no article on warnings")
        #expect(try Self.ladder("mkbok").article(.revocation) == nil, "a scheme without articles names none")
    }

    @Test func anImprovementPeriodLastsAtMostTheSchemesMaximum() throws {
        let ladder = try Self.ladder()
        let monday = try Self.day("2027-01-04")
        // KeurOnline article 25: "maximaal 1 maand".
        #expect(try ladder.deadline(.improvementPeriod, decidedOn: monday, chosen: nil) == Self.day("2027-02-04"))
        #expect(try ladder.deadline(.improvementPeriod, decidedOn: monday, chosen: Self.day("2027-01-18")) == Self.day("2027-01-18"))
        #expect(throws: SanctionRefusal.tooLong(maximum: try Self.day("2027-02-04"))) {
            try ladder.deadline(.improvementPeriod, decidedOn: monday, chosen: Self.day("2027-02-05"))
        }
        #expect(throws: SanctionRefusal.endsTooSoon) { try ladder.deadline(.improvementPeriod, decidedOn: monday, chosen: monday) }
    }

    @Test func aSuspensionEndsWithinThreeMonthsCountingItsFirstDay() throws {
        let ladder = try Self.ladder()
        let decided = try Self.day("2027-01-10")
        // Article 26: at most 3 months, from the day of the decision: the last day is 9 April.
        #expect(try ladder.maximumEnd(.suspension, decidedOn: decided) == Self.day("2027-04-09"))
        #expect(throws: SanctionRefusal.tooLong(maximum: try Self.day("2027-04-09"))) {
            try ladder.deadline(.suspension, decidedOn: decided, chosen: Self.day("2027-04-10"))
        }
        var noMaximum = try #require(try SchemeFile.load(SeedSchemeTests.schemes + "/keuronline.yaml").scheme.sanctions)
        noMaximum.suspensionMax = nil
        #expect(throws: SanctionRefusal.notInScheme(.suspension)) {
            try SanctionLadder(noMaximum, calendar: nil).deadline(.suspension, decidedOn: decided, chosen: nil)
        }
    }

    @Test func aSummonsDeadlineCountsWorkingDaysAcrossHolidays() throws {
        let ladder = try Self.ladder()
        // Thursday 25 March 2027; Good Friday and Easter Monday are not working days here, so the
        // fifth working day is Monday 5 April (without them it would be Thursday 1 April).
        #expect(try ladder.deadline(.summons, decidedOn: Self.day("2027-03-25"), chosen: nil) == Self.day("2027-04-05"))
        #expect(try ladder.deadline(.summons, decidedOn: Self.day("2027-03-11"), chosen: nil) == Self.day("2027-03-18"))
        #expect(try ladder.deadline(.revocation, decidedOn: Self.day("2027-03-11"), chosen: nil) == nil)
    }

    @Test func aRevocationTakesEffectOnlyWhenAnotherStaffMemberConfirmsIt() throws {
        let ladder = try Self.ladder()
        let day = try Self.day("2027-02-01")
        let decided = try ladder.apply(.decide(.revocation, by: Self.decider, on: day, until: nil), to: SanctionCase())
        #expect(decided.state == .awaitingConfirmation)
        #expect(ladder.sealOverride(decided) == nil, "nothing changes before the confirmation")
        #expect(throws: SanctionRefusal.sameStaffMember) { try ladder.apply(.confirm(by: Self.decider), to: decided) }
        let confirmed = try ladder.apply(.confirm(by: Self.second), to: decided)
        #expect(confirmed.state == .inForce)
        #expect(ladder.sealOverride(confirmed) == .revoked(on: day))
        #expect(ladder.listed(confirmed) == "no-longer-a-member")
        // A suspension is not in four_eyes_for: it takes effect at once.
        let suspended = try ladder.apply(.decide(.suspension, by: Self.decider, on: day, until: Self.day("2027-03-01")), to: SanctionCase())
        #expect(suspended.state == .inForce)
        #expect(ladder.sealOverride(suspended) == .suspended(until: try Self.day("2027-03-01")))
    }

    @Test func theLadderGoesFromImprovementToSummonsToRevocation() throws {
        let ladder = try Self.ladder()
        let period = try ladder.apply(.decide(.improvementPeriod, by: Self.decider, on: Self.day("2027-01-04"), until: nil), to: SanctionCase())
        #expect(period.state == .inForce)
        #expect(ladder.listed(period) == nil && ladder.sealOverride(period) == nil, "an improvement period is not public")
        let lapsed = try ladder.apply(.deadlinePassed(conditionsMet: false), to: period)
        #expect(lapsed.state == .escalated)
        #expect(SanctionKind.improvementPeriod.escalation == .summons)
        #expect(SanctionKind.summons.escalation == .revocation)
        #expect(SanctionKind.suspension.escalation == nil)
        // A re-check that finds the shop improved ends it instead.
        #expect(try ladder.apply(.resolve, to: period).state == .resolved)
        #expect(throws: SanctionRefusal.notAllowed(.escalated)) { try ladder.apply(.resolve, to: lapsed) }
    }

    @Test func aSuspensionEndsByItselfWhenTheConditionsAreMet() throws {
        let ladder = try Self.ladder()
        let suspended = try ladder.apply(.decide(.suspension, by: Self.decider, on: Self.day("2027-01-10"), until: nil), to: SanctionCase())
        #expect(suspended.deadline == (try Self.day("2027-04-09")))
        #expect(try ladder.apply(.deadlinePassed(conditionsMet: true), to: suspended).state == .resolved)
        #expect(try ladder.apply(.deadlinePassed(conditionsMet: false), to: suspended).state == .escalated)
        #expect(ladder.listed(suspended) == "no-longer-a-member", "article 26: also listed")
    }

    @Test func unauthorisedUseIsListedAtOnceAndStaysListedForTheLegalStep() throws {
        let ladder = try Self.ladder()
        let summons = try ladder.apply(.decide(.unauthorisedUseSummons, by: Self.decider, on: Self.day("2027-01-04"), until: nil), to: SanctionCase())
        #expect(ladder.listed(summons) == "not-a-member")
        let legal = try ladder.apply(.deadlinePassed(conditionsMet: false), to: summons)
        #expect(legal.state == .escalated)
        #expect(ladder.listed(legal) == "not-a-member")
        #expect(ladder.listed(try ladder.apply(.resolve, to: summons)) == nil, "removed once it complied")
    }

    @Test func conflictingSanctionsAreNamed() throws {
        let ladder = try Self.ladder()
        #expect(ladder.conflict(.suspension, active: [.suspension]) == .suspension)
        #expect(ladder.conflict(.summons, active: [.warning, .improvementPeriod]) == .improvementPeriod)
        #expect(ladder.conflict(.warning, active: [.revocation]) == nil, "a warning goes with anything")
        #expect(ladder.conflict(.suspension, active: [.bankruptcyRevocation]) == .bankruptcyRevocation)
        #expect(ladder.conflict(.revocation, active: [.suspension]) == .suspension)
        #expect(ladder.conflict(.suspension, active: [.improvementPeriod, .warning]) == nil)
    }

    @Test func anAppealIsDecidedByAnotherStaffMemberWithinThePeriod() throws {
        let ladder = try Self.ladder()
        let decided = try Self.day("2027-02-01")
        let suspended = try ladder.apply(.decide(.suspension, by: Self.decider, on: decided, until: nil), to: SanctionCase())
        #expect(throws: SanctionRefusal.sameStaffMember) { try ladder.apply(.appealUpheld(by: Self.decider, on: decided), to: suspended) }
        // 14 days: the last day to object is 15 February.
        #expect(throws: SanctionRefusal.appealTooLate(closed: try Self.day("2027-02-15"))) {
            try ladder.apply(.appealUpheld(by: Self.second, on: Self.day("2027-02-16")), to: suspended)
        }
        let overturned = try ladder.apply(.appealUpheld(by: Self.second, on: Self.day("2027-02-15")), to: suspended)
        #expect(overturned.state == .overturned)
        #expect(ladder.sealOverride(overturned) == nil && ladder.listed(overturned) == nil)
        #expect(try ladder.apply(.appealRejected(by: Self.second, on: decided), to: suspended) == suspended)
    }

    @Test func stepsOutOfOrderAreRefused() throws {
        let ladder = try Self.ladder()
        #expect(throws: SanctionRefusal.notAllowed(.proposed)) { try ladder.apply(.confirm(by: Self.second), to: SanctionCase()) }
        let warning = try ladder.apply(.decide(.warning, by: Self.decider, on: Self.day("2027-01-04"), until: nil), to: SanctionCase())
        #expect(throws: SanctionRefusal.notAllowed(.inForce)) { try ladder.apply(.deadlinePassed(conditionsMet: false), to: warning) }
        #expect(throws: SanctionRefusal.notAllowed(.inForce)) { try ladder.apply(.dismiss(by: Self.second), to: warning) }
        #expect(try ladder.apply(.dismiss(by: Self.second), to: SanctionCase()).state == .dismissed)
    }

    @Test func aSchemeThatNamesAnUnknownKindIsRefused() throws {
        let text = try String(contentsOfFile: SeedSchemeTests.schemes + "/keuronline.yaml", encoding: .utf8)
            .replacingOccurrences(of: "four_eyes_for: [revocation]", with: "four_eyes_for: [revocaton]")
            .replacingOccurrences(of: "    suspension: \"26\"", with: "    suspensoin: \"26\"")
        let messages = BrokenSchemeTests.problems(text).joined(separator: "\n")
        #expect(messages.contains("sanctions.four_eyes_for names 'revocaton', which is not a sanction kind"))
        #expect(messages.contains("sanctions.articles names 'suspensoin', which is not a sanction kind"))
    }
}
