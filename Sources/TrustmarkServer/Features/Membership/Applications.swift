import FluentKit
import Foundation
import TrustmarkCore

/// What an applicant sends: the organisation, a contact person, the shops, and the acceptance of
/// the code of conduct in the version they were shown. The API takes it as JSON; the form is
/// turned into the same shape.
struct ApplicationRequest: Codable, Sendable {
    struct OrganisationPart: Codable, Sendable {
        var legalName: String
        var kvk: String
        var vatNumber: String
        var street: String
        var postcode: String
        var city: String
        var country: String
        var phone: String
        var email: String
    }

    struct Contact: Codable, Sendable {
        var name: String
        var email: String
    }

    struct ShopPart: Codable, Sendable {
        var name: String
        var domains: [String]
        var variant: String?
    }

    var organisation: OrganisationPart
    var contact: Contact
    var shops: [ShopPart]
    var codeOfConductVersion: String
    var acceptCodeOfConduct: Bool
    var language: String?
}

/// Applying, the audit and the decision.
struct ApplicationsService: Sendable {
    let desk: MembershipDesk
    let memberships: MembershipsService
    let invoices: InvoicesService

    static let maxShops = 20
    static let maxDomains = 10
    static let maxText = 200

    // MARK: applying

    /// Checks everything at once, so a form can show every problem beside its field.
    func validate(_ request: ApplicationRequest, requireContact: Bool = true) -> (FormErrors, [(String, [String], String)]) {
        var errors = FormErrors()
        let o = request.organisation
        func required(_ value: String, _ field: String, max: Int = Self.maxText) {
            let value = value.trimmingWhitespace()
            if value.isEmpty { errors.add(.invalid(field, "validation_required")) } else if value.count > max { errors.add(.invalid(field, "validation_too_long", ["max": "\(max)"])) }
        }
        required(o.legalName, "organisation.legalName")
        required(o.street, "organisation.street")
        required(o.postcode, "organisation.postcode", max: 20)
        required(o.city, "organisation.city", max: 100)
        required(o.phone, "organisation.phone", max: 40)
        let country = o.country.trimmingWhitespace().uppercased()
        if country.count != 2 || !country.allSatisfy(\.isLetter) { errors.add(.invalid("organisation.country", "validation_country")) }
        if country == "NL" {
            if RegistrationNumbers.checkKvK(o.kvk) != nil { errors.add(.invalid("organisation.kvk", "validation_kvk")) }
        } else {
            required(o.kvk, "organisation.kvk", max: 40)
        }
        switch RegistrationNumbers.checkVAT(o.vatNumber) {
        case nil: break
        case .vatUnknownCountry(let code): errors.add(.invalid("organisation.vatNumber", "validation_vat_country", ["country": code]))
        case .vatFormat(let code, let example): errors.add(.invalid("organisation.vatNumber", "validation_vat_format", ["country": code, "example": example]))
        case .vatCheckDigits: errors.add(.invalid("organisation.vatNumber", "validation_vat_check"))
        case .kvkFormat: errors.add(.invalid("organisation.vatNumber", "validation_vat_check"))
        }
        if !EmailAddress.isValid(EmailAddress.normalise(o.email)) { errors.add(.invalid("organisation.email", "validation_email")) }
        if requireContact {
            required(request.contact.name, "contact.name", max: 120)
            if !EmailAddress.isValid(EmailAddress.normalise(request.contact.email)) { errors.add(.invalid("contact.email", "validation_email")) }
        }
        let shops = checkShops(request.shops, errors: &errors)
        if request.codeOfConductVersion != desk.scheme.codeOfConduct.version {
            errors.add(AppError(.conflict, code: "code_version_changed", messageKey: "application_code_changed",
                                arguments: ["version": desk.scheme.codeOfConduct.version], field: "codeOfConductVersion"))
        } else if !request.acceptCodeOfConduct {
            errors.add(.invalid("acceptCodeOfConduct", "application_accept_required"))
        }
        return (errors, shops)
    }

    /// The shops with normalised domains and the variant checked against the scheme's seal variants.
    func checkShops(_ shops: [ApplicationRequest.ShopPart], errors: inout FormErrors) -> [(String, [String], String)] {
        if shops.isEmpty { errors.add(.invalid("shops", "application_no_shop")) }
        if shops.count > Self.maxShops { errors.add(.invalid("shops", "validation_too_many", ["max": "\(Self.maxShops)"])) }
        var seen = Set<String>()
        var result: [(String, [String], String)] = []
        let variants = desk.scheme.seal.variants
        for (index, shop) in shops.prefix(Self.maxShops).enumerated() {
            let name = shop.name.trimmingWhitespace()
            if name.isEmpty { errors.add(.invalid("shops.\(index).name", "validation_required")) }
            if name.count > 120 { errors.add(.invalid("shops.\(index).name", "validation_too_long", ["max": "120"])) }
            let domains = shop.domains.map(DomainName.normalise).filter { !$0.isEmpty }
            if domains.isEmpty { errors.add(.invalid("shops.\(index).domains", "validation_required")) }
            if domains.count > Self.maxDomains { errors.add(.invalid("shops.\(index).domains", "validation_too_many", ["max": "\(Self.maxDomains)"])) }
            for domain in domains {
                if !DomainName.isValid(domain) {
                    errors.add(.invalid("shops.\(index).domains", "validation_domain", ["domain": domain]))
                } else if !seen.insert(domain).inserted {
                    errors.add(.invalid("shops.\(index).domains", "validation_domain_twice", ["domain": domain]))
                }
            }
            let variant = shop.variant?.trimmingWhitespace().nilIfEmpty ?? desk.scheme.seal.defaultVariant?.id ?? variants.first?.id ?? ""
            if !variants.contains(where: { $0.id == variant }) {
                errors.add(.invalid("shops.\(index).variant", "validation_choice"))
            }
            result.append((name, domains, variant))
        }
        return result
    }

    /// Any of these domains already held by another member's shop: 409 naming it.
    func checkDomainsFree(_ shops: [(String, [String], String)], on db: any Database) async throws {
        for (index, shop) in shops.enumerated() {
            for domain in shop.1 where try await ShopDomain.query(on: db).filter(\.$domain == domain).filter(\.$releasedAt == nil).first() != nil {
                throw AppError.conflict("domain_taken", "application_domain_taken", field: "shops.\(index).domains", ["domain": domain])
            }
        }
    }

    struct Submitted: Sendable {
        let application: MembershipApplication
        let organisation: Organisation
        /// Where the applicant confirms the e-mail address and chooses a password.
        let link: String
    }

    /// A new applicant: organisation, registration, member account (unconfirmed until the link is
    /// used), application and shops, in one transaction.
    func apply(_ request: ApplicationRequest, locale: AppLocale) async throws -> Submitted {
        _ = try desk.rules()
        let (errors, shops) = validate(request)
        try errors.throwIfAny()
        let contactEmail = EmailAddress.normalise(request.contact.email)
        let now = desk.clock.now()
        let token = SecretToken.generate()
        let link = "\(desk.baseURL)/invitations/\(token)"
        let language = request.language.flatMap(AppLocale.init(rawValue:)) ?? locale
        return try await desk.storage.db.transaction { db in
            try await checkDomainsFree(shops, on: db)
            if try await User.query(on: db).filter(\.$email == contactEmail).first() != nil {
                throw AppError.conflict("email_taken", "application_email_taken", field: "contact.email")
            }
            let o = request.organisation
            let organisation = Organisation(name: o.legalName.trimmingWhitespace(), createdAt: now)
            try await organisation.create(on: db)
            let organisationID = try organisation.requireID()
            let registration = Registration()
            registration.$organisation.id = organisationID
            apply(o, contact: request.contact, to: registration, now: now)
            try await registration.create(on: db)
            let user = User(email: contactEmail, displayName: request.contact.name.trimmingWhitespace(), passwordHash: nil, role: .member,
                            organisationID: organisationID, locale: language.rawValue, createdAt: now)
            try await user.create(on: db)
            try await AccountToken(tokenDigest: SecretToken.digest(token), purpose: .invitation, userID: try user.requireID(), now: now,
                                   expiresAt: now.addingTimeInterval(SessionPolicy.invitationLifetime)).create(on: db)
            let application = try await create(kind: .membership, organisation: organisationID, shops: shops, on: db)
            try await desk.note("application.submitted", organisation: organisationID, application: application.id, actor: .init(userID: user.id, role: "applicant"),
                                detail: ["shops": shops.map(\.0).joined(separator: ", "), "code_version": request.codeOfConductVersion], on: db)
            try await desk.outbox.add(on: db, at: now, to: contactEmail, subject: desk.localizer.text("mail_application_subject", language, ["scheme": desk.scheme.name]),
                                      body: desk.localizer.text("mail_application_body", language, ["name": user.displayName, "scheme": desk.scheme.name, "link": link]),
                                      locale: language.rawValue, kind: "application")
            return Submitted(application: application, organisation: organisation, link: link)
        }
    }

    func apply(_ o: ApplicationRequest.OrganisationPart, contact: ApplicationRequest.Contact, to registration: Registration, now: Date) {
        registration.legalName = o.legalName.trimmingWhitespace()
        registration.kvk = RegistrationNumbers.normalise(o.kvk)
        registration.vatNumber = RegistrationNumbers.normalise(o.vatNumber)
        registration.street = o.street.trimmingWhitespace()
        registration.postcode = o.postcode.trimmingWhitespace().uppercased()
        registration.city = o.city.trimmingWhitespace()
        registration.country = o.country.trimmingWhitespace().uppercased()
        registration.phone = o.phone.trimmingWhitespace()
        registration.email = EmailAddress.normalise(o.email)
        registration.contactName = contact.name.trimmingWhitespace()
        registration.contactEmail = EmailAddress.normalise(contact.email)
        registration.updatedAt = now
    }

    func create(kind: ApplicationKind, organisation: UUID, shops: [(String, [String], String)], on db: any Database) async throws -> MembershipApplication {
        let now = desk.clock.now()
        let application = MembershipApplication()
        application.$organisation.id = organisation
        application.kindRaw = kind.rawValue
        application.stateRaw = ApplicationState.submitted.rawValue
        application.codeVersion = desk.scheme.codeOfConduct.version
        application.round = 1
        application.submittedAt = now
        application.stateChangedAt = now
        try await application.create(on: db)
        for shop in shops {
            let row = Shop()
            row.$organisation.id = organisation
            row.$application.id = try application.requireID()
            row.name = shop.0
            row.variant = shop.2
            row.stateRaw = Shop.State.applying.rawValue
            row.createdAt = now
            try await row.create(on: db)
            for domain in shop.1 { try await ShopDomain(shopID: try row.requireID(), domain: domain).create(on: db) }
        }
        return application
    }

    // MARK: reading

    func find(_ id: UUID, on db: any Database) async throws -> MembershipApplication {
        guard let application = try await MembershipApplication.find(id, on: db) else { throw AppError.notFound }
        return application
    }

    /// The shops an application audits: its own, or for a re-check every approved shop.
    func shops(of application: MembershipApplication, on db: any Database) async throws -> [Shop] {
        if application.kind == .recheck {
            return try await Shop.query(on: db).filter(\.$organisation.$id == application.$organisation.id)
                .filter(\.$stateRaw == Shop.State.approved.rawValue).with(\.$domains).sort(\.$createdAt).all()
        }
        return try await Shop.query(on: db).filter(\.$application.$id == application.requireID()).with(\.$domains).sort(\.$createdAt).all()
    }

    private func move(_ application: MembershipApplication, to state: ApplicationState) throws {
        guard application.state.allows(state) else {
            throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw])
        }
        application.stateRaw = state.rawValue
        application.stateChangedAt = desk.clock.now()
    }

    // MARK: the audit

    /// Inspectors who declared a tie with an organisation are never assigned to it again.
    func isTied(_ inspector: UUID, to organisation: UUID, on db: any Database) async throws -> Bool {
        try await InspectorDeclaration.query(on: db).filter(\.$inspector.$id == inspector).filter(\.$organisation.$id == organisation)
            .filter(\.$conflict == true).first() != nil
    }

    func assign(_ id: UUID, inspector inspectorID: UUID, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            guard application.state == .submitted || application.state == .inAudit || application.state == .changesRequested else {
                throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw])
            }
            guard let inspector = try await User.find(inspectorID, on: db), inspector.role == .inspector, inspector.disabledAt == nil else {
                throw AppError.invalid("inspectorId", "application_not_an_inspector")
            }
            if try await isTied(inspectorID, to: application.$organisation.id, on: db) {
                throw AppError.conflict("inspector_tied", "application_inspector_tied", field: "inspectorId", ["inspector": inspector.displayName])
            }
            application.$inspector.id = inspectorID
            if application.state == .inAudit { application.stateRaw = ApplicationState.submitted.rawValue }
            try await application.save(on: db)
            try await desk.note("application.assigned", organisation: application.$organisation.id, application: id, actor: .init(actor),
                                detail: ["inspector": inspector.displayName], on: db)
        }
    }

    func requireInspector(_ application: MembershipApplication, _ actor: Identity) throws {
        guard actor.role == .inspector, application.$inspector.id == actor.userID else {
            throw AppError(.forbidden, code: "not_assigned", messageKey: "application_not_assigned")
        }
    }

    /// The assigned inspector states, before seeing anything else of the applicant, whether they
    /// have a tie with it. A tie takes them off the application for good.
    func declare(_ id: UUID, conflict: Bool, note: String, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try requireInspector(application, actor)
            let declaration = InspectorDeclaration()
            declaration.$application.id = id
            declaration.$organisation.id = application.$organisation.id
            declaration.$inspector.id = actor.userID
            declaration.conflict = conflict
            declaration.note = String(note.trimmingWhitespace().prefix(500))
            declaration.declaredAt = desk.clock.now()
            try await declaration.create(on: db)
            if conflict {
                application.$inspector.id = nil
                if application.state == .inAudit { application.stateRaw = ApplicationState.submitted.rawValue }
            } else if application.state == .submitted {
                try move(application, to: .inAudit)
            }
            try await application.save(on: db)
            try await desk.note(conflict ? "application.inspector_tied" : "application.no_conflict_declared", organisation: application.$organisation.id,
                                application: id, actor: .init(actor), on: db)
        }
    }

    func hasDeclared(_ application: MembershipApplication, inspector: UUID, on db: any Database) async throws -> Bool {
        try await InspectorDeclaration.query(on: db).filter(\.$application.$id == application.requireID()).filter(\.$inspector.$id == inspector)
            .filter(\.$conflict == false).first() != nil
    }

    struct FindingInput: Codable, Sendable {
        var shopId: UUID
        var criterion: String
        var result: String
        var note: String?
        var evidenceUrl: String?
    }

    func record(_ id: UUID, findings: [FindingInput], by actor: Identity) async throws {
        let criteria = Dictionary(uniqueKeysWithValues: desk.scheme.codeOfConduct.criteria.map { ($0.id, $0) })
        var errors = FormErrors()
        for (index, finding) in findings.enumerated() {
            guard let criterion = criteria[finding.criterion] else { errors.add(.invalid("findings.\(index).criterion", "validation_choice")); continue }
            guard let result = FindingResult(rawValue: finding.result) else { errors.add(.invalid("findings.\(index).result", "validation_choice")); continue }
            let note = finding.note?.trimmingWhitespace() ?? ""
            let evidence = finding.evidenceUrl?.trimmingWhitespace() ?? ""
            if result == .fail, note.isEmpty { errors.add(.invalid("findings.\(index).note", "audit_note_required")) }
            if note.count > 2000 { errors.add(.invalid("findings.\(index).note", "validation_too_long", ["max": "2000"])) }
            if !evidence.isEmpty, !(evidence.hasPrefix("https://") || evidence.hasPrefix("http://")) || evidence.count > 500 {
                errors.add(.invalid("findings.\(index).evidenceUrl", "validation_url"))
            }
            if criterion.kind == .evidenceURL, result == .pass, evidence.isEmpty { errors.add(.invalid("findings.\(index).evidenceUrl", "audit_evidence_required")) }
        }
        try errors.throwIfAny()
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try requireInspector(application, actor)
            guard application.state == .inAudit else { throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw]) }
            guard try await hasDeclared(application, inspector: actor.userID, on: db) else {
                throw AppError.conflict("declaration_missing", "audit_declare_first")
            }
            let shopIDs = Set(try await shops(of: application, on: db).compactMap(\.id))
            for finding in findings {
                guard shopIDs.contains(finding.shopId) else { throw AppError.invalid("shopId", "validation_choice") }
                let existing = try await AuditFinding.query(on: db).filter(\.$shop.$id == finding.shopId).filter(\.$round == application.round)
                    .filter(\.$criterionID == finding.criterion).first()
                let row = existing ?? AuditFinding()
                row.$application.id = id
                row.$shop.id = finding.shopId
                row.round = application.round
                row.criterionID = finding.criterion
                row.resultRaw = finding.result
                row.note = finding.note?.trimmingWhitespace() ?? ""
                row.evidenceURL = finding.evidenceUrl?.trimmingWhitespace() ?? ""
                row.inspectorID = actor.userID
                row.recordedAt = desk.clock.now()
                try await row.save(on: db)
            }
        }
    }

    /// The findings of the application's current round.
    func findings(of application: MembershipApplication, round: Int? = nil, on db: any Database) async throws -> [AuditFinding] {
        try await AuditFinding.query(on: db).filter(\.$application.$id == application.requireID()).filter(\.$round == (round ?? application.round)).all()
    }

    /// Ends the round with a report. Every criterion must be assessed for every shop; failed ones
    /// become the fix list the applicant receives.
    func completeReport(_ id: UUID, summary: String, by actor: Identity) async throws -> AuditReport {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try requireInspector(application, actor)
            guard application.state == .inAudit else { throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw]) }
            let shops = try await shops(of: application, on: db)
            let findings = try await findings(of: application, on: db)
            let expected = shops.count * desk.scheme.codeOfConduct.criteria.count
            let assessed = Set(findings.map { "\($0.$shop.id)/\($0.criterionID)" }).count
            if assessed < expected {
                throw AppError.invalid("findings", "audit_incomplete", ["missing": "\(expected - assessed)"])
            }
            let failed = findings.filter { $0.result == .fail }
            let report = AuditReport()
            report.$application.id = id
            report.round = application.round
            report.inspectorID = actor.userID
            report.summary = String(summary.trimmingWhitespace().prefix(4000))
            report.failed = failed.count
            report.completedAt = desk.clock.now()
            try await report.create(on: db)
            try move(application, to: failed.isEmpty ? .audited : .changesRequested)
            application.fixRemindedAt = nil
            try await application.save(on: db)
            try await desk.note("audit.reported", organisation: application.$organisation.id, application: id, actor: .init(actor),
                                detail: ["round": "\(application.round)", "failed": "\(failed.count)"], on: db)
            if !failed.isEmpty {
                let list = fixList(failed, shops: shops)
                try await desk.mail(application.$organisation.id, subject: "mail_fixlist_subject", body: "mail_fixlist_body", { locale in
                    ["list": list(locale)]
                }, kind: "fix_list", on: db)
            }
            return report
        }
    }

    /// The failed criteria, per shop, as the applicant reads them.
    func fixList(_ failed: [AuditFinding], shops: [Shop]) -> @Sendable (AppLocale) -> String {
        let criteria = desk.scheme.codeOfConduct.criteria
        let names = Dictionary(uniqueKeysWithValues: shops.compactMap { shop in shop.id.map { ($0, shop.name) } })
        let items = failed.map { (shop: names[$0.$shop.id] ?? "", criterion: $0.criterionID, note: $0.note) }
        let active = desk.active
        return { locale in
            items.map { item in
                let question = criteria.first { $0.id == item.criterion }.map { active.text($0.question, locale) } ?? item.criterion
                return "- \(item.shop): \(question)\n  \(item.note)"
            }.joined(separator: "\n")
        }
    }

    /// The applicant has fixed the findings and asks for the free re-check: a new round with the
    /// same inspector, starting from the previous round's passes.
    func requestRecheck(_ id: UUID, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try desk.checkOwn(application.$organisation.id, actor)
            try move(application, to: .inAudit)
            let previous = try await findings(of: application, on: db)
            application.round += 1
            try await application.save(on: db)
            for finding in previous where finding.result != .fail {
                let copy = AuditFinding()
                copy.$application.id = id
                copy.$shop.id = finding.$shop.id
                copy.round = application.round
                copy.criterionID = finding.criterionID
                copy.resultRaw = finding.resultRaw
                copy.note = finding.note
                copy.evidenceURL = finding.evidenceURL
                copy.inspectorID = finding.inspectorID
                copy.recordedAt = finding.recordedAt
                try await copy.create(on: db)
            }
            try await desk.note("application.recheck_requested", organisation: application.$organisation.id, application: id, actor: .init(actor),
                                detail: ["round": "\(application.round)"], on: db)
        }
    }

    // MARK: the decision

    enum Decision: String, Sendable, CaseIterable {
        case approve
        case requestChanges = "request_changes"
        case reject
    }

    /// Who may decide: with an independent inspection body (mkbOK's CGD) the assigned inspector
    /// gives the permission; with the scheme's own staff an administrator decides.
    func decide(_ id: UUID, _ decision: Decision, note: String, by actor: Identity) async throws -> MembershipApplication {
        let rules = try desk.rules()
        let note = note.trimmingWhitespace()
        if note.count > 2000 { throw AppError.invalid("note", "validation_too_long", ["max": "2000"]) }
        if decision != .approve, note.isEmpty { throw AppError.invalid("note", "decision_note_required") }
        return try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            switch rules.inspectedBy {
            case .independentBody: try requireInspector(application, actor)
            case .ownStaff: guard actor.role == .admin else { throw AppError.forbidden }
            }
            let shops = try await shops(of: application, on: db)
            let organisation = application.$organisation.id
            switch decision {
            case .approve:
                try move(application, to: .approved)
                application.approvedOn = desk.today.description
                application.decisionNote = note
                try await application.save(on: db)
                for shop in shops where shop.state == .applying {
                    shop.stateRaw = Shop.State.approved.rawValue
                    shop.approvedOn = desk.today.description
                    try await shop.save(on: db)
                }
                try await desk.note("application.approved", organisation: organisation, application: id, actor: .init(actor), on: db)
                try await memberships.approved(application, shops: shops, on: db)
            case .requestChanges:
                try move(application, to: .changesRequested)
                application.decisionNote = note
                application.fixRemindedAt = nil
                try await application.save(on: db)
                try await desk.note("application.changes_requested", organisation: organisation, application: id, actor: .init(actor), detail: ["note": note], on: db)
                let failed = try await findings(of: application, on: db).filter { $0.result == .fail }
                let list = fixList(failed, shops: shops)
                try await desk.mail(organisation, subject: "mail_fixlist_subject", body: "mail_fixlist_body", { locale in
                    ["list": ([note] + [list(locale)]).filter { !$0.isEmpty }.joined(separator: "\n")]
                }, kind: "fix_list", on: db)
            case .reject:
                try move(application, to: .rejected)
                application.decisionNote = note
                try await application.save(on: db)
                if application.kind != .recheck {
                    for shop in shops {
                        shop.stateRaw = Shop.State.rejected.rawValue
                        try await shop.save(on: db)
                        try await memberships.releaseDomains(of: shop, on: db)
                    }
                }
                // Never listed publicly (KeurOnline article 20: "Hiervan komt geen melding op de site").
                try await desk.note("application.rejected", organisation: organisation, application: id, actor: .init(actor), detail: ["note": note], on: db)
                try await desk.mail(organisation, subject: "mail_rejected_subject", body: "mail_rejected_body", { _ in ["note": note] }, kind: "decision", on: db)
            }
            return application
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
