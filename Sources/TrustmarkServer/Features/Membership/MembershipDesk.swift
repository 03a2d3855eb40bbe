import FluentKit
import Foundation
import Logging
import TrustmarkCore

/// What every membership use case needs: storage, the clock, the scheme's rules and calendar, and
/// the ways to tell a member something (mail) and to keep the history (events and the record).
struct MembershipDesk: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock
    let active: ActiveScheme
    let outbox: MailOutbox
    let localizer: Localizer
    let baseURL: String
    let calendar: WorkingDayCalendar
    let writer: DocumentWriter
    let logger: Logger

    var scheme: Scheme { active.scheme }
    var timeZone: TimeZone { active.timeZone }
    var today: Day { Day(clock.now(), in: timeZone) }

    /// The next midnight after `now` in the scheme's time zone, when terms start and run out:
    /// what is read about a standing stays right until then (or until an event).
    func nextMidnight(after now: Date) -> Date {
        Day(now, in: timeZone).end(in: timeZone)
    }

    /// The start of a window that ends now (`12 months` before `now`, on the scheme's calendar).
    func windowStart(_ period: Period, now: Date) -> Date {
        Period(-period.amount, period.unit).added(to: now, timeZone: timeZone) ?? now
    }

    /// One of the member's own approved shops: by slug or domain, or its only shop. A shop's API key
    /// reaches its own shop only.
    func ownShop(_ raw: String?, member: Identity, missing: String, unknown: String) async throws -> Shop {
        guard let organisation = member.organisationID else { throw AppError.forbidden }
        var query = Shop.query(on: storage.db).filter(\.$organisation.$id == organisation).filter(\.$stateRaw == Shop.State.approved.rawValue)
        if let shopID = member.apiKey?.shopID { query = query.filter(\.$id == shopID) }
        let shops = try await query.with(\.$domains).all()
        let wanted = raw.map { DomainName.normalise($0) } ?? ""
        if wanted.isEmpty {
            guard shops.count == 1, let only = shops.first else { throw AppError.invalid("shop", missing) }
            return only
        }
        guard let shop = shops.first(where: { $0.slug == wanted || $0.domains.contains { $0.domain == wanted } }) else {
            throw AppError.invalid("shop", unknown, ["shop": raw ?? ""])
        }
        return shop
    }

    /// The scheme's membership rules; a scheme without them takes no applications.
    func rules() throws -> MembershipRules {
        guard let rules = scheme.membership else { throw AppError(.notFound, code: "membership_not_run", messageKey: "membership_not_run") }
        return rules
    }

    /// A day in the reader's language ("1 januari 2027").
    func dayText(_ day: Day, _ locale: AppLocale) -> String {
        DateText.day(day.midday(in: timeZone), locale: locale, timeZone: timeZone)
    }

    func dayText(_ raw: String?, _ locale: AppLocale) -> String? {
        raw.flatMap(Day.init).map { dayText($0, locale) }
    }

    func money(_ cents: Int, _ locale: AppLocale) -> String {
        SchemeFacts.money(Money(cents: cents, currency: scheme.currency), locale)
    }

    /// Adds a line to the organisation's history and the same fact to the record, in `db`'s transaction
    /// (or in one of its own).
    func note(_ event: String, organisation: UUID, application: UUID? = nil, actor: Record.Actor, detail: [String: String] = [:], on db: any Database) async throws {
        guard db.inTransaction else {
            return try await db.transaction { try await note(event, organisation: organisation, application: application, actor: actor, detail: detail, on: $0) }
        }
        let now = clock.now()
        let row = MembershipEvent()
        row.$organisation.id = organisation
        row.applicationID = application
        row.at = now
        row.actorID = actor.userID
        row.actorRole = actor.role
        row.event = event
        row.detail = detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        // Anything in a membership's history may change what its shops' seals and pages say: every
        // instance's caches see the counter move and forget this organisation's shops.
        row.sealVersion = try await SealVersion.bump(on: db)
        try await row.create(on: db)
        try await Record.append(on: db, at: now, actor: actor, action: event, subjectType: application == nil ? "organisation" : "application",
                                subjectID: (application ?? organisation).uuidString, after: detail.isEmpty ? nil : detail)
    }

    /// The member's contact address and language, as given in the registration.
    func contact(of organisation: UUID, on db: any Database) async throws -> (email: String, name: String, locale: AppLocale)? {
        guard let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first() else { return nil }
        let user = try await User.query(on: db).filter(\.$email == registration.contactEmail).first()
        let locale = user.flatMap { AppLocale(rawValue: $0.locale) } ?? AppLocale(rawValue: scheme.defaultLanguage) ?? .fallback
        return (registration.contactEmail, registration.contactName, locale)
    }

    /// Mails every active administrator (but `except`) in their language; `values` gets the
    /// administrator's locale, and `name` is filled with their name.
    func mailAdmins(except: UUID? = nil, subject: String, body: String, _ values: @Sendable (AppLocale) -> [String: String], kind: String,
                    on db: any Database) async throws {
        let admins = try await User.query(on: db).filter(\.$roleRaw == Role.admin.rawValue).filter(\.$disabledAt == nil).all()
        for admin in admins where admin.passwordHash != nil && admin.id != except {
            let locale = AppLocale(rawValue: admin.locale) ?? .fallback
            var filled = values(locale)
            filled["name"] = admin.displayName
            try await mail(to: admin.email, locale, subject: subject, body: body, filled, kind: kind, on: db)
        }
    }

    /// Mails anyone in their language; `subject` and `body` are locale keys filled with `values`.
    func mail(to address: String, _ locale: AppLocale, subject: String, body: String, _ values: [String: String], kind: String, letter: UUID? = nil,
              on db: any Database) async throws {
        try await outbox.add(on: db, at: clock.now(), to: address, subject: localizer.text(subject, locale, values), body: localizer.text(body, locale, values),
                             locale: locale.rawValue, kind: kind, letter: letter)
    }

    /// Mails the member's contact, in their language; `subject` and `body` are locale keys. A kept
    /// `letter` goes with it as a PDF.
    func mail(_ organisation: UUID, subject: String, body: String, _ arguments: @Sendable (AppLocale) -> [String: String], kind: String, letter: UUID? = nil,
              on db: any Database) async throws {
        guard let contact = try await contact(of: organisation, on: db) else { return }
        var values = arguments(contact.locale)
        values["name"] = values["name"] ?? contact.name
        values["scheme"] = scheme.name
        values["portal"] = baseURL + "/portal/membership"
        try await mail(to: contact.email, contact.locale, subject: subject, body: body, values, kind: kind, letter: letter, on: db)
    }

    /// Whether the organisation's staff user is the caller's organisation (members see only their own).
    /// A seal variant's name in the reader's language (the id when the scheme no longer has it).
    func variantName(_ id: String, _ locale: AppLocale) -> String {
        scheme.seal.variants.first { $0.id == id }.map { active.text($0.name, locale) } ?? id
    }

    /// The scheme's tier of that id, if the scheme (still) has it.
    func tier(_ id: String?) -> SealRules.Tier? {
        id.flatMap { id in scheme.seal.tiers.first { $0.id == id } }
    }

    func checkOwn(_ organisation: UUID, _ actor: Identity) throws {
        if actor.role == .member, actor.organisationID != organisation { throw AppError.notFound }
    }
}

/// Domain names as shops give them: lower case, without scheme, path or a leading `www.`.
enum DomainName {
    static func normalise(_ raw: String) -> String {
        var text = raw.trimmingWhitespace().lowercased()
        for prefix in ["https://", "http://"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        if text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix("www.") { text.removeFirst(4) }
        return text
    }

    static func isValid(_ domain: String) -> Bool {
        guard domain.count <= 253, domain.contains(".") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        } && !(labels.last?.allSatisfy(\.isNumber) ?? true)
    }
}
