import FluentKit
import Foundation
import TrustmarkCore

/// How hard guessing passwords is made. Not scheme rules: these protect accounts whatever
/// trustmark is run.
enum LoginPolicy {
    /// Failures are counted over this window.
    static let window: TimeInterval = 15 * 60
    /// Failed sign-ins to one account within the window before it is locked for the rest of it.
    static let perAccount = 5
    /// Failed sign-ins from one address within the window, whatever the accounts, before that
    /// address must wait.
    static let perAddress = 30
}

extension AccountsService {
    /// Signing in with throttling: an account with too many recent failures is locked for the rest
    /// of the window (its owner is mailed once), an address with too many is told to wait. The
    /// password is not even checked while locked, so guessing gains nothing.
    func signIn(email rawEmail: String, password: String, address: String) async throws -> User {
        let email = EmailAddress.normalise(rawEmail)
        let now = clock.now()
        let since = now.addingTimeInterval(-LoginPolicy.window)
        let db = storage.db
        let fromAddress = try await LoginFailure.query(on: db).filter(\.$address == address).filter(\.$at >= since).sort(\.$at).all()
        if fromAddress.count >= LoginPolicy.perAddress, let oldest = fromAddress.first {
            throw Self.wait(until: oldest.at.addingTimeInterval(LoginPolicy.window), now: now, code: "login_throttled", key: "login_throttled")
        }
        let forAccount = try await LoginFailure.query(on: db).filter(\.$email == email).filter(\.$at >= since).sort(\.$at).all()
        if forAccount.count >= LoginPolicy.perAccount, let oldest = forAccount.first {
            throw Self.wait(until: oldest.at.addingTimeInterval(LoginPolicy.window), now: now, code: "account_locked", key: "login_locked")
        }
        do {
            let user = try await authenticate(email: email, password: password)
            // A success starts the count afresh (older failures too, which the window no longer counts).
            try await LoginFailure.query(on: db).filter(\.$email == email).delete()
            return user
        } catch let error as AppError where error.code == "invalid_credentials" {
            try await db.transaction { db in
                try await LoginFailure(email: email, address: address, at: now).create(on: db)
                if forAccount.count + 1 == LoginPolicy.perAccount, let user = try await User.query(on: db).filter(\.$email == email).first() {
                    let locale = AppLocale(rawValue: user.locale) ?? .fallback
                    let values = ["name": user.displayName, "count": "\(LoginPolicy.perAccount)", "minutes": "\(Int(LoginPolicy.window / 60))",
                                  "address": address, "reset": baseURL + "/password/forgot"]
                    try await outbox.add(on: db, at: now, to: user.email, subject: localizer.text("mail_login_locked_subject", locale, values),
                                         body: localizer.text("mail_login_locked_body", locale, values), locale: locale.rawValue, kind: "login_locked")
                }
            }
            throw error
        }
    }

    static func wait(until: Date, now: Date, code: String, key: String) -> AppError {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return AppError.tooManyRequests(code, key, seconds: seconds, ["minutes": "\(max(1, (seconds + 59) / 60))"], field: "email")
    }
}
