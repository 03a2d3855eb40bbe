import FluentKit
import Foundation
import TrustmarkCore

/// What goes to the dispute committee: the dossier (PDF) and the attachments (ZIP); the guarantee
/// fund claim when a shop ignores a binding ruling; complaints registered from a forwarded mail.
extension ComplaintsService {
    /// The dossier for the committee, in the scheme's language: the complaint, the parties, the
    /// timeline, the thread (internal notes left out), the list of attachments and the code of
    /// conduct version in force when it was filed.
    func dossier(_ rawID: String?, staff: Identity) async throws -> (filename: String, pdf: Data) {
        let db = desk.storage.db
        let complaint = try await load(rawID, for: .staff(staff), on: db)
        let id = try complaint.requireID()
        let locale = AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback
        func t(_ key: String, _ values: [String: String] = [:]) -> String { desk.localizer.text(key, locale, values) }
        func moment(_ date: Date?) -> String { date.map { DateText.dateTime($0, locale: locale, timeZone: desk.timeZone) } ?? "-" }
        let shop = complaint.shop
        let registration: Registration? = if let organisation = complaint.organisationID {
            try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first()
        } else { nil }
        let steps = try await ComplaintStep.query(on: db).filter(\.$complaint.$id == id).sort(\.$at).all()
        let messages = try await ComplaintMessage.query(on: db).filter(\.$complaint.$id == id).filter(\.$isInternal == false).sort(\.$at).all()
        let attachments = try await ComplaintAttachment.query(on: db).filter(\.$complaint.$id == id).filter(\.$isInternal == false).sort(\.$at).all()

        var doc = DocumentComposer(title: t("dossier_title", ["reference": complaint.reference ?? ""]),
                                   footer: [desk.scheme.legalEntity, desk.scheme.website].compactMap { $0 }.joined(separator: " · "))
        doc.heading(desk.scheme.name, size: 18)
        doc.heading(t("dossier_title", ["reference": complaint.reference ?? ""]))
        var facts: [(String, String)] = [
            (t("dossier_consumer"), "\(complaint.consumerName) <\(complaint.consumerEmail)>, \(complaint.consumerCountry)"),
            (t("dossier_shop"), [shop?.name, registration?.legalName, registration.map { "\($0.street), \($0.postcode) \($0.city), \($0.country)" }]
                .compactMap { $0 }.joined(separator: ", ")),
            (t("dossier_order"), [complaint.orderNumber, desk.dayText(complaint.orderDate, locale)].compactMap { $0 }.joined(separator: ", ")),
            (t("dossier_contacted"), [desk.dayText(complaint.contactedShopOn, locale), complaint.contactChannel.map { t("complaint_channel_\($0)") }]
                .compactMap { $0 }.joined(separator: ", ")),
            (t("dossier_filed"), moment(complaint.confirmedAt)),
            (t("dossier_state"), t("complaint_state_\(complaint.stateRaw)")),
            (t("dossier_code_version"), complaint.codeVersion),
        ]
        if let body = desk.scheme.complaints?.disputeBody {
            facts.append((t("dossier_committee"), [body.name, body.url, body.fee.map { desk.money($0.cents, locale) }].compactMap { $0 }.joined(separator: ", ")))
        }
        if let ruling = complaint.rulingOutcome {
            facts.append((t("complaint_ruling"), [t("complaint_ruling_\(ruling)"), complaint.rulingSummary].compactMap { $0 }.joined(separator: ": ")))
        }
        doc.facts(facts)
        doc.heading(t("dossier_description"), size: 13)
        doc.paragraph(complaint.text)
        if let wish = complaint.wish {
            doc.paragraph(t("dossier_wish") + ": " + wish, bold: true)
        }
        doc.heading(t("dossier_timeline"), size: 13)
        // Lines rather than a table: step names and reasons are long and must wrap.
        for step in steps {
            doc.paragraph([DateText.moment(step.at, timeZone: desk.timeZone), t("complaint_state_\(step.to)"), t("complaint_party_\(step.party)")]
                .joined(separator: " · ") + (step.reason.map { " — \($0)" } ?? ""), size: 9.5)
        }
        doc.heading(t("dossier_thread"), size: 13)
        for message in messages {
            doc.paragraph("\(DateText.moment(message.at, timeZone: desk.timeZone)) · \(t("complaint_party_\(message.party)")) · \(message.authorName)",
                          size: 9, bold: true, colour: .grey)
            doc.paragraph(message.body, indent: 12)
        }
        doc.heading(t("dossier_attachments"), size: 13)
        if attachments.isEmpty { doc.paragraph(t("dossier_no_attachments")) } else {
            doc.table(header: [t("dossier_file"), t("dossier_from"), t("dossier_size"), "SHA-256"],
                  rows: attachments.map { [$0.filename, t("complaint_party_\($0.party)"), "\(($0.size + 1023) / 1024) KB", String($0.sha256.prefix(16)) + "…"] },
                      widths: [170, 80, 60, doc.width - 310], rightAligned: [2])
        }
        return ("dossier-\(complaint.reference ?? id.uuidString).pdf", doc.finish())
    }

    /// The attachments the parties shared, as one ZIP for the committee.
    func attachmentsArchive(_ rawID: String?, staff: Identity) async throws -> (filename: String, zip: [UInt8]) {
        let db = desk.storage.db
        let complaint = try await load(rawID, for: .staff(staff), on: db)
        let id = try complaint.requireID()
        var zip = ZipWriter()
        for row in try await ComplaintAttachment.query(on: db).filter(\.$complaint.$id == id).filter(\.$isInternal == false).sort(\.$at).all() {
            zip.add("\(row.party)/\(row.filename)", try files.read(complaint: id, attachment: try row.requireID()), modified: row.at)
        }
        return ("attachments-\(complaint.reference ?? id.uuidString).zip", zip.finish())
    }

    /// The shop ignored a binding ruling for the consumer: where the scheme has a guarantee fund, a
    /// claim is opened for staff (and the consumer hears of it).
    func openGuaranteeClaim(_ complaint: Complaint, on db: any Database) async throws {
        guard desk.scheme.membership?.guaranteeFund == true, desk.scheme.complaints?.disputeBody?.binding == true,
              complaint.rulingOutcome != RulingOutcome.forShop.rawValue else { return }
        let id = try complaint.requireID()
        guard try await GuaranteeClaim.query(on: db).filter(\.$complaint.$id == id).count() == 0 else { return }
        let claim = GuaranteeClaim()
        claim.$complaint.id = id
        claim.organisationID = complaint.organisationID
        claim.openedAt = desk.clock.now()
        claim.state = "open"
        try await claim.create(on: db)
        try await Record.append(on: db, at: claim.openedAt, actor: .system, action: "guarantee.claim_opened", subjectType: Self.subjectType,
                                subjectID: id.uuidString, after: ["reference": complaint.reference ?? ""])
        try await mailConsumer(complaint, subject: "mail_guarantee_subject", body: "mail_guarantee_body", kind: "complaint.guarantee", on: db)
    }

    func guaranteeClaim(of complaint: UUID) async throws -> GuaranteeClaim? {
        try await GuaranteeClaim.query(on: desk.storage.db).filter(\.$complaint.$id == complaint).first()
    }

    /// A mediator registers a complaint that came in by e-mail: sender, date, text and attachments
    /// are taken from the `.eml`; the complaint is confirmed at once (the mail is the proof) and
    /// sent on like any other.
    func register(mail bytes: [UInt8], shop shopText: String, staff: Identity) async throws -> Complaint {
        let mail: ReceivedMail
        do {
            mail = try ReceivedMail.parse(bytes)
        } catch {
            throw AppError(.unprocessableContent, code: "complaint_eml_invalid", messageKey: "complaint_eml_invalid", field: "file")
        }
        let rules = try rules()
        let incoming = mail.attachments.map { IncomingFile(filename: $0.filename, declaredType: $0.contentType, data: $0.data) }
        let accepted = incoming.filter { file in EvidenceFileKind.sniff(file.data).map { $0.matches(filename: file.filename) } ?? false }
        let checked = try files.check(Array(accepted.prefix(EvidenceFiles.maxFiles)), field: "file")
        let shopName = shopText.trimmingWhitespace()
        var shop: Shop?
        if !shopName.isEmpty {
            let slug = try await register.slug(matching: shopName)
            guard let found = try await Shop.query(on: desk.storage.db).filter(\.$slug == slug).first() else {
                throw AppError.invalid("shop", "complaint_shop_unknown", ["shop": shopName])
            }
            shop = found
        }
        let now = desk.clock.now()
        let id = UUID()
        let complaint = Complaint()
        complaint.id = id
        complaint.subjectRaw = shop == nil ? ComplaintSubject.trustmark.rawValue : ComplaintSubject.shop.rawValue
        complaint.$shop.id = shop?.id
        complaint.organisationID = shop?.$organisation.id
        complaint.stateRaw = ComplaintState.received.rawValue
        complaint.consumerName = mail.fromName ?? mail.fromAddress ?? ""
        complaint.consumerEmail = EmailAddress.normalise(mail.fromAddress ?? "")
        complaint.consumerLocale = desk.scheme.defaultLanguage
        complaint.consumerCountry = desk.scheme.country
        complaint.shopAnsweredBefore = false
        complaint.text = ([mail.subject] + [mail.text]).filter { !$0.isEmpty }.joined(separator: "\n\n")
        complaint.codeVersion = desk.scheme.codeOfConduct.version
        complaint.source = "mail"
        complaint.createdAt = mail.date ?? now
        complaint.confirmedAt = now
        complaint.updatedAt = now
        complaint.noAnswer = false
        complaint.waitingForConsumer = false
        complaint.assignedTo = staff.userID
        return try await files.storing(checked, complaint: id) {
            try await desk.storage.db.transaction { db in
                try await assignReference(complaint, on: db)
                try await complaint.create(on: db)
                try await attach(checked, to: id, message: nil, party: .consumer, staffOnly: false, on: db)
                try await Record.append(on: db, at: now, actor: Record.Actor(staff), action: "complaint.registered_from_mail", subjectType: Self.subjectType,
                                        subjectID: id.uuidString, after: ["reference": complaint.reference ?? "", "from": complaint.consumerEmail,
                                                                          "files": "\(checked.count)", "skipped": "\(incoming.count - checked.count)"])
                try await mailConsumer(complaint, subject: "mail_complaint_received_subject", body: "mail_complaint_received_body", kind: "complaint.received", on: db)
                try await dispatch(complaint, rules: rules, on: db)
                return complaint
            }
        }
    }
}
