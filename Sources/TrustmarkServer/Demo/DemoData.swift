import FluentKit
import Foundation
import TrustmarkCore

/// A living scheme for a newcomer: staff logins, and about thirty plainly fictitious shops in every
/// state the features know, written through the same use cases as real work. The story is replayed
/// on a clock of its own that starts fourteen months ago and ends now, so that terms start, renewal
/// invoices go out, a renewal lapses, a contract is not returned and members come and go on the
/// days they would have. Later features add their own chapters: complaints (DemoComplaints.swift),
/// reviews (DemoReviews.swift), then sanctions.
struct DemoData {
    let app: TrustmarkApp
    /// One bcrypt hash of the demo password for every demo member (hashing is slow on purpose).
    let hash: Task<String, any Error>

    init(app: TrustmarkApp) {
        self.app = app
        let accounts = app.accounts
        self.hash = Task { try await accounts.hashPassword(Self.password) }
    }

    static let password = "trustmark-demo"

    struct Login: Sendable {
        let role: String
        let email: String
    }

    /// The story's cast: a shop name, a town and what becomes of it.
    enum Fate: CaseIterable {
        case activeRenewed, lapsed, active, terminated, bankrupt, cancelled, rejected
        case awaitingContract, audited, changesRequested, inAudit, submitted
    }

    static let cast: [(name: String, city: String, fate: Fate)] = [
        ("Fietsenhuis De Ketting", "Utrecht", .activeRenewed), ("Theehandel Het Blad", "Leiden", .activeRenewed),
        ("Kinderboeken Uil", "Zwolle", .activeRenewed), ("Lampenloods Licht", "Breda", .lapsed),
        ("Tuinwinkel De Hark", "Arnhem", .active), ("Kaasmakerij Gouwe", "Gouda", .active), ("Zeepziederij Schuim", "Haarlem", .active),
        ("Bureaustoelen Recht", "Eindhoven", .active), ("Koffiebranderij Boon", "Tilburg", .active), ("Sokkenfabriek Teen", "Enschede", .active),
        ("Puzzelparadijs Stukje", "Groningen", .terminated), ("Elektro Vonk", "Almere", .bankrupt),
        ("Gratis Check Winkel", "Lelystad", .cancelled), ("Namaak Horloges", "Venlo", .rejected),
        ("Wolwinkel Bol", "Deventer", .awaitingContract), ("Vishandel Schub", "Den Helder", .awaitingContract), ("Bakkerij Korst", "Delft", .awaitingContract),
        ("Skateshop Plank", "Nijmegen", .audited), ("Parfumerie Geur", "Maastricht", .audited),
        ("Meubelmakerij Nerf", "Apeldoorn", .changesRequested), ("Drogisterij Pil", "Amersfoort", .changesRequested), ("Speelgoed Tol", "Hoorn", .changesRequested),
        ("Brillenhuis Glas", "Alkmaar", .inAudit), ("Hondenvoer Brok", "Assen", .inAudit), ("Wijnkelder Kurk", "Middelburg", .inAudit),
        ("Zadenwinkel Kiem", "Emmen", .submitted), ("Naaimachines Steek", "Roermond", .submitted), ("Kaarsenmakerij Lont", "Sneek", .submitted),
        ("Fotolab Flits", "Dordrecht", .submitted),
    ]

    /// Fills an empty database and returns the logins to print. Demo mail is not sent: the
    /// addresses are fictitious, so the messages are kept in the outbox as delivered.
    func fill() async throws -> [Login] {
        let real = app.clock.now()
        let clock = SettableClock(real.addingTimeInterval(-420 * 86400))
        let base = app.memberships.desk
        let desk = MembershipDesk(storage: base.storage, clock: clock, active: base.active, outbox: base.outbox, localizer: base.localizer,
                                  baseURL: base.baseURL, calendar: base.calendar, writer: base.writer, logger: base.logger)
        let memberships = MembershipsService(desk: desk)
        let applications = ApplicationsService(desk: desk, memberships: memberships, invoices: memberships.invoices)
        let db = app.storage.db

        var logins: [Login] = []
        for role in [Role.admin, .inspector, .mediator, .finance] {
            let email = "\(role.rawValue)@demo.trustmark.example"
            _ = try await app.createUser(email: email, name: "Demo \(role.rawValue)", role: role, organisation: nil, password: Self.password)
            logins.append(.init(role: role.rawValue, email: email))
        }
        let admin = try await identity("admin@demo.trustmark.example")
        let inspector = try await identity("inspector@demo.trustmark.example")
        let finance = try await identity("finance@demo.trustmark.example")
        let scheme = app.scheme.scheme
        let variants = scheme.seal.variants.map(\.id)
        let criteria = scheme.codeOfConduct.criteria
        let decider = scheme.membership?.inspectedBy == .independentBody ? inspector : admin

        func advance(days: Double) async throws {
            _ = try clock.set(clock.now().addingTimeInterval(days * 86400))
            try await memberships.sweep()
        }

        var memberLogin: String?
        for (index, person) in Self.cast.enumerated() {
            // Long-standing members first, recent applicants last, so the clock only moves forward.
            let startDay: Double = switch person.fate {
            case .activeRenewed, .lapsed: 0
            case .active, .terminated, .bankrupt: 90
            case .cancelled, .rejected: 300
            case .awaitingContract: 410
            case .submitted: 412
            default: 405
            }
            let target = real.addingTimeInterval(-420 * 86400 + (startDay + Double(index) * 0.25) * 86400)
            if target > clock.now() { _ = try clock.set(target); try await memberships.sweep() }
            // Recent applicants' steps take hours, not days, so the story ends before today.
            let pace: Double = startDay >= 400 ? 0.05 : 1
            let slug = person.name.lowercased().folding(options: .diacriticInsensitive, locale: nil).filter { $0.isLetter || $0 == " " }
                .split(separator: " ").joined(separator: "-")
            let domain = "\(slug).example"
            let email = "contact@\(slug).example"
            let request = ApplicationRequest(
                organisation: .init(legalName: "\(person.name) B.V.", kvk: String(format: "9%07d", index * 7919 % 10_000_000), vatNumber: "NL123456782B01",
                                    street: "Demostraat \(index + 1)", postcode: "\(1000 + index * 37) AB", city: person.city, country: scheme.country,
                                    phone: "+31 20 555 \(String(format: "%04d", index))", email: "info@\(domain)"),
                contact: .init(name: "Demo contact \(index + 1)", email: email),
                shops: [.init(name: person.name, domains: [domain], variant: variants[index % max(1, variants.count)])],
                codeOfConductVersion: scheme.codeOfConduct.version, acceptCodeOfConduct: true, language: scheme.defaultLanguage)
            let submitted = try await applications.apply(request, locale: AppLocale(rawValue: scheme.defaultLanguage) ?? .fallback)
            let id = try submitted.application.requireID()
            let member = try await activate(email)
            if person.fate == .submitted { continue }

            try await advance(days: pace)
            try await applications.assign(id, inspector: inspector.userID, by: admin)
            try await applications.declare(id, conflict: false, note: "", by: inspector)
            let shops = try await applications.shops(of: submitted.application, on: db)
            func findings(failing: Int?, upTo limit: Int = criteria.count) -> [ApplicationsService.FindingInput] {
                shops.flatMap { shop in
                    criteria.prefix(limit).enumerated().map { number, criterion in
                        let fail = number == failing
                        return ApplicationsService.FindingInput(
                            shopId: shop.id ?? UUID(), criterion: criterion.id, result: fail ? "fail" : "pass",
                            note: fail ? "Het adres ontbreekt op de contactpagina." : nil,
                            evidenceUrl: criterion.kind == .evidenceURL ? "https://\(domain)/voorwaarden" : nil)
                    }
                }
            }
            if person.fate == .inAudit {
                try await applications.record(id, findings: findings(failing: nil, upTo: criteria.count / 2), by: inspector)
                continue
            }
            let failing: Int? = person.fate == .changesRequested || ([.lapsed, .active].contains(person.fate) && index % 2 == 0) ? 0 : nil
            try await applications.record(id, findings: findings(failing: failing), by: inspector)
            _ = try await applications.completeReport(id, summary: "Gecontroleerd op de website.", by: inspector)
            if person.fate == .changesRequested { continue }
            if failing != nil {
                try await advance(days: 3 * pace)
                try await applications.requestRecheck(id, by: member)
                try await applications.record(id, findings: findings(failing: nil), by: inspector)
                _ = try await applications.completeReport(id, summary: "Hersteld.", by: inspector)
            }
            if person.fate == .audited { continue }
            try await advance(days: pace)
            if person.fate == .rejected {
                _ = try await applications.decide(id, .reject, note: "De webshop verkoopt namaak.", by: decider)
                continue
            }
            _ = try await applications.decide(id, .approve, note: "", by: decider)
            guard let membership = try await memberships.membership(of: submitted.organisation.requireID(), on: db) else { continue }
            if person.fate == .awaitingContract { continue }
            if person.fate == .cancelled {
                // The applicant backs out after approval (KeurOnline article 16a): listed, with the fee.
                try await advance(days: 5)
                try await db.transaction { db in
                    try await memberships.cancel(try await applications.find(id, on: db), event: .applicationCancelled, by: .init(member), on: db)
                }
                continue
            }
            try await advance(days: 2 * pace)
            if membership.contractPDF != nil {
                _ = try await memberships.sign(try membership.requireID(), name: "Demo contact \(index + 1)", address: "192.0.2.\(index + 1)", by: member)
                _ = try await memberships.countersign(try membership.requireID(), by: admin)
            }
            try await payOpenInvoices(of: submitted.organisation.requireID(), memberships: memberships, finance: finance)
            if memberLogin == nil, person.fate == .activeRenewed { memberLogin = email }
        }

        // Now: renewals go out; the long-standing members pay theirs, one does not.
        _ = try clock.set(real)
        try await memberships.sweep()
        for person in Self.cast where person.fate == .activeRenewed {
            let organisation = try await organisationID("\(person.name) B.V.")
            try await payOpenInvoices(of: organisation, memberships: memberships, finance: finance)
        }
        for person in Self.cast where person.fate == .terminated {
            _ = try await memberships.terminate(organisation: try await organisationID("\(person.name) B.V."),
                                                by: try await identity(try await contactEmail(of: "\(person.name) B.V.")))
        }
        for person in Self.cast where person.fate == .bankrupt {
            try await memberships.bankruptcy(organisation: try await organisationID("\(person.name) B.V."), by: admin)
        }
        if let memberLogin {
            try await setPassword(memberLogin)
            logins.append(.init(role: "member", email: memberLogin))
        }
        try await complaintsChapter(now: real, base: base, admin: admin)
        try await reviewsChapter(now: real, base: base)
        try await seenOnTheWeb()
        // Fictitious addresses: keep the messages, send nothing.
        try await OutboxMessage.query(on: db).filter(\.$deliveredAt == nil).set(\.$deliveredAt, to: real).update()
        try await Job.query(on: db).filter(\.$kind == MailOutbox.deliverJob).filter(\.$statusRaw == Job.Status.queued.rawValue)
            .set(\.$statusRaw, to: Job.Status.done.rawValue).update()
        return logins
    }

    /// The member's seal seen on its own site, and copied to a look-alike site: one open misuse case.
    private func seenOnTheWeb() async throws {
        let shops = try await Shop.query(on: app.storage.db).filter(\.$stateRaw == Shop.State.approved.rawValue).with(\.$domains).sort(\.$name).all()
        guard let shop = shops.first(where: { $0.name.hasPrefix("Fietsenhuis") }) ?? shops.first, let id = shop.id,
              let domain = shop.domains.first?.domain else { return }
        let now = app.clock.now()
        app.seals.sightings.saw(shop: id, host: domain, page: "https://\(domain)/", own: true, at: now.addingTimeInterval(-3600))
        for (minutes, page) in [(2880, "/"), (1440, "/fietsen/aanbieding"), (60, "/kassa")] {
            app.seals.sightings.saw(shop: id, host: "goedkope-fietsen-outlet.example", page: "https://goedkope-fietsen-outlet.example" + page,
                                    own: false, at: now.addingTimeInterval(-Double(minutes) * 60))
        }
        try await app.seals.sightings.flush()
    }

    private func payOpenInvoices(of organisation: UUID, memberships: MembershipsService, finance: Identity) async throws {
        let open = try await Invoice.query(on: app.storage.db).filter(\.$organisation.$id == organisation)
            .filter(\.$statusRaw == Invoice.Status.open.rawValue).all()
        for invoice in open {
            let cents = invoice.grossCents
            _ = try await memberships.invoices.recordPayment(
                try invoice.requireID(), .init(amount: String(format: "%d.%02d", cents / 100, cents % 100), paidOn: memberships.desk.today.description,
                                               reference: "DEMO-\(invoice.number)"), source: "manual", by: .init(finance))
        }
    }

    func identity(_ email: String) async throws -> Identity {
        guard let user = try await User.query(on: app.storage.db).filter(\.$email == email).first() else { throw AppError.notFound }
        return Identity(userID: try user.requireID(), email: user.email, displayName: user.displayName, role: user.role,
                        organisationID: user.$organisation.id, proof: .session, credentialDigest: "")
    }

    /// The applicant's account as if the confirmation link had been used.
    private func activate(_ email: String) async throws -> Identity {
        try await setPassword(email)
        return try await identity(email)
    }

    private func setPassword(_ email: String) async throws {
        guard let user = try await User.query(on: app.storage.db).filter(\.$email == email).first() else { return }
        user.passwordHash = try await hash.value
        try await user.save(on: app.storage.db)
        try await AccountToken.query(on: app.storage.db).filter(\.$user.$id == user.id).set(\.$usedAt, to: app.clock.now()).update()
    }

    private func organisationID(_ name: String) async throws -> UUID {
        guard let organisation = try await Organisation.query(on: app.storage.db).filter(\.$name == name).first() else { throw AppError.notFound }
        return try organisation.requireID()
    }

    func contactEmail(of name: String) async throws -> String {
        let id = try await organisationID(name)
        guard let registration = try await Registration.query(on: app.storage.db).filter(\.$organisation.$id == id).first() else { throw AppError.notFound }
        return registration.contactEmail
    }
}

extension TrustmarkApp {
    /// Fills an empty database with the demo story; on a database that already has users it does
    /// nothing and returns nil.
    public func fillDemo() async throws -> [(role: String, email: String, password: String)]? {
        guard try await User.query(on: storage.db).count() == 0 else { return nil }
        return try await DemoData(app: self).fill().map { ($0.role, $0.email, DemoData.password) }
    }
}
