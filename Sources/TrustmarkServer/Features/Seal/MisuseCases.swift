import FluentKit
import Foundation
import TrustmarkCore

/// A seal seen on a site its shop does not hold, as staff see it.
struct MisuseCaseDTO: Codable, Sendable {
    let id: UUID
    let shopId: UUID
    let shop: String
    let shopSlug: String
    let host: String
    let firstPage: String
    let lastPage: String
    let firstSeen: Date
    let lastSeen: Date
    let count: Int
    let state: String
    let decisionNote: String?
    let decidedAt: Date?
    /// What the website checker's scan of the page found (`seen`, `not_seen`, `unsure`, `could_not_check`).
    var scanOutcome: String? = nil
    var scanEvidence: String? = nil
    var scannedAt: Date? = nil
}

struct MisuseDecisionRequest: Codable, Sendable {
    let note: String
}

/// Misuse cases: the aggregated sightings on foreign sites. Staff dismiss a case (a review site,
/// a comparison page) or pursue it; the summons letter itself belongs to the sanctions feature.
struct MisuseCasesService: Sendable {
    let desk: MembershipDesk
    let sightings: SealSightings

    func list(state: SealSighting.State?, paging: Paging) async throws -> PagedList<MisuseCaseDTO> {
        try await sightings.flush()
        var query = SealSighting.query(on: desk.storage.db).filter(\.$ownDomain == false)
        if let state { query = query.filter(\.$stateRaw == state.rawValue) }
        let total = try await query.copy().count()
        let rows = try await query.sort(\.$lastSeen, .descending).range(paging.offset..<(paging.offset + paging.size)).with(\.$shop).all()
        return PagedList(items: try rows.map(Self.dto), request: paging, total: total)
    }

    func counts() async throws -> [SealSighting.State: Int] {
        var counts: [SealSighting.State: Int] = [:]
        for state in [SealSighting.State.open, .dismissed, .pursued] {
            counts[state] = try await SealSighting.query(on: desk.storage.db).filter(\.$ownDomain == false).filter(\.$stateRaw == state.rawValue).count()
        }
        return counts
    }

    /// Dismisses or pursues an open case, with the staff member's reason; both are in the record.
    func decide(_ id: String?, to state: SealSighting.State, note: String, actor: Identity) async throws -> MisuseCaseDTO {
        let note = note.trimmingWhitespace()
        guard !note.isEmpty else { throw AppError.invalid("note", "misuse_note_required") }
        guard note.count <= 2000 else { throw AppError.invalid("note", "misuse_note_too_long") }
        guard let id = id.flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        try await sightings.flush()
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            guard let row = try await SealSighting.query(on: db).filter(\.$id == id).filter(\.$ownDomain == false).with(\.$shop).first() else {
                throw AppError.notFound
            }
            guard row.state == .open else { throw AppError.conflict("misuse_decided", "misuse_already_decided") }
            row.stateRaw = state.rawValue
            row.decidedBy = actor.userID
            row.decidedAt = now
            row.decisionNote = note
            try await row.save(on: db)
            try await Record.append(on: db, at: now, actor: Record.Actor(actor), action: "misuse.\(state.rawValue)", subjectType: "seal_sighting",
                                    subjectID: id.uuidString, after: ["shop": row.shop.name, "host": row.host, "count": "\(row.count)", "note": note])
            return try Self.dto(row)
        }
    }

    static func dto(_ row: SealSighting) throws -> MisuseCaseDTO {
        MisuseCaseDTO(id: try row.requireID(), shopId: row.$shop.id, shop: row.shop.name, shopSlug: row.shop.slug ?? "", host: row.host,
                      firstPage: row.firstPage, lastPage: row.lastPage, firstSeen: row.firstSeen, lastSeen: row.lastSeen, count: row.count,
                      state: row.stateRaw, decisionNote: row.decisionNote, decidedAt: row.decidedAt, scanOutcome: row.scanOutcome, scanEvidence: row.scanEvidence,
                      scannedAt: row.scannedAt)
    }
}
