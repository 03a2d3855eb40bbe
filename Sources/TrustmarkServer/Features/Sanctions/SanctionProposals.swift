import FluentKit
import Foundation

/// The queue of sanction proposals that other features raise (complaints over the threshold, review
/// fraud without a ladder, a failed re-check, an invoice left unpaid, seal misuse). Staff decide each
/// one on `/staff/sanctions/new?proposal=...` with a reason; the evidence travels with it.
enum SanctionProposals {
    /// Raises a proposal unless one from the same source for the same organisation (and shop) is
    /// still open; returns it when raised. The record names it.
    @discardableResult
    static func raise(organisation: UUID, shop: UUID?, source: String, reason: String, evidence: [String], detail: [String: String] = [:], at now: Date,
                      on db: any Database) async throws -> SanctionProposal? {
        guard try await !isOpen(organisation: organisation, shop: shop, source: source, on: db) else { return nil }
        let proposal = SanctionProposal()
        proposal.organisationID = organisation
        proposal.$shop.id = shop
        proposal.source = source
        proposal.reason = reason
        proposal.evidence = evidence.joined(separator: "\n")
        proposal.state = "open"
        proposal.raisedAt = now
        try await proposal.create(on: db)
        try await Record.append(on: db, at: now, actor: .system, action: "sanction.proposed", subjectType: shop == nil ? "organisation" : "shop",
                                subjectID: (shop ?? organisation).uuidString, after: detail.merging(["source": source, "reason": reason]) { _, new in new })
        return proposal
    }

    /// Whether a proposal from `source` for the organisation (and shop) still waits for staff.
    static func isOpen(organisation: UUID, shop: UUID?, source: String, on db: any Database) async throws -> Bool {
        var open = SanctionProposal.query(on: db).filter(\.$organisationID == organisation).filter(\.$source == source).filter(\.$state == "open")
        if let shop { open = open.filter(\.$shop.$id == shop) }
        return try await open.first() != nil
    }
}
