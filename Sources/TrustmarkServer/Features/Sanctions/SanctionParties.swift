import FluentKit
import Foundation
import TrustmarkCore

/// Whom a sanction concerns: a member's shop, or for an unauthorised use a party that is no member.
/// A misuse case (the seal seen on a foreign site) names the site; when a member's shop holds that
/// site the summons goes to the member, else staff name the party and where its letter goes, and the
/// party is kept as an organisation without membership so that its listing and record have an owner.
extension SanctionsService {
    /// The open (or already pursued) misuse case an unauthorised-use summons rests on.
    func misuseCase(_ id: UUID?, kind: SanctionKind, on db: any Database) async throws -> SealSighting? {
        guard let id else { return nil }
        guard kind == .unauthorisedUseSummons else { throw AppError.invalid("misuseCaseId", "sanction_misuse_kind") }
        guard let row = try await SealSighting.query(on: db).filter(\.$id == id).filter(\.$ownDomain == false).first() else {
            throw AppError.invalid("misuseCaseId", "sanction_misuse_unknown")
        }
        guard row.state != .dismissed else { throw AppError.conflict("misuse_decided", "misuse_already_decided") }
        return row
    }

    /// The shop a sanction concerns: the one named, else the member shop that holds the misuse case's
    /// site (a member showing another member's seal).
    func targetShop(_ id: UUID?, misuse: SealSighting?, on db: any Database) async throws -> Shop? {
        if let id {
            guard let shop = try await Shop.query(on: db).filter(\.$id == id).with(\.$domains).first() else { throw AppError.invalid("shopId", "sanction_shop_unknown") }
            return shop
        }
        guard let host = misuse?.host else { return nil }
        let bare = DomainName.normalise(host)
        guard let domain = try await ShopDomain.query(on: db).filter(\.$domain == bare).filter(\.$releasedAt == nil).first() else { return nil }
        return try await Shop.query(on: db).filter(\.$id == domain.$shop.id).filter(\.$stateRaw == Shop.State.approved.rawValue).with(\.$domains).first()
    }

    /// The party's facts, checked: a name (the site when none is given), a site (the misuse case's),
    /// and a valid e-mail address where one is given.
    func party(_ given: Party?, misuse: SealSighting?) throws -> Party {
        var errors = FormErrors()
        let domain = misuse.map { DomainName.normalise($0.host) } ?? given?.domain.map(DomainName.normalise) ?? ""
        if domain.isEmpty { errors.add(.invalid("party.domain", "sanction_party_domain")) }
        let name = given?.name.trimmingWhitespace().nilIfEmpty ?? domain
        if name.count > 200 { errors.add(.invalid("party.name", "validation_too_long", ["max": "200"])) }
        let email = given?.email?.trimmingWhitespace().nilIfEmpty
        if let email, !EmailAddress.isValid(email) { errors.add(.invalid("party.email", "validation_email")) }
        let address = given?.address?.trimmingWhitespace().nilIfEmpty
        if let address, address.count > 500 { errors.add(.invalid("party.address", "validation_too_long", ["max": "500"])) }
        try errors.throwIfAny()
        return Party(name: name, domain: domain, email: email, address: address)
    }

    /// The party as an organisation without membership: the one a former sanction created for the
    /// same name, or a new one.
    func partyOrganisation(_ name: String, on db: any Database) async throws -> UUID {
        let known = try await Sanction.query(on: db).filter(\.$partyName == name).filter(\.$shop.$id == nil).first()
        if let known { return known.organisationID }
        let organisation = Organisation(name: name, createdAt: desk.clock.now())
        try await organisation.create(on: db)
        return try organisation.requireID()
    }

    /// The misuse case is pursued by this sanction; its decision names the sanction's reason.
    func pursue(_ misuse: SealSighting, sanction: Sanction, by actor: Identity, on db: any Database) async throws {
        guard misuse.state == .open else { return }
        misuse.stateRaw = SealSighting.State.pursued.rawValue
        misuse.decidedBy = actor.userID
        misuse.decidedAt = desk.clock.now()
        misuse.decisionNote = sanction.reason
        try await misuse.save(on: db)
        try await Record.append(on: db, at: desk.clock.now(), actor: .init(actor), action: "misuse.pursued", subjectType: "seal_sighting",
                                subjectID: try misuse.requireID().uuidString, after: ["host": misuse.host, "sanction": try sanction.requireID().uuidString])
    }
}
