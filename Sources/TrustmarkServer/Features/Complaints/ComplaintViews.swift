import FluentKit
import Foundation
import TrustmarkCore

/// A complaint as one of its parties sees it (API and pages). The shop never sees the consumer's
/// e-mail address or country, nor staff notes; the consumer never sees staff notes.
struct ComplaintDTO: Codable, Sendable {
    struct ShopRef: Codable, Sendable {
        let id: UUID
        let name: String
        let slug: String
    }

    struct DeadlineDTO: Codable, Sendable {
        let kind: String
        let kindText: String
        let dueAt: Date
        let dueText: String
        let state: String
        let stateText: String
    }

    struct MessageDTO: Codable, Sendable {
        let id: UUID
        let at: Date
        let atText: String
        let party: String
        let partyText: String
        let author: String
        let kind: String
        let kindText: String
        let internalNote: Bool
        let body: String
        let attachments: [AttachmentDTO]
    }

    struct AttachmentDTO: Codable, Sendable {
        let id: UUID
        let filename: String
        let mediaType: String
        let size: Int
        let sizeText: String
        let party: String
        let url: String
    }

    struct StepDTO: Codable, Sendable {
        let at: Date
        let atText: String
        let from: String
        let to: String
        let toText: String
        let party: String
        let partyText: String
        let reason: String?
    }

    struct DisputeDTO: Codable, Sendable {
        let body: String
        let url: String?
        let fee: String?
        let referredAt: Date?
        /// The committee's own case number.
        let caseNumber: String?
        let rulingOutcome: String?
        let rulingOutcomeText: String?
        let rulingSummary: String?
        let complied: Bool?
        let guaranteeClaim: String?
    }

    let id: UUID
    let reference: String
    let subject: String
    let state: String
    let stateText: String
    let outcome: String?
    let outcomeText: String?
    let shop: ShopRef?
    let consumerName: String
    let consumerEmail: String?
    let consumerCountry: String?
    let sector: String?
    let orderNumber: String?
    let orderDate: String?
    let orderDateText: String?
    let contactedShopOn: String?
    let contactedText: String?
    let contactChannel: String?
    let shopAnsweredBefore: Bool
    let description: String
    let wish: String?
    let source: String
    let filedAt: Date
    let filedText: String
    let forwardedAt: Date?
    let firstAnswerAt: Date?
    let noAnswer: Bool
    let waitingForConsumer: Bool
    let assignedTo: UUID?
    let assignedName: String?
    let codeVersion: String
    let deadlines: [DeadlineDTO]
    let messages: [MessageDTO]
    let attachments: [AttachmentDTO]
    let timeline: [StepDTO]
    /// The states this viewer may move the complaint to now.
    let allowedSteps: [String]
    let dispute: DisputeDTO?
}

/// A line in a list of complaints.
struct ComplaintSummaryDTO: Codable, Sendable {
    let id: UUID
    let reference: String
    let subject: String
    let state: String
    let stateText: String
    let shop: String?
    let consumerName: String
    let filedAt: Date
    let filedText: String
    let updatedAt: Date
    let dueAt: Date?
    let dueText: String?
    let overdue: Bool
    let noAnswer: Bool
    let assignedName: String?
}

extension ComplaintsService {
    /// `attachmentBase` and `attachmentQuery` make the files' addresses (the consumer's carry their key).
    func view(_ complaint: Complaint, for viewer: Viewer, locale: AppLocale, attachmentBase: String, attachmentQuery: String = "") async throws -> ComplaintDTO {
        let db = desk.storage.db
        let id = try complaint.requireID()
        let staff = viewer.party == .mediator
        func t(_ key: String) -> String { desk.localizer.text(key, locale) }
        func moment(_ date: Date) -> String { DateText.dateTime(date, locale: locale, timeZone: desk.timeZone) }
        var files = try await ComplaintAttachment.query(on: db).filter(\.$complaint.$id == id).sort(\.$at).all()
        if !staff { files = files.filter { !$0.isInternal } }
        let attachment = { (row: ComplaintAttachment) -> ComplaintDTO.AttachmentDTO in
            let fileID = row.id ?? UUID()
            return .init(id: fileID, filename: row.filename, mediaType: row.mediaType, size: row.size, sizeText: EvidenceFiles.sizeText(max(row.size, 1024)),
                         party: row.party, url: attachmentBase + "/files/\(fileID.uuidString.lowercased())" + attachmentQuery)
        }
        var messages = try await ComplaintMessage.query(on: db).filter(\.$complaint.$id == id).sort(\.$at).all()
        if !staff { messages = messages.filter { !$0.isInternal } }
        let messageDTOs = messages.map { message in
            ComplaintDTO.MessageDTO(id: message.id ?? UUID(), at: message.at, atText: moment(message.at), party: message.party, partyText: t("complaint_party_\(message.party)"),
                                    author: message.authorName, kind: message.kind, kindText: t("complaint_message_\(message.kind)"), internalNote: message.isInternal,
                                    body: message.body, attachments: files.filter { $0.messageID == message.id }.map(attachment))
        }
        let steps = try await ComplaintStep.query(on: db).filter(\.$complaint.$id == id).sort(\.$at).all().map { step in
            ComplaintDTO.StepDTO(at: step.at, atText: moment(step.at), from: step.from, to: step.to, toText: t("complaint_state_\(step.to)"), party: step.party,
                                 partyText: t("complaint_party_\(step.party)"), reason: step.reason)
        }
        var deadlineDTOs: [ComplaintDTO.DeadlineDTO] = []
        for deadline in try await Deadline.query(on: db).filter(\.$subjectType == Self.subjectType).filter(\.$subjectID == id.uuidString)
            .filter(\.$closedAt == nil).sort(\.$dueAt).all() {
            if viewer.party == .shop, deadline.kind != Self.shopAnswerDeadline { continue }
            if viewer.party == .consumer, deadline.kind == Self.handlingDeadline { continue }
            let state = try await deadlines.state(deadline, on: db)
            deadlineDTOs.append(.init(kind: deadline.kind, kindText: t("deadline_\(deadline.kind.replacingOccurrences(of: ".", with: "_"))"), dueAt: deadline.dueAt,
                                      dueText: moment(deadline.dueAt.addingTimeInterval(-60)), state: state.rawValue, stateText: t("deadline_state_\(state.rawValue)")))
        }
        var assignedName: String?
        if let assigned = complaint.assignedTo { assignedName = try await User.find(assigned, on: db)?.displayName }
        var dispute: ComplaintDTO.DisputeDTO?
        if let body = desk.scheme.complaints?.disputeBody, complaint.subject == .shop,
           complaint.referredAt != nil || [.unresolved].contains(complaint.state) {
            let claim = try await guaranteeClaim(of: id)
            dispute = .init(body: body.name, url: body.url, fee: body.fee.map { desk.money($0.cents, locale) }, referredAt: complaint.referredAt,
                            caseNumber: complaint.disputeReference, rulingOutcome: complaint.rulingOutcome,
                            rulingOutcomeText: complaint.rulingOutcome.map { t("complaint_ruling_\($0)") }, rulingSummary: complaint.rulingSummary,
                            complied: complaint.complied, guaranteeClaim: claim?.state)
        }
        let state = complaint.stateRaw
        let allowed = complaint.state.map { ComplaintWorkflow.allowed(from: $0, by: viewer.party).map(\.rawValue) } ?? []
        return ComplaintDTO(
            id: id, reference: complaint.reference ?? "", subject: complaint.subjectRaw, state: state, stateText: t("complaint_state_\(state)"),
            outcome: complaint.outcomeRaw, outcomeText: complaint.outcomeRaw.map { t("complaint_outcome_\($0)") },
            shop: complaint.shop.map { .init(id: $0.id ?? UUID(), name: $0.name, slug: $0.slug ?? "") },
            consumerName: complaint.consumerName, consumerEmail: viewer.party == .shop ? nil : complaint.consumerEmail,
            consumerCountry: viewer.party == .shop ? nil : complaint.consumerCountry, sector: complaint.sector, orderNumber: complaint.orderNumber,
            orderDate: complaint.orderDate, orderDateText: desk.dayText(complaint.orderDate, locale),
            contactedShopOn: complaint.contactedShopOn,
            contactedText: desk.dayText(complaint.contactedShopOn, locale).map { day in
                complaint.contactChannel.map { "\(day) · \(t("complaint_channel_\($0)"))" } ?? day
            }, contactChannel: complaint.contactChannel,
            shopAnsweredBefore: complaint.shopAnsweredBefore, description: complaint.text, wish: complaint.wish, source: complaint.source,
            filedAt: complaint.confirmedAt ?? complaint.createdAt, filedText: moment(complaint.confirmedAt ?? complaint.createdAt),
            forwardedAt: complaint.forwardedAt, firstAnswerAt: complaint.firstAnswerAt, noAnswer: complaint.noAnswer,
            waitingForConsumer: complaint.waitingForConsumer, assignedTo: staff ? complaint.assignedTo : nil, assignedName: staff ? assignedName : nil,
            codeVersion: complaint.codeVersion, deadlines: deadlineDTOs, messages: messageDTOs,
            attachments: files.filter { $0.messageID == nil }.map(attachment), timeline: steps, allowedSteps: allowed, dispute: dispute)
    }

    /// Complaints for a list: a member's own, or the staff queues (by state, assignment, overdue).
    func list(for viewer: Viewer, state: String?, queue: String?, paging: Paging, locale: AppLocale) async throws -> PagedList<ComplaintSummaryDTO> {
        let db = desk.storage.db
        var query = Complaint.query(on: db).filter(\.$stateRaw != Complaint.unconfirmed).with(\.$shop)
        switch viewer {
        case .member(let identity):
            guard let organisation = identity.organisationID else { return PagedList(items: [], request: paging, total: 0) }
            query = query.filter(\.$organisationID == organisation).filter(\.$subjectRaw == ComplaintSubject.shop.rawValue)
            if let shopID = identity.apiKey?.shopID { query = query.filter(\.$shop.$id == shopID) }
        case .staff(let identity):
            if queue == "trustmark" {
                guard identity.role == .admin else { throw AppError.forbidden }
                query = query.filter(\.$subjectRaw == ComplaintSubject.trustmark.rawValue)
            } else {
                query = query.filter(\.$subjectRaw == ComplaintSubject.shop.rawValue)
                if queue == "mine" { query = query.filter(\.$assignedTo == identity.userID) }
                if queue == "unassigned" { query = query.filter(\.$assignedTo == nil) }
                if queue == "overdue" {
                    // Complaints with a deadline that has passed and is still open (the trustmark's own, above all).
                    let late = try await Deadline.query(on: db).filter(\.$subjectType == Self.subjectType).filter(\.$closedAt == nil)
                        .filter(\.$dueAt <= desk.clock.now()).all().compactMap { UUID(uuidString: $0.subjectID) }
                    query = query.filter(\.$id ~~ late)
                }
            }
        case .consumer:
            throw AppError.forbidden
        }
        if let state, !state.isEmpty, state != "all" {
            if state == "open" {
                query = query.filter(\.$stateRaw !~ [ComplaintState.resolved.rawValue, ComplaintState.closed.rawValue])
            } else {
                guard ComplaintState(rawValue: state) != nil else { throw AppError.invalid("state", "validation_choice") }
                query = query.filter(\.$stateRaw == state)
            }
        }
        let total = try await query.copy().count()
        let rows = try await query.sort(\.$updatedAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let ids = rows.compactMap { $0.id?.uuidString }
        let open = try await Deadline.query(on: db).filter(\.$subjectType == Self.subjectType).filter(\.$subjectID ~~ ids).filter(\.$closedAt == nil).all()
        let names = Dictionary(try await User.query(on: db).filter(\.$id ~~ rows.compactMap(\.assignedTo)).all().compactMap { user in user.id.map { ($0, user.displayName) } },
                               uniquingKeysWith: { first, _ in first })
        let now = desk.clock.now()
        let items = rows.map { row -> ComplaintSummaryDTO in
            let due = open.filter { $0.subjectID == row.id?.uuidString }.map(\.dueAt).min()
            let filed = row.confirmedAt ?? row.createdAt
            return ComplaintSummaryDTO(id: row.id ?? UUID(), reference: row.reference ?? "", subject: row.subjectRaw, state: row.stateRaw,
                                       stateText: desk.localizer.text("complaint_state_\(row.stateRaw)", locale), shop: row.shop?.name,
                                       consumerName: row.consumerName, filedAt: filed, filedText: DateText.day(filed, locale: locale, timeZone: desk.timeZone),
                                       updatedAt: row.updatedAt, dueAt: due,
                                       dueText: due.map { DateText.dateTime($0.addingTimeInterval(-60), locale: locale, timeZone: desk.timeZone) },
                                       overdue: due.map { $0 <= now } ?? false, noAnswer: row.noAnswer,
                                       assignedName: viewer.party == .mediator ? row.assignedTo.flatMap { names[$0] } : nil)
        }
        return PagedList(items: items, request: paging, total: total)
    }

    /// An attachment's bytes, for a viewer who may see the complaint (and, for staff notes, staff).
    func attachment(_ rawID: String?, file rawFile: String?, for viewer: Viewer) async throws -> (ComplaintAttachment, [UInt8]) {
        let complaint = try await load(rawID, for: viewer, on: desk.storage.db)
        let id = try complaint.requireID()
        guard let fileID = rawFile.flatMap(UUID.init(uuidString:)),
              let row = try await ComplaintAttachment.query(on: desk.storage.db).filter(\.$id == fileID).filter(\.$complaint.$id == id).first(),
              !row.isInternal || viewer.party == .mediator
        else { throw AppError.notFound }
        return (row, try files.read(complaint: id, attachment: fileID))
    }
}
