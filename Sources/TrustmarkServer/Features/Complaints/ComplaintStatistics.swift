import FluentKit
import Foundation
import TrustmarkCore

/// The shop figures (`shop_stats`), recounted from the shop's complaints in the scheme's window at
/// every step of one of them, and the sanction proposal the scheme's threshold raises.
extension ComplaintsService {
    /// The figures of one shop over the complaints confirmed since `since`.
    func figures(shop: UUID, since: Date, on db: any Database) async throws -> ComplaintFigures {
        let rows = try await Complaint.query(on: db).filter(\.$shop.$id == shop).filter(\.$confirmedAt >= since).all()
        var figures = ComplaintFigures()
        var answerHours: [Int] = []
        for row in rows {
            guard let state = row.state else { continue }
            figures.count(state: state, outcome: row.outcome, noAnswer: row.noAnswer)
            if let forwarded = row.forwardedAt, let answered = row.firstAnswerAt {
                answerHours.append(max(0, Int((answered.timeIntervalSince(forwarded) / 3600).rounded())))
            }
        }
        figures.medianFirstAnswerHours = ComplaintFigures.median(answerHours)
        return figures
    }

    func windowStart(_ period: Period?, now: Date) -> Date {
        period.map { desk.windowStart($0, now: now) } ?? .distantPast
    }

    /// Recounts the shop's figures, in the caller's transaction, and raises a sanction proposal when
    /// the unresolved and unanswered complaints reach the scheme's threshold.
    func refreshFigures(of complaint: Complaint, on db: any Database) async throws {
        guard let shopID = complaint.$shop.id, let rules = desk.scheme.complaints else { return }
        try await refreshFigures(shop: shopID, rules: rules, on: db)
    }

    func refreshFigures(shop shopID: UUID, rules: ComplaintRules, on db: any Database) async throws {
        let now = desk.clock.now()
        let figures = try await figures(shop: shopID, since: windowStart(rules.statisticsWindow, now: now), on: db)
        let existing = try await ShopStats.find(shopID, on: db)
        let stats = existing ?? ShopStats.blank(shopID)
        let changed = existing.map { stats in
            stats.complaints12m != figures.received || stats.resolved12m != figures.resolved || stats.unresolved12m != figures.unresolved
                || stats.noAnswer12m != figures.noAnswer || stats.medianFirstAnswerHours != figures.medianFirstAnswerHours
        } ?? true
        stats.complaints12m = figures.received
        stats.resolved12m = figures.resolved
        stats.unresolved12m = figures.unresolved
        stats.noAnswer12m = figures.noAnswer
        stats.medianFirstAnswerHours = figures.medianFirstAnswerHours
        if changed {
            // The register notices the new `updated_at` and reads this shop afresh on every instance
            // (the seals, which do not show complaint figures, keep their cache).
            stats.updatedAt = now
            try await stats.save(on: db)
        }
        guard let threshold = rules.sanctionThreshold else { return }
        let counted = rules.sanctionWindow == rules.statisticsWindow
            ? figures : try await self.figures(shop: shopID, since: windowStart(rules.sanctionWindow, now: now), on: db)
        guard counted.reaches(threshold: threshold) else { return }
        try await propose(shop: shopID, figures: counted, threshold: threshold, since: windowStart(rules.sanctionWindow, now: now), on: db)
    }

    /// One open proposal per shop from complaints: a new one only after staff decided the last.
    private func propose(shop shopID: UUID, figures: ComplaintFigures, threshold: Int, since: Date, on db: any Database) async throws {
        guard let shop = try await Shop.find(shopID, on: db),
              try await !SanctionProposals.isOpen(organisation: shop.$organisation.id, shop: shopID, source: "complaints", on: db) else { return }
        let evidence = try await Complaint.query(on: db).filter(\.$shop.$id == shopID).filter(\.$confirmedAt >= since).sort(\.$confirmedAt).all()
            .filter { $0.noAnswer || $0.outcome?.countsAsUnresolved == true || [.unresolved, .referred, .ruled].contains($0.state) }
            .map { "\($0.reference ?? "-"): \($0.noAnswer ? "no_answer" : $0.outcomeRaw ?? $0.stateRaw)" }
        let raised = try await SanctionProposals.raise(organisation: shop.$organisation.id, shop: shopID, source: "complaints", reason: "proposal_reason_complaints",
                                                       evidence: evidence, detail: ["unresolved": "\(figures.unresolved)", "no_answer": "\(figures.noAnswer)",
                                                                                    "threshold": "\(threshold)"], at: desk.clock.now(), on: db)
        guard raised != nil else { return }
        let values = ["shop": shop.name, "count": "\(figures.unresolved + figures.noAnswer)", "threshold": "\(threshold)", "link": desk.baseURL + "/staff/sanction-proposals"]
        try await desk.mailAdmins(subject: "mail_proposal_subject", body: "mail_proposal_body", { _ in values }, kind: "sanction.proposal", on: db)
    }

    /// Once a day: the shops whose oldest counted complaints just left the window are recounted,
    /// so the public figures cover the scheme's window without a step in between.
    func slideWindow() async throws {
        guard let rules = desk.scheme.complaints else { return }
        let now = desk.clock.now()
        let start = windowStart(rules.statisticsWindow, now: now)
        let shops = Set(try await Complaint.query(on: desk.storage.db).filter(\.$confirmedAt < start)
            .filter(\.$confirmedAt >= start.addingTimeInterval(-8 * 24 * 3600)).all().compactMap { $0.$shop.id })
        for shop in shops {
            try await desk.storage.db.transaction { db in try await refreshFigures(shop: shop, rules: rules, on: db) }
        }
    }

    /// Open sanction proposals, newest first, for the staff queue.
    func proposals() async throws -> [SanctionProposal] {
        try await SanctionProposal.query(on: desk.storage.db).filter(\.$state == "open").sort(\.$raisedAt, .descending).with(\.$shop).all()
    }
}
