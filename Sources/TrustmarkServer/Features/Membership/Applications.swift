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
        var created: [UUID] = []
        for shop in shops {
            created.append(try await addShop(name: shop.0, domains: shop.1, variant: shop.2, organisation: organisation, application: try application.requireID(),
                                              state: .applying, approvedOn: nil, on: db))
        }
        // The website checker's pre-check of each new shop, for the audit screen.
        try await SiteCheckService.queuePreCheck(shops: created, application: try application.requireID(), now: now, on: db)
        return application
    }

    /// A shop with its slug and domains, under an application.
    func addShop(name: String, domains: [String], variant: String, organisation: UUID, application: UUID, state: Shop.State, approvedOn: Day?,
                 on db: any Database) async throws -> UUID {
        let row = Shop()
        let id = UUID()
        row.id = id
        row.slug = ShopSlug.make(name: name, id: id)
        row.$organisation.id = organisation
        row.$application.id = application
        row.name = name
        row.variant = variant
        row.stateRaw = state.rawValue
        row.approvedOn = approvedOn?.description
        row.createdAt = desk.clock.now()
        try await row.create(on: db)
        for domain in domains { try await ShopDomain(shopID: id, domain: domain).create(on: db) }
        return id
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

    func move(_ application: MembershipApplication, to state: ApplicationState) throws {
        guard application.state.allows(state) else {
            throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw])
        }
        application.stateRaw = state.rawValue
        application.stateChangedAt = desk.clock.now()
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
