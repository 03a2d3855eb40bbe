import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// The generator's complaints: finished or resting ones (resolved, closed, unanswered) spread over
/// the scheme's statistics window, so that no deadline or job is left to run. The shop figures are
/// counted from these rows with the same rules the application uses.
struct ScaleComplaints: Sendable {
    static let columns = ["id", "reference", "subject", "shop_id", "organisation_id", "state", "outcome", "consumer_name", "consumer_email",
                          "consumer_locale", "consumer_country", "order_number", "order_date", "contacted_shop_on", "contact_channel",
                          "shop_answered_before", "description", "code_version", "source", "created_at", "confirmed_at", "forwarded_at",
                          "first_answer_at", "finished_at", "updated_at", "no_answer", "waiting_for_consumer"]
    /// Rows per INSERT: 27 values each stays below both databases' limit on bound values.
    static let rowsPerInsert = 1000

    static let texts = ["Het pakket is nooit aangekomen.", "Het product was beschadigd bij aankomst.", "Na retour is het geld niet teruggestort.",
                        "Er werd een verkeerd artikel geleverd.", "De garantie werd geweigerd.", "Dubbel afgeschreven voor één bestelling."]

    let scheme: Scheme
    let timeZone: TimeZone
    let now: Date
    let year: Int

    /// What a shop's complaints came to.
    struct Shop {
        var rows: [[any SQLExpression]] = []
        var figures = ComplaintFigures()
    }

    /// `count` complaints about one shop; `sequence` numbers their references.
    func complaints(_ count: Int, shop: UUID, organisation: UUID, sequence: inout Int, random: inout SeededRandom) -> Shop {
        var result = Shop()
        var hours: [Int] = []
        let window = scheme.complaints?.statisticsWindow.map { Period(-$0.amount, $0.unit).added(to: now, timeZone: timeZone) ?? now } ?? now
        let span = max(86_400, now.timeIntervalSince(window) - 86_400)
        for index in 0..<count {
            sequence += 1
            let confirmed = now.addingTimeInterval(-86_400 - Double(random.next() % UInt64(span)))
            let roll = Int(random.next() % 100)
            let answerHours = 1 + Int(random.next() % 72)
            var state = ComplaintState.resolved, outcome: ComplaintOutcome? = .acceptedAnswer, answered = true, noAnswer = false
            switch roll {
            case 0..<55: break
            case 55..<65: outcome = .mediated
            case 65..<73: (state, outcome) = (.closed, .noReply)
            case 73..<80: (state, outcome, answered, noAnswer) = (.noAnswer, nil, false, true)
            case 80..<86: (state, outcome) = (.closed, .unresolved)
            case 86..<90: (state, outcome, answered) = (.closed, .withdrawn, false)
            case 90..<95: (state, outcome) = (.closed, .rulingComplied)
            default: noAnswer = true // answered after the deadline, then accepted
            }
            let firstAnswer = answered ? confirmed.addingTimeInterval(Double((noAnswer ? 96 : 0) + answerHours) * 3600) : nil
            let finished = state.isFinal ? (firstAnswer ?? confirmed).addingTimeInterval(Double(1 + random.next() % 240) * 3600) : nil
            result.figures.count(state: state, outcome: outcome, noAnswer: noAnswer)
            if let firstAnswer { hours.append(Int((firstAnswer.timeIntervalSince(confirmed) / 3600).rounded())) }
            let contacted = Day(confirmed, in: timeZone).adding(days: -7)
            let consumer = "Consument \(sequence)"
            result.rows.append([
                SQLBind(random.uuid()), SQLBind("C-\(year)-" + sequence.zeroPadded(5)), SQLBind(ComplaintSubject.shop.rawValue), SQLBind(shop),
                SQLBind(organisation), SQLBind(state.rawValue), outcome.map { SQLBind($0.rawValue) } ?? SQLLiteral.null, SQLBind(consumer),
                SQLBind("consument\(sequence)@consumer.example"), SQLBind(scheme.defaultLanguage), SQLBind(scheme.country), SQLBind("W-\(sequence)"),
                SQLBind(contacted.adding(days: -3).description), SQLBind(contacted.description), SQLBind(ShopContactChannel.email.rawValue), SQLBind(false),
                SQLBind(Self.texts[(index + sequence) % Self.texts.count]), SQLBind(scheme.codeOfConduct.version), SQLBind("form"), SQLBind(confirmed),
                SQLBind(confirmed), SQLBind(confirmed), firstAnswer.map { SQLBind($0) } ?? SQLLiteral.null, finished.map { SQLBind($0) } ?? SQLLiteral.null,
                SQLBind(finished ?? firstAnswer ?? confirmed), SQLBind(noAnswer), SQLBind(false),
            ])
        }
        result.figures.medianFirstAnswerHours = ComplaintFigures.median(hours)
        return result
    }

    /// Writes rows in slices, and leaves the reference counter where the numbers end.
    static func insert(_ rows: [[any SQLExpression]], lastSequence: Int, year: Int, on sql: any SQLDatabase) async throws {
        var start = 0
        while start < rows.count {
            let slice = rows[start..<min(rows.count, start + rowsPerInsert)]
            let insert = sql.insert(into: "complaints").columns(columns)
            for row in slice { insert.values(row) }
            try await insert.run()
            start += rowsPerInsert
        }
        try await sql.raw("INSERT INTO complaint_counters (year, last) VALUES (\(bind: year), 0) ON CONFLICT (year) DO NOTHING").run()
        try await sql.raw("UPDATE complaint_counters SET last = \(bind: lastSequence) WHERE year = \(bind: year)").run()
    }
}
