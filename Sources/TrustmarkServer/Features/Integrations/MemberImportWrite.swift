import FluentKit
import Foundation
import TrustmarkCore

extension MemberImporter {
    /// One organisation of the list with its shops, in one transaction. The membership is as the
    /// list says: approved and contracted on 'member since' (the contract was made outside
    /// Trustmark), paid through 'paid until'; its standing follows from those like any other's.
    func create(_ rows: [Row], rules: MembershipRules, actor: Record.Actor) async throws {
        guard let first = rows.first else { return }
        let now = desk.clock.now()
        let token = SecretToken.generate()
        let language = AppLocale(rawValue: first.values[.language]?.lowercased() ?? "") ?? AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback
        try await desk.storage.db.transaction { db in
            let organisation = Organisation(name: first.organisation, createdAt: now)
            try await organisation.create(on: db)
            let organisationID = try organisation.requireID()
            let registration = Registration()
            registration.$organisation.id = organisationID
            // The same fields, cleaned the same way, as an application's.
            let value = { (column: MemberList.Column) in first.values[column] ?? "" }
            applications.apply(.init(legalName: first.organisation, kvk: first.kvk, vatNumber: first.vat, street: value(.street), postcode: value(.postcode),
                                     city: value(.city), country: value(.country).nilIfEmpty ?? desk.scheme.country, phone: value(.phone),
                                     email: value(.email).nilIfEmpty ?? first.contactEmail),
                               contact: .init(name: first.contactName, email: first.contactEmail), to: registration, now: now)
            try await registration.create(on: db)
            let user = User(email: first.contactEmail, displayName: first.contactName, passwordHash: nil, role: .member, organisationID: organisationID,
                            locale: language.rawValue, createdAt: now)
            try await user.create(on: db)
            try await AccountToken(tokenDigest: SecretToken.digest(token), purpose: .invitation, userID: try user.requireID(), now: now,
                                   expiresAt: now.addingTimeInterval(SessionPolicy.invitationLifetime)).create(on: db)

            let since = rows.map(\.since).min() ?? first.since
            let application = MembershipApplication()
            application.$organisation.id = organisationID
            application.kindRaw = ApplicationKind.membership.rawValue
            application.stateRaw = ApplicationState.approved.rawValue
            application.codeVersion = desk.scheme.codeOfConduct.version
            application.round = 1
            application.submittedAt = since.midday(in: desk.timeZone)
            application.stateChangedAt = now
            application.approvedOn = since.description
            application.decisionNote = "imported"
            try await application.create(on: db)
            for row in rows {
                _ = try await applications.addShop(name: row.shop, domains: row.domains, variant: row.variant, organisation: organisationID,
                                                   application: try application.requireID(), state: .approved, approvedOn: row.since, on: db)
            }
            let membership = Membership()
            membership.$organisation.id = organisationID
            membership.$application.id = try application.requireID()
            membership.approvedOn = since.description
            membership.termStart = (rules.termStart(approvedOn: since, conditionsMetOn: since) ?? since).description
            // 'Paid until' is the last day paid for; the membership keeps the first day not paid.
            membership.paidThrough = (rows.map(\.paidUntil).max() ?? first.paidUntil).adding(days: 1).description
            membership.firstPaidOn = since.description
            membership.contractCodeVersion = desk.scheme.codeOfConduct.version
            membership.contractCompletedOn = since.description
            membership.createdAt = now
            membership.notifiedStanding = rules.standing(membership.facts, today: desk.today).code
            try await membership.create(on: db)
            try await desk.note("membership.imported", organisation: organisationID, application: application.id, actor: actor,
                                detail: ["shops": rows.map(\.shop).joined(separator: ", "), "since": since.description,
                                         "paid_until": (rows.map(\.paidUntil).max() ?? first.paidUntil).description], on: db)
            let values = ["name": first.contactName, "scheme": desk.scheme.name, "link": "\(desk.baseURL)/invitations/\(token)",
                          "shops": rows.map(\.shop).joined(separator: ", ")]
            try await desk.mail(to: first.contactEmail, language, subject: "mail_import_welcome_subject", body: "mail_import_welcome_body", values,
                                kind: "membership.imported", on: db)
        }
    }
}
