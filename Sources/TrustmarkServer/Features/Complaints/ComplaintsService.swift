import FluentKit
import Foundation
import TrustmarkCore

/// Complaints: intake and confirmation (ComplaintFiling.swift), the thread and the parties' steps
/// (ComplaintThread.swift), disputes (ComplaintDisputes.swift) and the shop figures
/// (ComplaintStatistics.swift). This file holds what they share: the rules, loading a complaint
/// for a viewer, moving it through the state machine with its deadlines, and mail to its parties.
struct ComplaintsService: Sendable {
    let desk: MembershipDesk
    let deadlines: DeadlinesService
    let files: EvidenceFiles
    let links: SignedLink
    let register: PublicRegister

    static let subjectType = "complaint"
    static let shopAnswerDeadline = "complaint.shop_answer"
    static let handlingDeadline = "complaint.handling"
    static let consumerReplyDeadline = "complaint.consumer_reply"
    static let expireJob = "complaint.expire"
    static let dailyKind = "complaints.daily"
    /// How long the consumer's own link to the complaint works (it comes again with every mail).
    static let consumerLinkLifetime: TimeInterval = 2 * 366 * 24 * 3600

    /// Who is looking at or acting on a complaint.
    enum Viewer: Sendable {
        case staff(Identity)
        case member(Identity)
        /// The consumer, through the signed link of the complaint.
        case consumer

        var party: ComplaintParty {
            switch self {
            case .staff: return .mediator
            case .member: return .shop
            case .consumer: return .consumer
            }
        }

        var identity: Identity? {
            switch self {
            case .staff(let identity), .member(let identity): return identity
            case .consumer: return nil
            }
        }
    }

    func rules() throws -> ComplaintRules {
        guard let rules = desk.scheme.complaints else { throw AppError(.notFound, code: "complaints_not_run", messageKey: "complaints_not_run") }
        return rules
    }

    var intake: ComplaintIntake? {
        desk.scheme.complaints.map { ComplaintIntake(rules: $0, calendar: desk.calendar) }
    }

    // MARK: - Finding a complaint

    /// A confirmed complaint as this viewer may see it; anything else is "not found" (no hint that
    /// another member's complaint exists).
    func load(_ rawID: String?, for viewer: Viewer, on db: any Database) async throws -> Complaint {
        guard let id = rawID.flatMap(UUID.init(uuidString:)),
              let complaint = try await Complaint.query(on: db).filter(\.$id == id).with(\.$shop).first(),
              complaint.stateRaw != Complaint.unconfirmed
        else { throw AppError.notFound }
        switch viewer {
        case .staff(let identity):
            // Complaints about the trustmark itself are for administrators only.
            if complaint.subject == .trustmark, identity.role != .admin { throw AppError.notFound }
            guard identity.role == .admin || identity.role == .mediator else { throw AppError.notFound }
        case .member(let identity):
            guard complaint.subject == .shop, let organisation = complaint.organisationID, identity.organisationID == organisation else { throw AppError.notFound }
            if let shopID = identity.apiKey?.shopID, complaint.$shop.id != shopID { throw AppError.notFound }
        case .consumer:
            break
        }
        return complaint
    }

    /// The consumer's link to the complaint, signed so it works without a password.
    func consumerKey(_ complaint: Complaint) throws -> String {
        links.sign(purpose: "complaint", subject: try complaint.requireID().uuidString, expires: desk.clock.now().addingTimeInterval(Self.consumerLinkLifetime))
    }

    func consumerURL(_ complaint: Complaint) throws -> String {
        desk.baseURL + "/complaints/\(try complaint.requireID().uuidString.lowercased())?key=\(try consumerKey(complaint))"
    }

    /// Checks the consumer's link for complaint `id`.
    func checkConsumerKey(_ key: String?, id: String?) throws {
        guard let key, let id, let claims = try? links.verify(key, purpose: "complaint", now: desk.clock.now()),
              claims.subject.lowercased() == id.lowercased()
        else { throw AppError(.notFound, code: "complaint_link_invalid", messageKey: "complaint_link_invalid") }
    }

    // MARK: - Moving through the state machine

    /// Moves the complaint, records the step (timeline and record) and keeps its deadlines in step:
    /// the shop's answer deadline ends when it answers, the trustmark's runs during mediation, the
    /// consumer's reply deadline runs after an answer.
    func move(_ complaint: Complaint, to next: ComplaintState, by party: ComplaintParty, actor: Identity?, reason: String?,
              outcome: ComplaintOutcome? = nil, on db: any Database) async throws {
        guard let current = complaint.state else { throw AppError.conflict("complaint_unconfirmed", "complaint_unconfirmed") }
        // An empty reason from a form is no reason.
        let reason = reason.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0.trimmingWhitespace() }
        do {
            try ComplaintWorkflow.check(from: current, to: next, by: party)
        } catch {
            let allowed = error.allowed.map(\.rawValue)
            var refusal = AppError.conflict("complaint_transition_refused", allowed.isEmpty ? "complaint_transition_none" : "complaint_transition_refused",
                                            ["from": current.rawValue, "to": next.rawValue, "allowed": allowed.joined(separator: ", ")])
            refusal.details = ["from": current.rawValue, "to": next.rawValue, "allowed": allowed.joined(separator: ",")]
            throw refusal
        }
        let now = desk.clock.now()
        let id = try complaint.requireID()
        let step = ComplaintStep()
        step.$complaint.id = id
        step.at = now
        step.from = current.rawValue
        step.to = next.rawValue
        step.party = party.rawValue
        step.actorID = actor?.userID
        step.reason = reason
        try await step.create(on: db)

        complaint.stateRaw = next.rawValue
        complaint.updatedAt = now
        if let outcome { complaint.outcomeRaw = outcome.rawValue }
        if next.isFinal { complaint.finishedAt = now }
        if current == .mediation { complaint.waitingForConsumer = false }
        try await complaint.save(on: db)

        let rules = try rules()
        if [.forwarded, .noAnswer].contains(current), next != .noAnswer { try await close(Self.shopAnswerDeadline, of: id, met: next == .answered, on: db) }
        if current == .answered { try await close(Self.consumerReplyDeadline, of: id, met: true, on: db) }
        if current == .mediation { try await close(Self.handlingDeadline, of: id, met: true, on: db) }
        if next == .answered, let reply = rules.consumerReplyDeadline {
            try await startDeadline(Self.consumerReplyDeadline, of: id, length: reply, on: db)
        }
        if next == .mediation, let handling = rules.handlingDeadline {
            try await startDeadline(Self.handlingDeadline, of: id, length: handling, on: db)
        }
        if next.isFinal {
            for kind in [Self.shopAnswerDeadline, Self.handlingDeadline, Self.consumerReplyDeadline] { try await close(kind, of: id, met: false, on: db) }
        }
        var detail = ["from": current.rawValue, "to": next.rawValue, "by": party.rawValue]
        if let reference = complaint.reference { detail["reference"] = reference }
        if let reason { detail["reason"] = reason }
        if let outcome { detail["outcome"] = outcome.rawValue }
        try await Record.append(on: db, at: now, actor: actor.map(Record.Actor.init) ?? .system, action: "complaint.\(next.rawValue)",
                                subjectType: Self.subjectType, subjectID: id.uuidString, after: detail)
        try await refreshFigures(of: complaint, on: db)
    }

    func startDeadline(_ kind: String, of id: UUID, length: Period, on db: any Database) async throws {
        try await deadlines.start(subjectType: Self.subjectType, subjectID: id.uuidString, kind: kind, length: length,
                                  remindBefore: desk.scheme.complaints?.reminderBefore, on: db)
    }

    func openDeadline(_ kind: String, of id: UUID, on db: any Database) async throws -> Deadline? {
        try await Deadline.query(on: db).filter(\.$subjectType == Self.subjectType).filter(\.$subjectID == id.uuidString)
            .filter(\.$kind == kind).filter(\.$closedAt == nil).first()
    }

    func close(_ kind: String, of id: UUID, met: Bool, on db: any Database) async throws {
        guard let deadline = try await openDeadline(kind, of: id, on: db) else { return }
        try await deadlines.record(met ? .met : .cancelled, deadlineID: try deadline.requireID(), on: db)
    }

    // MARK: - Telling the parties

    /// Mails the consumer in the language they filed in; `extra` adds arguments to the text.
    func mailConsumer(_ complaint: Complaint, subject: String, body: String, extra: [String: String] = [:], kind: String, on db: any Database) async throws {
        let locale = AppLocale(rawValue: complaint.consumerLocale) ?? .fallback
        var values = try await arguments(complaint, locale: locale, on: db).merging(extra) { _, new in new }
        values["name"] = complaint.consumerName
        values["link"] = try consumerURL(complaint)
        try await desk.mail(to: complaint.consumerEmail, locale, subject: subject, body: body, values, kind: kind, on: db)
    }

    /// Mails the shop's contact in its language, with the link to the complaint in the portal.
    func mailShop(_ complaint: Complaint, subject: String, body: String, extra: [String: String] = [:], kind: String, on db: any Database) async throws {
        guard let organisation = complaint.organisationID else { return }
        let base = try await arguments(complaint, locale: .fallback, on: db)
        let link = desk.baseURL + "/portal/complaints/\(try complaint.requireID().uuidString.lowercased())"
        let service = self
        try await desk.mail(organisation, subject: subject, body: body, { locale in
            var values = base.merging(extra) { _, new in new }
            values["link"] = link
            values["deadline"] = extra["deadline_\(locale.rawValue)"] ?? extra["deadline"] ?? ""
            values["state"] = service.desk.localizer.text("complaint_state_\(complaint.stateRaw)", locale)
            return values
        }, kind: kind, on: db)
    }

    /// Mails the staff who handle the complaint: the assigned mediator, else every mediator (every
    /// administrator for complaints about the trustmark).
    func mailStaff(_ complaint: Complaint, subject: String, body: String, extra: [String: String] = [:], kind: String, on db: any Database) async throws {
        var recipients: [User] = []
        if let assigned = complaint.assignedTo, let user = try await User.find(assigned, on: db), !user.isDisabled, user.passwordHash != nil {
            recipients = [user]
        } else {
            let role: Role = complaint.subject == .trustmark ? .admin : .mediator
            recipients = try await User.query(on: db).filter(\.$roleRaw == role.rawValue).filter(\.$disabledAt == nil).all().filter { $0.passwordHash != nil }
        }
        let link = desk.baseURL + "/staff/complaints/\(try complaint.requireID().uuidString.lowercased())"
        for user in recipients {
            let locale = AppLocale(rawValue: user.locale) ?? .fallback
            var values = try await arguments(complaint, locale: locale, on: db).merging(extra) { _, new in new }
            values["name"] = user.displayName
            values["link"] = link
            try await desk.mail(to: user.email, locale, subject: subject, body: body, values, kind: kind, on: db)
        }
    }

    private func arguments(_ complaint: Complaint, locale: AppLocale, on db: any Database) async throws -> [String: String] {
        var shopName = ""
        if let shopID = complaint.$shop.id { shopName = try await Shop.find(shopID, on: db)?.name ?? "" }
        return ["reference": complaint.reference ?? "", "shop": shopName, "scheme": desk.scheme.name]
    }

    /// The due moment of a deadline as a day in the reader's language.
    func dueText(_ deadline: Deadline) -> [String: String] {
        var values: [String: String] = [:]
        for locale in AppLocale.allCases {
            values["deadline_\(locale.rawValue)"] = DateText.day(deadline.dueAt.addingTimeInterval(-1), locale: locale, timeZone: desk.timeZone)
        }
        return values
    }
}
