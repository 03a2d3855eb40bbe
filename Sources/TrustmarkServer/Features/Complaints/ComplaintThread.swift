import FluentKit
import Foundation
import TrustmarkCore

/// A step a mediator asks for, with what that step needs.
struct ComplaintTransitionRequest: Codable, Sendable {
    let to: String
    var reason: String?
    /// For `ruled`: `for_consumer`, `partly` or `for_shop`, and the ruling in short.
    var rulingOutcome: String?
    var rulingSummary: String?
    /// For `closed` after a ruling: whether the shop complied.
    var complied: Bool?
    /// For `referred`: the committee's case number, if known.
    var disputeReference: String?
}

/// The thread and the parties' steps: messages and files, the shop's answer, the consumer's
/// accept / reject / withdraw, and the mediator's assignment, questions and decisions.
extension ComplaintsService {
    /// Posts a message (with files) as `viewer`. Staff may write internal notes; the others'
    /// messages go to every other party by mail.
    /// `then` runs in the same transaction, after the message is written (the shop's answer moves
    /// the complaint on there, so that message and step are stored together or not at all).
    @discardableResult
    func post(_ rawID: String?, as viewer: Viewer, body rawBody: String, kind: String = "message", staffOnly: Bool = false,
              files incoming: [IncomingFile] = [],
              then: (@Sendable (Complaint, ComplaintMessage, any Database) async throws -> Void)? = nil) async throws -> ComplaintMessage {
        let body = rawBody.trimmingWhitespace()
        guard !body.isEmpty else { throw AppError.invalid("body", "validation_required") }
        guard body.count <= 10_000 else { throw AppError.invalid("body", "validation_too_long", ["max": "10000"]) }
        if staffOnly, viewer.party != .mediator { throw AppError.forbidden }
        let checked = try files.check(incoming)
        let complaint = try await load(rawID, for: viewer, on: desk.storage.db)
        let id = try complaint.requireID()
        return try await files.storing(checked, complaint: id) {
            try await desk.storage.db.transaction { db in
                guard let fresh = try await Complaint.find(id, on: db), let state = fresh.state else { throw AppError.notFound }
                if state.isFinal, !staffOnly {
                    throw AppError.conflict("complaint_closed", "complaint_closed", ["state": desk.localizer.text("complaint_state_\(state.rawValue)", .fallback)])
                }
                let message = try await write(fresh, party: viewer.party, author: viewer.identity, kind: staffOnly ? "note" : kind, staffOnly: staffOnly,
                                              body: body, files: checked, on: db)
                if viewer.party == .consumer, fresh.waitingForConsumer {
                    fresh.waitingForConsumer = false
                    if let deadline = try await openDeadline(Self.handlingDeadline, of: id, on: db) {
                        try await deadlines.record(.resumed, deadlineID: try deadline.requireID(), on: db)
                    }
                }
                fresh.updatedAt = desk.clock.now()
                try await fresh.save(on: db)
                try await then?(fresh, message, db)
                if !staffOnly { try await announce(message, in: fresh, on: db) }
                return message
            }
        }
    }

    func write(_ complaint: Complaint, party: ComplaintParty, author: Identity?, kind: String, staffOnly: Bool, body: String,
               files checked: [CheckedFile], on db: any Database) async throws -> ComplaintMessage {
        let id = try complaint.requireID()
        let message = ComplaintMessage()
        message.id = UUID()
        message.$complaint.id = id
        message.at = desk.clock.now()
        message.party = party.rawValue
        message.authorID = author?.userID
        message.authorName = party == .consumer ? complaint.consumerName : author?.displayName ?? desk.scheme.name
        message.kind = kind
        message.isInternal = staffOnly
        message.body = body
        try await message.create(on: db)
        try await attach(checked, to: id, message: message.id, party: party, staffOnly: staffOnly, on: db)
        try await Record.append(on: db, at: message.at, actor: author.map(Record.Actor.init) ?? Record.Actor(userID: nil, role: party.rawValue),
                                action: "complaint.message", subjectType: Self.subjectType, subjectID: id.uuidString,
                                after: ["kind": kind, "party": party.rawValue, "internal": staffOnly ? "yes" : "no", "files": "\(checked.count)"])
        if !staffOnly {
            try await WebhookEvents.emit(.complaintMessage, organisation: complaint.organisationID, data: ComplaintMessageEventData(complaint, message: message, files: checked.count),
                                         now: message.at, on: db)
        }
        return message
    }

    /// New messages reach the other parties by mail, each in their own language.
    private func announce(_ message: ComplaintMessage, in complaint: Complaint, on db: any Database) async throws {
        let party = ComplaintParty(rawValue: message.party) ?? .system
        let forwarded = complaint.forwardedAt != nil
        if party != .consumer {
            try await mailConsumer(complaint, subject: "mail_complaint_message_subject", body: "mail_complaint_message_body", kind: "complaint.message", on: db)
        }
        if party != .shop, forwarded {
            try await mailShop(complaint, subject: "mail_complaint_message_subject", body: "mail_complaint_message_body", kind: "complaint.message", on: db)
        }
        if party != .mediator, complaint.assignedTo != nil || complaint.state == .mediation {
            try await mailStaff(complaint, subject: "mail_complaint_message_subject", body: "mail_complaint_message_body", kind: "complaint.message", on: db)
        }
    }

    /// The shop answers (or proposes a solution). The first answer before the complaint reached
    /// mediation moves it to `answered`; on a finished complaint it is refused with 409.
    func answer(_ rawID: String?, member: Identity, body: String, proposal: Bool, files incoming: [IncomingFile]) async throws -> Complaint {
        let kind = proposal ? "proposal" : "answer"
        let service = self
        let message = try await post(rawID, as: .member(member), body: body, kind: kind, files: incoming) { complaint, message, db in
            if complaint.firstAnswerAt == nil {
                complaint.firstAnswerAt = message.at
                try await complaint.save(on: db)
            }
            if complaint.state == .forwarded || complaint.state == .noAnswer {
                try await service.move(complaint, to: .answered, by: .shop, actor: member, reason: nil, on: db)
            } else {
                try await service.refreshFigures(of: complaint, on: db)
            }
        }
        guard let complaint = try await Complaint.find(message.$complaint.id, on: desk.storage.db) else { throw AppError.notFound }
        return complaint
    }

    /// The consumer accepts the shop's answer, asks for mediation, or withdraws.
    func consumerStep(_ rawID: String?, to next: ComplaintState, reason: String?) async throws -> Complaint {
        let complaint = try await load(rawID, for: .consumer, on: desk.storage.db)
        let id = try complaint.requireID()
        return try await desk.storage.db.transaction { db in
            guard let fresh = try await Complaint.find(id, on: db) else { throw AppError.notFound }
            let outcome: ComplaintOutcome? = next == .resolved ? .acceptedAnswer : next == .closed ? .withdrawn : nil
            try await move(fresh, to: next, by: .consumer, actor: nil, reason: reason, outcome: outcome, on: db)
            if next == .mediation {
                try await mailStaff(fresh, subject: "mail_complaint_mediation_subject", body: "mail_complaint_mediation_body", kind: "complaint.mediation", on: db)
            }
            if fresh.forwardedAt != nil {
                try await mailShop(fresh, subject: "mail_complaint_state_subject", body: "mail_complaint_state_body", kind: "complaint.state", on: db)
            }
            return fresh
        }
    }

    /// A mediator's (or, for complaints about the trustmark, an administrator's) step.
    func mediatorStep(_ rawID: String?, staff: Identity, request: ComplaintTransitionRequest) async throws -> Complaint {
        guard let next = ComplaintState(rawValue: request.to) else {
            throw AppError.invalid("to", "complaint_state_unknown", ["allowed": ComplaintState.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        let reason = request.reason?.trimmingWhitespace() ?? ""
        if reason.count > 2000 { throw AppError.invalid("reason", "validation_too_long", ["max": "2000"]) }
        if [.resolved, .unresolved, .closed].contains(next), reason.isEmpty { throw AppError.invalid("reason", "complaint_reason_required") }
        let complaint = try await load(rawID, for: .staff(staff), on: desk.storage.db)
        let id = try complaint.requireID()
        let rules = try rules()
        return try await desk.storage.db.transaction { db in
            guard let fresh = try await Complaint.find(id, on: db), let current = fresh.state else { throw AppError.notFound }
            var outcome: ComplaintOutcome?
            switch next {
            case .resolved: outcome = .mediated
            case .referred:
                guard fresh.subject == .shop, let body = rules.disputeBody else { throw AppError.conflict("complaint_no_dispute_body", "complaint_no_dispute_body") }
                guard current == .unresolved else { break }
                fresh.referredAt = desk.clock.now()
                fresh.disputeFeeCents = body.fee?.cents
                fresh.disputeReference = request.disputeReference?.trimmingWhitespace()
            case .ruled:
                guard current == .referred else { break }
                guard let ruling = request.rulingOutcome.flatMap(RulingOutcome.init) else {
                    throw AppError.invalid("rulingOutcome", "complaint_ruling_outcome_required")
                }
                let summary = request.rulingSummary?.trimmingWhitespace() ?? ""
                guard !summary.isEmpty else { throw AppError.invalid("rulingSummary", "validation_required") }
                fresh.ruledAt = desk.clock.now()
                fresh.rulingOutcome = ruling.rawValue
                fresh.rulingSummary = summary
            case .closed:
                if current == .unresolved { outcome = .unresolved }
                if current == .ruled {
                    if fresh.rulingOutcome == RulingOutcome.forShop.rawValue {
                        outcome = .rulingForShop
                    } else {
                        guard let complied = request.complied else { throw AppError.invalid("complied", "complaint_complied_required") }
                        fresh.complied = complied
                        outcome = complied ? .rulingComplied : .rulingNotComplied
                    }
                }
            default: break
            }
            try await move(fresh, to: next, by: .mediator, actor: staff, reason: reason.isEmpty ? nil : reason, outcome: outcome, on: db)
            if outcome == .rulingNotComplied { try await openGuaranteeClaim(fresh, on: db) }
            try await mailConsumer(fresh, subject: "mail_complaint_state_subject", body: "mail_complaint_state_body",
                                   extra: ["state": desk.localizer.text("complaint_state_\(next.rawValue)", AppLocale(rawValue: fresh.consumerLocale) ?? .fallback)],
                                   kind: "complaint.state", on: db)
            if fresh.forwardedAt != nil {
                try await mailShop(fresh, subject: "mail_complaint_state_subject", body: "mail_complaint_state_body", kind: "complaint.state", on: db)
            }
            return fresh
        }
    }

    /// Assigns the complaint to a mediator (or takes it off anyone with nil).
    func assign(_ rawID: String?, staff: Identity, to userID: UUID?) async throws {
        let complaint = try await load(rawID, for: .staff(staff), on: desk.storage.db)
        if let userID {
            guard let user = try await User.find(userID, on: desk.storage.db), user.role == .mediator || user.role == .admin, !user.isDisabled else {
                throw AppError.invalid("mediatorId", "complaint_mediator_unknown")
            }
        }
        let id = try complaint.requireID()
        try await desk.storage.db.transaction { db in
            guard let fresh = try await Complaint.find(id, on: db) else { throw AppError.notFound }
            fresh.assignedTo = userID
            fresh.updatedAt = desk.clock.now()
            try await fresh.save(on: db)
            try await Record.append(on: db, at: desk.clock.now(), actor: Record.Actor(staff), action: "complaint.assigned", subjectType: Self.subjectType,
                                    subjectID: id.uuidString, after: ["to": userID?.uuidString ?? "nobody"])
        }
    }

    /// The mediator asks the consumer something: the message goes out and the trustmark's own
    /// deadline pauses until the consumer answers.
    func askConsumer(_ rawID: String?, staff: Identity, body: String) async throws {
        let complaint = try await load(rawID, for: .staff(staff), on: desk.storage.db)
        guard complaint.state == .mediation else {
            throw AppError.conflict("complaint_not_in_mediation", "complaint_not_in_mediation")
        }
        let service = self
        try await post(rawID, as: .staff(staff), body: body, kind: "question") { fresh, _, db in
            guard fresh.state == .mediation else { throw AppError.conflict("complaint_not_in_mediation", "complaint_not_in_mediation") }
            fresh.waitingForConsumer = true
            try await fresh.save(on: db)
            if let deadline = try await service.openDeadline(Self.handlingDeadline, of: try fresh.requireID(), on: db) {
                try await service.deadlines.record(.paused, deadlineID: try deadline.requireID(), on: db)
            }
        }
    }

    // MARK: - Deadlines passing

    var deadlineActions: [String: DeadlinesService.Actions] {
        let service = self
        return [
            Self.shopAnswerDeadline: .init(reminder: { deadline, _ in try await service.remind(deadline, party: .shop) },
                                           due: { deadline, _ in try await service.shopSilent(deadline) }),
            Self.handlingDeadline: .init(reminder: { deadline, _ in try await service.remind(deadline, party: .mediator) },
                                         due: { deadline, _ in try await service.remind(deadline, party: .mediator, overdue: true) }),
            Self.consumerReplyDeadline: .init(reminder: { deadline, _ in try await service.remind(deadline, party: .consumer) },
                                              due: { deadline, _ in try await service.consumerSilent(deadline) }),
        ]
    }

    private func remind(_ deadline: Deadline, party: ComplaintParty, overdue: Bool = false) async throws {
        guard let id = UUID(uuidString: deadline.subjectID) else { return }
        try await desk.storage.db.transaction { db in
            guard let complaint = try await Complaint.find(id, on: db), complaint.state?.isFinal == false else { return }
            let extra = dueText(deadline)
            switch party {
            case .shop: try await mailShop(complaint, subject: "mail_complaint_reminder_subject", body: "mail_complaint_reminder_shop_body", extra: extra, kind: "complaint.reminder", on: db)
            case .consumer:
                let locale = AppLocale(rawValue: complaint.consumerLocale) ?? .fallback
                try await mailConsumer(complaint, subject: "mail_complaint_reminder_subject", body: "mail_complaint_reminder_consumer_body",
                                       extra: ["deadline": extra["deadline_\(locale.rawValue)"] ?? ""], kind: "complaint.reminder", on: db)
            default:
                try await mailStaff(complaint, subject: overdue ? "mail_complaint_overdue_subject" : "mail_complaint_reminder_subject",
                                    body: overdue ? "mail_complaint_overdue_body" : "mail_complaint_reminder_staff_body",
                                    extra: ["deadline": extra["deadline_en"] ?? ""], kind: "complaint.reminder", on: db)
            }
        }
    }

    /// The shop let its deadline pass: marked 'no answer', which counts against it; both parties hear.
    private func shopSilent(_ deadline: Deadline) async throws {
        guard let id = UUID(uuidString: deadline.subjectID) else { return }
        try await desk.storage.db.transaction { db in
            guard let complaint = try await Complaint.find(id, on: db), complaint.state == .forwarded else { return }
            complaint.noAnswer = true
            try await complaint.save(on: db)
            try await move(complaint, to: .noAnswer, by: .system, actor: nil, reason: nil, on: db)
            try await close(Self.shopAnswerDeadline, of: id, met: false, on: db)
            try await mailConsumer(complaint, subject: "mail_complaint_no_answer_subject", body: "mail_complaint_no_answer_consumer_body", kind: "complaint.no_answer", on: db)
            try await mailShop(complaint, subject: "mail_complaint_no_answer_subject", body: "mail_complaint_no_answer_shop_body", kind: "complaint.no_answer", on: db)
        }
    }

    /// The consumer did not react to the shop's answer in time: the complaint closes.
    private func consumerSilent(_ deadline: Deadline) async throws {
        guard let id = UUID(uuidString: deadline.subjectID) else { return }
        try await desk.storage.db.transaction { db in
            guard let complaint = try await Complaint.find(id, on: db), complaint.state == .answered else { return }
            try await move(complaint, to: .closed, by: .system, actor: nil, reason: nil, outcome: .noReply, on: db)
            try await mailConsumer(complaint, subject: "mail_complaint_state_subject", body: "mail_complaint_no_reply_body", kind: "complaint.state", on: db)
        }
    }
}
