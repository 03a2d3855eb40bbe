import FluentKit
import Foundation
import TrustmarkCore

/// Use cases around who has an account: the first administrator, invitations, disabling, listing.
struct UsersService: Sendable {
    let accounts: AccountsService
    var storage: Storage { accounts.storage }
    var clock: any TrustmarkClock { accounts.clock }

    static let maxNameLength = 120

    // MARK: first administrator

    /// On a database without users, makes a one-time set-up link and returns it; otherwise nil.
    /// Any older unused set-up link stops working, so only the link printed last is valid.
    func prepareFirstAdministratorLink() async throws -> String? {
        guard try await User.query(on: storage.db).count() == 0 else { return nil }
        let now = clock.now()
        let token = SecretToken.generate()
        try await storage.db.transaction { db in
            try await AccountToken.query(on: db).filter(\.$purposeRaw == AccountToken.Purpose.setup.rawValue).filter(\.$usedAt == nil).set(\.$usedAt, to: now).update()
            try await AccountToken(tokenDigest: SecretToken.digest(token), purpose: .setup, userID: nil, now: now,
                                   expiresAt: now.addingTimeInterval(SessionPolicy.setupLifetime)).create(on: db)
        }
        return "\(accounts.baseURL)/setup/\(token)"
    }

    func completeSetup(token: String, email: String, name: String, password: String, confirmation: String, locale: AppLocale) async throws -> User {
        let record = try await accounts.validToken(token, purpose: .setup)
        let now = clock.now()
        var errors = FormErrors()
        let email = checkEmail(email, errors: &errors)
        let name = checkName(name, errors: &errors)
        accounts.checkNewPassword(password, confirmation: confirmation, errors: &errors)
        try errors.throwIfAny()
        let hash = try await accounts.hashPassword(password)
        return try await storage.db.transaction { db in
            guard try await User.query(on: db).count() == 0 else {
                throw AppError(.conflict, code: "already_set_up", messageKey: "setup_done")
            }
            record.usedAt = now
            try await record.save(on: db)
            let user = User(email: email, displayName: name, passwordHash: hash, role: .admin, organisationID: nil, locale: locale.rawValue, createdAt: now)
            try await user.create(on: db)
            try await Record.append(on: db, at: now, actor: .init(userID: user.id, role: "setup"), action: "user.created",
                                    subjectType: "user", subjectID: try user.requireID().uuidString, after: ["email": email, "role": "admin"])
            return user
        }
    }

    // MARK: invitations

    struct Invitation: Sendable {
        var email: String
        var name: String
        var role: String
        var organisation: String
        var locale: String
    }

    /// Invites a person: admins may invite any role; other staff invite member users; a member
    /// invites colleagues into its own organisation only.
    func invite(_ input: Invitation, by actor: Identity) async throws -> (User, link: String) {
        var errors = FormErrors()
        let email = checkEmail(input.email, errors: &errors)
        let name = checkName(input.name, errors: &errors)
        let role = Role(rawValue: input.role)
        if role == nil { errors.add(.invalid("role", "validation_choice")) }
        let locale = AppLocale(rawValue: input.locale) ?? .fallback
        var organisationName = input.organisation.trimmingWhitespace()
        if let role {
            if actor.role != .admin, role != .member {
                errors.add(AppError(.forbidden, code: "forbidden_role", messageKey: "invite_role_forbidden", field: "role"))
            }
            if role == .member, actor.role != .member {
                if organisationName.isEmpty { errors.add(.invalid("organisation", "validation_required")) }
                if organisationName.count > Self.maxNameLength { errors.add(.invalid("organisation", "validation_too_long", ["max": "\(Self.maxNameLength)"])) }
            }
            if role.isStaff { organisationName = "" }
        }
        try errors.throwIfAny()
        guard let role else { throw AppError.forbidden }
        if try await User.query(on: storage.db).filter(\.$email == email).first() != nil {
            throw AppError.conflict("email_taken", "invite_email_taken", field: "email")
        }
        let now = clock.now()
        let token = SecretToken.generate()
        let link = "\(accounts.baseURL)/invitations/\(token)"
        let chosenOrganisation = organisationName
        let user = try await storage.db.transaction { db -> User in
            var organisationID: UUID?
            if role == .member {
                if actor.role == .member {
                    organisationID = actor.organisationID
                } else if let existing = try await Organisation.query(on: db).filter(\.$name == chosenOrganisation).first() {
                    organisationID = existing.id
                } else {
                    let organisation = Organisation(name: chosenOrganisation, createdAt: now)
                    try await organisation.create(on: db)
                    organisationID = organisation.id
                }
            }
            let user = User(email: email, displayName: name, passwordHash: nil, role: role, organisationID: organisationID, locale: locale.rawValue, createdAt: now)
            try await user.create(on: db)
            try await AccountToken(tokenDigest: SecretToken.digest(token), purpose: .invitation, userID: try user.requireID(), now: now,
                                   expiresAt: now.addingTimeInterval(SessionPolicy.invitationLifetime)).create(on: db)
            let localizer = accounts.localizer
            try await accounts.outbox.add(
                on: db, at: now, to: email, subject: localizer.text("mail_invite_subject", locale, ["organisation": localizer.text("site_name", locale)]),
                body: localizer.text("mail_invite_body", locale, ["name": name, "inviter": actor.displayName, "role": localizer.text("role_\(role.rawValue)", locale), "link": link]),
                locale: locale.rawValue, kind: "invitation")
            try await Record.append(on: db, at: now, actor: .init(actor), action: "user.invited", subjectType: "user",
                                    subjectID: try user.requireID().uuidString, after: ["email": email, "role": role.rawValue])
            return user
        }
        return (user, link)
    }

    func acceptInvitation(token: String, password: String, confirmation: String) async throws -> User {
        let record = try await accounts.validToken(token, purpose: .invitation)
        var errors = FormErrors()
        accounts.checkNewPassword(password, confirmation: confirmation, errors: &errors)
        try errors.throwIfAny()
        guard let userID = record.$user.id, let user = try await User.find(userID, on: storage.db), !user.isDisabled else {
            throw AppError(.notFound, code: "link_invalid", messageKey: "link_invalid")
        }
        let hash = try await accounts.hashPassword(password)
        let now = clock.now()
        try await storage.db.transaction { db in
            record.usedAt = now
            try await record.save(on: db)
            user.passwordHash = hash
            try await user.save(on: db)
            try await Record.append(on: db, at: now, actor: .init(userID: userID, role: user.roleRaw), action: "user.invitation_accepted", subjectType: "user", subjectID: userID.uuidString)
        }
        return user
    }

    // MARK: administration

    /// Disables or re-enables an account; disabling ends its sessions and API tokens at once.
    /// An administrator cannot disable themself, so the system is never left without one.
    func setDisabled(_ disabled: Bool, userID: UUID, by actor: Identity) async throws -> User {
        guard let user = try await User.find(userID, on: storage.db) else { throw AppError.notFound }
        if disabled, userID == actor.userID { throw AppError.conflict("self_disable", "user_cannot_disable_self") }
        let now = clock.now()
        let before = user.isDisabled ? "disabled" : "active"
        try await storage.db.transaction { db in
            user.disabledAt = disabled ? (user.disabledAt ?? now) : nil
            try await user.save(on: db)
            if disabled {
                try await WebSession.query(on: db).filter(\.$user.$id == userID).delete()
                try await APIToken.query(on: db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            }
            try await Record.append(on: db, at: now, actor: .init(actor), action: disabled ? "user.disabled" : "user.enabled", subjectType: "user",
                                    subjectID: userID.uuidString, before: ["status": before], after: ["status": disabled ? "disabled" : "active"])
        }
        return user
    }

    func list(_ request: Paging) async throws -> PagedList<User> {
        let total = try await User.query(on: storage.db).count()
        let users = try await User.query(on: storage.db).with(\.$organisation).sort(\.$email).range(request.offset..<(request.offset + request.size)).all()
        return PagedList(items: users, request: request, total: total)
    }

    /// Creates an active account directly (the command line, for operators).
    func create(email rawEmail: String, name rawName: String, role: Role, organisation: String?, password: String) async throws -> User {
        var errors = FormErrors()
        let email = checkEmail(rawEmail, errors: &errors)
        let name = checkName(rawName.isEmpty ? email : rawName, errors: &errors)
        accounts.checkNewPassword(password, confirmation: nil, errors: &errors)
        if role == .member, (organisation ?? "").isEmpty { errors.add(.invalid("organisation", "validation_required")) }
        try errors.throwIfAny()
        if try await User.query(on: storage.db).filter(\.$email == email).first() != nil {
            throw AppError.conflict("email_taken", "invite_email_taken", field: "email")
        }
        let hash = try await accounts.hashPassword(password)
        let now = clock.now()
        return try await storage.db.transaction { db in
            var organisationID: UUID?
            if role == .member, let organisation {
                if let existing = try await Organisation.query(on: db).filter(\.$name == organisation).first() {
                    organisationID = existing.id
                } else {
                    let created = Organisation(name: organisation, createdAt: now)
                    try await created.create(on: db)
                    organisationID = created.id
                }
            }
            let user = User(email: email, displayName: name, passwordHash: hash, role: role, organisationID: organisationID, locale: AppLocale.fallback.rawValue, createdAt: now)
            try await user.create(on: db)
            try await Record.append(on: db, at: now, actor: .commandLine, action: "user.created", subjectType: "user",
                                    subjectID: try user.requireID().uuidString, after: ["email": email, "role": role.rawValue])
            return user
        }
    }

    func setLocale(_ locale: AppLocale, userID: UUID) async throws {
        try await User.query(on: storage.db).filter(\.$id == userID).set(\.$locale, to: locale.rawValue).update()
    }

    // MARK: field checks shared by the forms and the API

    func checkEmail(_ raw: String, errors: inout FormErrors) -> String {
        let email = EmailAddress.normalise(raw)
        if email.isEmpty { errors.add(.invalid("email", "validation_required")) }
        else if email.count > EmailAddress.maximumLength { errors.add(.invalid("email", "validation_too_long", ["max": "\(EmailAddress.maximumLength)"])) }
        else if !EmailAddress.isValid(email) { errors.add(.invalid("email", "validation_email")) }
        return email
    }

    func checkName(_ raw: String, errors: inout FormErrors) -> String {
        let name = raw.trimmingWhitespace()
        if name.isEmpty { errors.add(.invalid("name", "validation_required")) }
        else if name.count > Self.maxNameLength { errors.add(.invalid("name", "validation_too_long", ["max": "\(Self.maxNameLength)"])) }
        return name
    }
}
