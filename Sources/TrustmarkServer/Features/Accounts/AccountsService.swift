import FluentKit
import Foundation
import HummingbirdBcrypt
import NIOPosix
import TrustmarkCore

/// Use cases of accounts: signing in and out, tokens, passwords, invitations and disabling. Each
/// change runs in one transaction with its record entry (and its mail, where one is sent).
struct AccountsService: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock
    let outbox: MailOutbox
    let localizer: Localizer
    let baseURL: String
    let bcryptCost: UInt8
    let passwordRules = PasswordRules()
    /// Compared against when the account does not exist, so both paths take equally long.
    let timingDummyHash: String

    init(storage: Storage, clock: any TrustmarkClock, outbox: MailOutbox, localizer: Localizer, baseURL: String, bcryptCost: UInt8) {
        self.storage = storage
        self.clock = clock
        self.outbox = outbox
        self.localizer = localizer
        self.baseURL = baseURL
        self.bcryptCost = bcryptCost
        self.timingDummyHash = Bcrypt.hash(SecretToken.generate(), cost: bcryptCost)
    }

    struct SignedIn: Sendable {
        let token: String
        let expiresAt: Date
        let user: User
    }

    // MARK: signing in

    /// Checks e-mail and password; the same answer whether the address is unknown or the password
    /// wrong, so the form does not reveal who has an account.
    func authenticate(email rawEmail: String, password: String) async throws -> User {
        let email = EmailAddress.normalise(rawEmail)
        let user = try await User.query(on: storage.db).filter(\.$email == email).first()
        guard let user, let hash = user.passwordHash else {
            _ = await verify(password, hash: timingDummyHash)
            throw AppError(.unauthorized, code: "invalid_credentials", messageKey: "login_invalid", field: "password")
        }
        guard await verify(password, hash: hash) else {
            throw AppError(.unauthorized, code: "invalid_credentials", messageKey: "login_invalid", field: "password")
        }
        guard !user.isDisabled else {
            throw AppError(.forbidden, code: "account_disabled", messageKey: "login_disabled")
        }
        return user
    }

    /// Starts a browser session: a fresh token each time, so a token planted before login is useless.
    func startSession(for user: User) async throws -> SignedIn {
        let now = clock.now()
        let token = SecretToken.generate()
        let expires = SessionPolicy.expiry(createdAt: now, lastSeen: now)
        try await WebSession(tokenDigest: SecretToken.digest(token), userID: try user.requireID(), now: now, expiresAt: expires).create(on: storage.db)
        return SignedIn(token: token, expiresAt: expires, user: user)
    }

    func endSession(digest: String) async throws {
        try await WebSession.query(on: storage.db).filter(\.$tokenDigest == digest).delete()
    }

    func issueAPIToken(for user: User) async throws -> SignedIn {
        let now = clock.now()
        let token = SecretToken.generate()
        let expires = now.addingTimeInterval(SessionPolicy.apiTokenLifetime)
        try await storage.db.transaction { db in
            try await APIToken(tokenDigest: SecretToken.digest(token), userID: try user.requireID(), now: now, expiresAt: expires).create(on: db)
            try await Record.append(on: db, at: now, actor: .init(userID: user.id, role: user.roleRaw), action: "api_token.issued",
                                    subjectType: "user", subjectID: try user.requireID().uuidString)
        }
        return SignedIn(token: token, expiresAt: expires, user: user)
    }

    func revokeAPIToken(digest: String) async throws {
        let now = clock.now()
        try await APIToken.query(on: storage.db).filter(\.$tokenDigest == digest).set(\.$revokedAt, to: now).update()
    }

    // MARK: passwords

    func changePassword(identity: Identity, current: String, new: String, confirmation: String) async throws {
        guard let user = try await User.find(identity.userID, on: storage.db), let hash = user.passwordHash else { throw AppError.notFound }
        var errors = FormErrors()
        if !(await verify(current, hash: hash)) { errors.add(.invalid("current_password", "password_current_wrong")) }
        checkNewPassword(new, confirmation: confirmation, errors: &errors)
        try errors.throwIfAny()
        let newHash = try await hashPassword(new)
        let now = clock.now()
        try await storage.db.transaction { db in
            user.passwordHash = newHash
            try await user.save(on: db)
            // Other browsers signed in with the old password are signed out; this one stays.
            try await WebSession.query(on: db).filter(\.$user.$id == identity.userID).filter(\.$tokenDigest != identity.credentialDigest).delete()
            try await Record.append(on: db, at: now, actor: .init(identity), action: "password.changed", subjectType: "user", subjectID: identity.userID.uuidString)
        }
    }

    func checkNewPassword(_ password: String, confirmation: String?, errors: inout FormErrors) {
        switch passwordRules.check(password) {
        case .tooShort(let minimum): errors.add(.invalid("new_password", "password_too_short", ["min": "\(minimum)"]))
        case .tooLong(let maximum): errors.add(.invalid("new_password", "password_too_long", ["max": "\(maximum)"]))
        case nil: break
        }
        if let confirmation, confirmation != password { errors.add(.invalid("confirm_password", "password_mismatch")) }
    }

    /// Sends a reset link if the address belongs to an active account. The caller always shows the
    /// same answer, so the form cannot be used to find out who has an account.
    func requestPasswordReset(email rawEmail: String, locale: AppLocale) async throws {
        let email = EmailAddress.normalise(rawEmail)
        guard let user = try await User.query(on: storage.db).filter(\.$email == email).first(), !user.isDisabled else { return }
        let now = clock.now()
        let token = SecretToken.generate()
        let userLocale = AppLocale(rawValue: user.locale) ?? locale
        try await storage.db.transaction { db in
            try await AccountToken(tokenDigest: SecretToken.digest(token), purpose: .passwordReset, userID: try user.requireID(),
                                   now: now, expiresAt: now.addingTimeInterval(SessionPolicy.resetLifetime)).create(on: db)
            try await outbox.add(on: db, at: now, to: user.email,
                                 subject: localizer.text("mail_reset_subject", userLocale),
                                 body: localizer.text("mail_reset_body", userLocale, ["name": user.displayName, "link": "\(baseURL)/password/reset/\(token)"]),
                                 locale: userLocale.rawValue, kind: "password_reset")
            try await Record.append(on: db, at: now, actor: .system, action: "password.reset_requested", subjectType: "user", subjectID: try user.requireID().uuidString)
        }
    }

    /// Finds the unused, unexpired link of `purpose`; a wrong, used or expired one gets one message.
    func validToken(_ token: String, purpose: AccountToken.Purpose) async throws -> AccountToken {
        let now = clock.now()
        guard let record = try await AccountToken.query(on: storage.db).filter(\.$tokenDigest == SecretToken.digest(token))
            .filter(\.$purposeRaw == purpose.rawValue).first(),
              record.usedAt == nil, record.expiresAt > now
        else {
            throw AppError(.notFound, code: "link_invalid", messageKey: "link_invalid")
        }
        return record
    }

    func resetPassword(token: String, new: String, confirmation: String) async throws -> User {
        let record = try await validToken(token, purpose: .passwordReset)
        var errors = FormErrors()
        checkNewPassword(new, confirmation: confirmation, errors: &errors)
        try errors.throwIfAny()
        guard let userID = record.$user.id, let user = try await User.find(userID, on: storage.db), !user.isDisabled else { throw AppError.notFound }
        let hash = try await hashPassword(new)
        let now = clock.now()
        try await storage.db.transaction { db in
            record.usedAt = now
            try await record.save(on: db)
            user.passwordHash = hash
            try await user.save(on: db)
            try await WebSession.query(on: db).filter(\.$user.$id == userID).delete()
            try await Record.append(on: db, at: now, actor: .init(userID: userID, role: user.roleRaw), action: "password.reset", subjectType: "user", subjectID: userID.uuidString)
        }
        return user
    }

    // MARK: helpers

    func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }
}
