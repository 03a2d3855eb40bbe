import FluentKit
import Foundation
import TrustmarkCore

/// Publishing changes of the rules and handling members' answers (KeurOnline article 29: news page,
/// a transition for far-reaching changes, every member told, refusal may end the membership). Every
/// number comes from the scheme's `rule_changes` section.
struct RuleChangesService: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock
    let active: ActiveScheme
    let outbox: MailOutbox
    let localizer: Localizer
    let baseURL: String
    let deadlines: DeadlinesService
    let letters: LettersService
    /// Ends the organisation's membership row (seal right, shops, open renewal invoices) in the same
    /// transaction; the membership feature supplies it.
    var endMembershipRecord: (@Sendable (UUID, any Database) async throws -> Void)? = nil

    static let transitionDeadline = "rule_change.transition"

    static let maxTitle = 200
    static let maxSummary = 4000

    struct Publication: Sendable {
        var title: [String: String]
        var summary: [String: String]
        var farReaching: Bool
    }

    enum Answer: String, Sendable, CaseIterable { case accepted, refused }

    func publish(_ input: Publication, by actor: Identity) async throws -> RuleChange {
        let scheme = active.scheme
        var errors = FormErrors()
        let title = clean(input.title, field: "title", max: Self.maxTitle, errors: &errors)
        let summary = clean(input.summary, field: "summary", max: Self.maxSummary, errors: &errors)
        if input.farReaching, scheme.ruleChanges == nil {
            errors.add(.invalid("far_reaching", "rule_change_no_transition_rule"))
        }
        try errors.throwIfAny()
        if try await RuleChange.query(on: storage.db).filter(\.$schemeVersion.$id == active.versionID).first() != nil {
            throw AppError.conflict("already_published", "rule_change_already_published", ["version": scheme.codeOfConduct.version])
        }
        let now = clock.now()
        let changed = try await changedArticles()
        let transitionEnd: Date?
        if input.farReaching, let rules = scheme.ruleChanges {
            guard let end = rules.farReachingTransition.added(to: now, timeZone: active.timeZone) else {
                throw AppError.conflict("transition_unit", "rule_change_no_transition_rule")
            }
            transitionEnd = end
        } else {
            transitionEnd = nil
        }
        let change = RuleChange()
        change.$schemeVersion.id = active.versionID
        change.title = Self.json(title)
        change.summary = Self.json(summary)
        change.farReaching = input.farReaching
        change.changedArticles = changed.joined(separator: ",")
        change.publishedAt = now
        change.transitionEndsAt = transitionEnd
        change.publishedBy = actor.userID
        try await storage.db.transaction { db in
            try await change.create(on: db)
            if let transitionEnd, let rules = scheme.ruleChanges {
                try await notifyMembers(change, transitionEnd: transitionEnd, channels: rules.notify, title: title, on: db, at: now)
                try await deadlines.start(subjectType: "rule_change", subjectID: try change.requireID().uuidString, kind: Self.transitionDeadline,
                                          length: rules.farReachingTransition, on: db)
            }
            try await Record.append(on: db, at: now, actor: .init(actor), action: "rule_change.published", subjectType: "rule_change",
                                    subjectID: try change.requireID().uuidString,
                                    after: ["far_reaching": "\(input.farReaching)", "code_version": scheme.codeOfConduct.version,
                                            "transition_ends_at": transitionEnd.map { ISO8601DateFormatter().string(from: $0) } ?? ""],
                                    schemeVersion: active.versionID)
        }
        return change
    }

    /// A notice per member organisation and channel; e-mails go into the outbox at once, letters
    /// wait for staff to send them (their sending date is recorded then).
    private func notifyMembers(_ change: RuleChange, transitionEnd: Date, channels: [String], title: [String: String], on db: any Database, at now: Date) async throws {
        let changeID = try change.requireID()
        let organisations = try await Organisation.query(on: db).filter(\.$membershipEndedAt == nil).all()
        for organisation in organisations {
            let organisationID = try organisation.requireID()
            for channel in channels {
                try await RuleChangeNotice(ruleChangeID: changeID, organisationID: organisationID, channel: channel, createdAt: now,
                                           sentAt: channel == "email" ? now : nil).create(on: db)
            }
            let users = try await User.query(on: db).filter(\.$organisation.$id == organisationID).filter(\.$disabledAt == nil).all()
            if channels.contains("letter") {
                // The letter goes in the language of the organisation's first user, else the scheme's own.
                let locale = users.first.flatMap { AppLocale(rawValue: $0.locale) } ?? AppLocale(rawValue: active.scheme.defaultLanguage) ?? .fallback
                let heading = active.text(LocalizedText(title), locale)
                let letter = DocumentWriter.Letter(
                    recipient: organisation.name, address: [], subject: localizer.text("mail_rule_change_subject", locale, ["scheme": active.scheme.name, "title": heading]),
                    paragraphs: [localizer.text("letter_rule_change_body", locale, [
                        "scheme": active.scheme.name, "title": heading, "date": DateText.day(transitionEnd, locale: locale, timeZone: active.timeZone),
                        "link": "\(baseURL)/portal/rule-changes", "news": "\(baseURL)/news",
                    ])],
                    registered: false, date: now)
                _ = try await letters.create(kind: "rule_change", letter: letter, locale: locale, organisationID: organisationID, by: .system, on: db)
            }
            guard channels.contains("email") else { continue }
            for user in users {
                let locale = AppLocale(rawValue: user.locale) ?? .fallback
                let heading = active.text(LocalizedText(title), locale)
                try await outbox.add(
                    on: db, at: now, to: user.email,
                    subject: localizer.text("mail_rule_change_subject", locale, ["scheme": active.scheme.name, "title": heading]),
                    body: localizer.text("mail_rule_change_body", locale, [
                        "name": user.displayName, "scheme": active.scheme.name, "title": heading,
                        "date": DateText.day(transitionEnd, locale: locale, timeZone: active.timeZone),
                        "link": "\(baseURL)/portal/rule-changes", "news": "\(baseURL)/news",
                    ]),
                    locale: locale.rawValue, kind: "rule_change")
            }
        }
    }

    /// Article numbers that differ from the previous stored version of this scheme.
    private func changedArticles() async throws -> [String] {
        guard active.sequence > 1,
              let previous = try await SchemeVersion.query(on: storage.db).filter(\.$schemeID == active.scheme.id)
                .filter(\.$sequence == active.sequence - 1).first(),
              let before = SchemeVersions.scheme(of: previous)
        else { return [] }
        return SchemeDiff.changes(from: before, to: active.scheme).compactMap {
            switch $0 {
            case .added(let number), .removed(let number), .changed(let number, _): return number
            case .setting: return nil
            }
        }
    }

    func news() async throws -> [RuleChange] {
        try await RuleChange.query(on: storage.db).with(\.$schemeVersion).sort(\.$publishedAt, .descending).all()
    }

    func find(_ id: UUID) async throws -> RuleChange {
        guard let change = try await RuleChange.find(id, on: storage.db) else { throw AppError.notFound }
        return change
    }

    /// A member organisation accepts or refuses; it may change its answer until its membership ends.
    func respond(to id: UUID, answer: Answer, by actor: Identity) async throws {
        guard let organisationID = actor.organisationID else { throw AppError.forbidden }
        let change = try await find(id)
        guard change.farReaching else { throw AppError.conflict("not_far_reaching", "rule_change_not_far_reaching") }
        guard let organisation = try await Organisation.find(organisationID, on: storage.db), organisation.membershipEndedAt == nil else {
            throw AppError.conflict("membership_ended", "rule_change_membership_ended_error")
        }
        let now = clock.now()
        try await storage.db.transaction { db in
            let existing = try await RuleChangeResponse.query(on: db).filter(\.$ruleChange.$id == id).filter(\.$organisation.$id == organisationID).first()
            let before = existing?.response
            let response = existing ?? RuleChangeResponse()
            response.$ruleChange.id = id
            response.$organisation.id = organisationID
            response.response = answer.rawValue
            response.respondedAt = now
            response.userID = actor.userID
            try await response.save(on: db)
            try await Record.append(on: db, at: now, actor: .init(actor), action: "rule_change.answered", subjectType: "organisation",
                                    subjectID: organisationID.uuidString, before: before.map { ["response": $0] }, after: ["response": answer.rawValue],
                                    schemeVersion: change.$schemeVersion.id)
        }
    }

    struct MemberStanding: Sendable {
        let organisation: Organisation
        let response: RuleChangeResponse?
        /// The transition is over and the member did not accept: staff may end the membership.
        let mayBeEnded: Bool
    }

    /// Every organisation that was told of the change, with its answer (or silence).
    func standings(of change: RuleChange) async throws -> [MemberStanding] {
        let changeID = try change.requireID()
        let notified = Set(try await RuleChangeNotice.query(on: storage.db).filter(\.$ruleChange.$id == changeID).all().map { $0.$organisation.id })
        let responses = try await RuleChangeResponse.query(on: storage.db).filter(\.$ruleChange.$id == changeID).all()
        let organisations = try await Organisation.query(on: storage.db).sort(\.$name).all().filter { notified.contains($0.id ?? UUID()) }
        let over = change.transitionEndsAt.map { clock.now() >= $0 } ?? false
        let allowed = active.scheme.ruleChanges?.refusalMayEndMembership ?? false
        return organisations.map { organisation in
            let response = responses.first { $0.$organisation.id == organisation.id }
            return MemberStanding(organisation: organisation, response: response,
                                  mayBeEnded: allowed && over && organisation.membershipEndedAt == nil && response?.response != Answer.accepted.rawValue)
        }
    }

    /// Ends the membership of an organisation that refused or stayed silent, once the transition is
    /// over and if the scheme allows it. This is never a negative listing.
    func endMembership(_ organisationID: UUID, after id: UUID, by actor: Identity) async throws {
        let change = try await find(id)
        guard active.scheme.ruleChanges?.refusalMayEndMembership == true else {
            throw AppError.conflict("not_allowed", "rule_change_end_not_allowed")
        }
        guard let end = change.transitionEndsAt, clock.now() >= end else {
            throw AppError.conflict("transition_running", "rule_change_transition_running",
                                    ["date": change.transitionEndsAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"])
        }
        guard let standing = try await standings(of: change).first(where: { $0.organisation.id == organisationID }) else { throw AppError.notFound }
        guard standing.organisation.membershipEndedAt == nil else { throw AppError.conflict("membership_ended", "rule_change_membership_ended_error") }
        guard standing.response?.response != Answer.accepted.rawValue else { throw AppError.conflict("accepted", "rule_change_was_accepted") }
        let now = clock.now()
        let reason = standing.response == nil ? "rule_change_not_answered" : "rule_change_refused"
        let organisation = standing.organisation
        try await storage.db.transaction { db in
            organisation.membershipEndedAt = now
            organisation.membershipEndReason = reason
            try await organisation.save(on: db)
            try await endMembershipRecord?(organisationID, db)
            let users = try await User.query(on: db).filter(\.$organisation.$id == organisationID).filter(\.$disabledAt == nil).all()
            for user in users {
                let locale = AppLocale(rawValue: user.locale) ?? .fallback
                try await outbox.add(on: db, at: now, to: user.email, subject: localizer.text("mail_membership_ended_subject", locale, ["scheme": active.scheme.name]),
                                     body: localizer.text("mail_membership_ended_body", locale, ["name": user.displayName, "scheme": active.scheme.name]),
                                     locale: locale.rawValue, kind: "membership_ended")
            }
            try await Record.append(on: db, at: now, actor: .init(actor), action: "membership.ended", subjectType: "organisation",
                                    subjectID: organisationID.uuidString, before: ["membership": "active"], after: ["membership": "ended", "reason": reason],
                                    schemeVersion: active.versionID)
        }
    }

    /// When the transition is over, administrators hear which members did not accept, so that
    /// they can decide on those memberships.
    var transitionActions: DeadlinesService.Actions {
        let service = self
        return DeadlinesService.Actions(reminder: nil) { deadline, context in
            guard let id = UUID(uuidString: deadline.subjectID), let change = try await RuleChange.find(id, on: context.storage.db) else { return }
            let pending = try await service.standings(of: change).filter(\.mayBeEnded).count
            guard pending > 0 else { return }
            let admins = try await User.query(on: context.storage.db).filter(\.$roleRaw == Role.admin.rawValue).filter(\.$disabledAt == nil).all()
            let now = context.clock.now()
            try await context.storage.db.transaction { db in
                for admin in admins {
                    let locale = AppLocale(rawValue: admin.locale) ?? .fallback
                    let title = service.active.text(RuleChangesService.texts(change.title), locale)
                    try await service.outbox.add(
                        on: db, at: now, to: admin.email,
                        subject: service.localizer.text("mail_transition_over_subject", locale, ["scheme": service.active.scheme.name, "title": title]),
                        body: service.localizer.text("mail_transition_over_body", locale, [
                            "name": admin.displayName, "title": title, "count": "\(pending)", "link": "\(service.baseURL)/staff/rule-changes/\(id.uuidString)",
                        ]),
                        locale: locale.rawValue, kind: "transition_over")
                }
            }
        }
    }

    private func clean(_ texts: [String: String], field: String, max: Int, errors: inout FormErrors) -> [String: String] {
        var result: [String: String] = [:]
        for language in active.scheme.languages {
            let text = (texts[language] ?? "").trimmingWhitespace()
            if text.count > max { errors.add(.invalid("\(field)_\(language)", "validation_too_long", ["max": "\(max)"])) }
            if !text.isEmpty { result[language] = text }
        }
        if result[active.scheme.defaultLanguage] == nil { errors.add(.invalid("\(field)_\(active.scheme.defaultLanguage)", "validation_required")) }
        return result
    }

    static func json(_ texts: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(texts)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func texts(_ json: String) -> LocalizedText {
        LocalizedText((try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:])
    }
}

/// Dates as people read them, in their language and the scheme's time zone.
enum DateText {
    static func day(_ date: Date, locale: AppLocale, timeZone: TimeZone) -> String {
        formatted(date, key: "day|\(locale.rawValue)|\(timeZone.identifier)") {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: ["nl": "nl_NL", "en": "en_GB", "de": "de_DE"][locale.rawValue] ?? "nl_NL")
            formatter.timeZone = timeZone
            formatter.dateStyle = .long
            formatter.timeStyle = .none
            return formatter
        }
    }

    /// A month in short, in the reader's language ("jan. 27", "Jan 27").
    static func month(_ date: Date, locale: AppLocale, timeZone: TimeZone) -> String {
        formatted(date, key: "month|\(locale.rawValue)|\(timeZone.identifier)") {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: ["nl": "nl_NL", "en": "en_GB", "de": "de_DE"][locale.rawValue] ?? "nl_NL")
            formatter.timeZone = timeZone
            formatter.dateFormat = "LLL yy"
            return formatter
        }
    }

    /// A day and time in the reader's language (`24 december 2026 11:00`).
    static func dateTime(_ date: Date, locale: AppLocale, timeZone: TimeZone) -> String {
        formatted(date, key: "datetime|\(locale.rawValue)|\(timeZone.identifier)") {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: ["nl": "nl_NL", "en": "en_GB", "de": "de_DE"][locale.rawValue] ?? "nl_NL")
            formatter.timeZone = timeZone
            formatter.dateStyle = .long
            formatter.timeStyle = .short
            return formatter
        }
    }

    /// A moment for staff lists: `2026-12-24 11:00` in the scheme's time zone.
    static func moment(_ date: Date, timeZone: TimeZone) -> String {
        formatted(date, key: "moment|\(timeZone.identifier)") {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = timeZone
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            return formatter
        }
    }

    /// Formatters are costly to make (a public page prints several dates), so each kind is made
    /// once and used under a lock.
    private static let formatters = NSLock()
    nonisolated(unsafe) private static var made: [String: DateFormatter] = [:]

    private static func formatted(_ date: Date, key: String, make: () -> DateFormatter) -> String {
        formatters.withLock {
            if let formatter = made[key] { return formatter.string(from: date) }
            let formatter = make()
            made[key] = formatter
            return formatter.string(from: date)
        }
    }
}
