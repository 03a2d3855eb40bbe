import FluentKit
import SQLKit
import Foundation
import TrustmarkCore

/// What a consumer files, from the form or the API.
struct ComplaintFiling: Sendable {
    var subject: ComplaintSubject = .shop
    /// The shop's domain or its slug (from the verification page).
    var shop: String = ""
    var consumerName: String = ""
    var consumerEmail: String = ""
    var consumerCountry: String = ""
    /// The language of the consumer's mails.
    var locale: AppLocale = .fallback
    /// The language the intake answers in now (the request's).
    var readerLocale: AppLocale = .fallback
    var sector: String?
    var orderNumber: String = ""
    var orderDate: String = ""
    var contactedShopOn: String = ""
    var contactChannel: String = ""
    var shopAnswered: Bool = false
    var description: String = ""
    var wish: String = ""
    var files: [IncomingFile] = []
}

/// What the intake answers once a complaint is waiting for the consumer's confirmation.
struct ComplaintIntakeReceipt: Codable, Sendable {
    let id: UUID
    let state: String
    let email: String
    let confirmBefore: Date
}

/// Intake: the checks that can refuse a complaint at once, the unconfirmed complaint and its mail,
/// confirmation (which forwards it to the shop), expiry, and complaints registered from a mail.
extension ComplaintsService {
    static let countries = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
                            "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "CH", "GB", "NO", "IS", "LI", "OTHER"]

    func file(_ filing: ComplaintFiling, source: String) async throws -> ComplaintIntakeReceipt {
        let rules = try rules()
        guard let intake else { throw AppError.notFound }
        var errors = FormErrors()
        func text(_ value: String, _ field: String, required: Bool, max: Int) -> String {
            let clean = value.trimmingWhitespace()
            if required, clean.isEmpty { errors.add(.invalid(field, "validation_required")) }
            if clean.count > max { errors.add(.invalid(field, "validation_too_long", ["max": "\(max)"])) }
            return clean
        }
        let name = text(filing.consumerName, "consumerName", required: true, max: 120)
        let emailText = text(filing.consumerEmail, "consumerEmail", required: true, max: 254)
        let email = EmailAddress.normalise(emailText)
        if !emailText.isEmpty, !EmailAddress.isValid(email) { errors.add(.invalid("consumerEmail", "validation_email")) }
        let description = text(filing.description, "description", required: true, max: 10_000)
        let wish = text(filing.wish, "wish", required: false, max: 2_000)
        let country = filing.consumerCountry.trimmingWhitespace().uppercased()
        if !Self.countries.contains(country) { errors.add(.invalid("consumerCountry", "complaint_country_invalid")) }
        let isShop = filing.subject == .shop
        let order = text(filing.orderNumber, "orderNumber", required: false, max: 80)
        let orderDay = try optionalDay(filing.orderDate, "orderDate", errors: &errors)
        let contacted = try optionalDay(filing.contactedShopOn, "contactedShopOn", errors: &errors)
        let channel = filing.contactChannel.trimmingWhitespace()
        if isShop, !channel.isEmpty, ShopContactChannel(rawValue: channel) == nil { errors.add(.invalid("contactChannel", "complaint_channel_invalid")) }
        if let sector = filing.sector, !sector.isEmpty, !rules.sectorRoutes.contains(where: { $0.sector == sector }), sector != "general" {
            errors.add(.invalid("sector", "complaint_sector_invalid"))
        }
        let shopText = filing.shop.trimmingWhitespace()
        if isShop, shopText.isEmpty { errors.add(.invalid("shop", "complaint_shop_required")) }
        if let orderDay, orderDay > desk.today { errors.add(.invalid("orderDate", "complaint_day_future")) }
        let checked = try files.check(filing.files)
        try errors.throwIfAny()

        // Which shop, and whether it carries the seal now.
        var shop: Shop?
        var record: ShopRecord?
        if isShop {
            let slug = try await register.slug(matching: shopText)
            record = try await register.record(slug: slug)
            if let record, let shopID = record.seal.shopID { shop = try await Shop.find(shopID, on: desk.storage.db) }
        }
        let member: Bool = {
            guard let record else { return false }
            switch record.seal.status {
            case .valid, .suspended: return true
            default: return false
            }
        }()
        let facts = ComplaintIntakeFacts(subject: filing.subject, shopIsMember: member, shopCountry: record?.country, consumerCountry: country,
                                         sector: filing.sector == "general" ? nil : filing.sector, contactedShopOn: contacted,
                                         shopAnswered: filing.shopAnswered, today: desk.today)
        do {
            try intake.check(facts)
        } catch {
            throw refusal(error, shopName: record?.name ?? shopText, locale: filing.readerLocale)
        }

        let now = desk.clock.now()
        let token = SecretToken.generate()
        let expires = rules.confirmWithin.added(to: now, timeZone: desk.timeZone) ?? now
        let complaint = Complaint()
        let id = UUID()
        complaint.id = id
        complaint.subjectRaw = filing.subject.rawValue
        complaint.$shop.id = shop?.id
        complaint.organisationID = shop?.$organisation.id
        complaint.stateRaw = Complaint.unconfirmed
        complaint.consumerName = name
        complaint.consumerEmail = email
        complaint.consumerLocale = filing.locale.rawValue
        complaint.consumerCountry = country
        complaint.sector = filing.sector == "general" ? nil : filing.sector
        complaint.orderNumber = order.isEmpty ? nil : order
        complaint.orderDate = orderDay?.description
        complaint.contactedShopOn = contacted?.description
        complaint.contactChannel = channel.isEmpty ? nil : channel
        complaint.shopAnsweredBefore = filing.shopAnswered
        complaint.text = description
        complaint.wish = wish.isEmpty ? nil : wish
        complaint.codeVersion = desk.scheme.codeOfConduct.version
        complaint.source = source
        complaint.confirmTokenHash = SecretToken.digest(token)
        complaint.confirmExpiresAt = expires
        complaint.createdAt = now
        complaint.updatedAt = now
        complaint.noAnswer = false
        complaint.waitingForConsumer = false
        let link = desk.baseURL + "/complaints/confirm/\(token)"
        let locale = filing.locale
        let expiresText = DateText.dateTime(expires, locale: locale, timeZone: desk.timeZone)
        let shopName = shop?.name ?? desk.scheme.name
        try await files.storing(checked, complaint: id) {
            try await desk.storage.db.transaction { db in
                try await complaint.create(on: db)
                try await attach(checked, to: id, message: nil, party: .consumer, staffOnly: false, on: db)
                let values = ["name": name, "link": link, "expires": expiresText, "shop": shopName, "scheme": desk.scheme.name]
                try await desk.mail(to: complaint.consumerEmail, locale, subject: "mail_complaint_confirm_subject", body: "mail_complaint_confirm_body", values,
                                    kind: "complaint.confirm", on: db)
                try await JobQueue.enqueue(Self.expireJob, payload: id.uuidString, at: expires, uniqueKey: "complaint:\(id):expire", now: now, on: db)
            }
        }
        return ComplaintIntakeReceipt(id: id, state: Complaint.unconfirmed, email: complaint.consumerEmail, confirmBefore: expires)
    }

    private func optionalDay(_ raw: String, _ field: String, errors: inout FormErrors) throws -> Day? {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        guard let day = Day(text) else {
            errors.add(.invalid(field, "validation_date"))
            return nil
        }
        return day
    }

    /// A refusal in plain words, with where to go instead (in `details` for programs).
    func refusal(_ refusal: ComplaintIntakeRefusal, shopName: String, locale: AppLocale) -> AppError {
        func referral(_ route: Referral?) -> [String: String] {
            ["referral": route.map { desk.active.text($0.name, locale) } ?? "", "url": route?.url ?? ""]
        }
        var error: AppError
        switch refusal {
        case .notAMember(let route):
            let values = referral(route).merging(["shop": shopName]) { $1 }
            error = AppError(.unprocessableContent, code: "complaint_not_member", messageKey: route == nil ? "complaint_refused_not_member_plain" : "complaint_refused_not_member",
                             arguments: values, field: "shop")
            error.details = values
        case .tooEarly(let day):
            let wait = desk.scheme.complaints?.shopFirstWait.map { SchemeFacts(localizer: desk.localizer).period($0, locale) } ?? ""
            error = AppError(.unprocessableContent, code: "complaint_too_early", messageKey: "complaint_refused_too_early",
                             arguments: ["date": desk.dayText(day, locale), "wait": wait], field: "contactedShopOn")
            error.details = ["earliestDate": day.description]
        case .contactShopFirst:
            let wait = desk.scheme.complaints?.shopFirstWait.map { SchemeFacts(localizer: desk.localizer).period($0, locale) } ?? ""
            error = AppError(.unprocessableContent, code: "complaint_contact_shop_first", messageKey: "complaint_refused_contact_first",
                             arguments: ["wait": wait], field: "contactedShopOn")
        case .contactInFuture:
            error = .invalid("contactedShopOn", "complaint_day_future")
        case .sector(let sector, let route):
            error = AppError(.unprocessableContent, code: "complaint_sector_route", messageKey: "complaint_refused_sector", arguments: referral(route), field: "sector")
            error.details = referral(route).merging(["sector": sector]) { $1 }
        case .crossBorder(let route):
            error = AppError(.unprocessableContent, code: "complaint_cross_border", messageKey: "complaint_refused_cross_border", arguments: referral(route),
                             field: "consumerCountry")
            error.details = referral(route)
        }
        return error
    }

    func attach(_ checked: [CheckedFile], to complaint: UUID, message: UUID?, party: ComplaintParty, staffOnly: Bool, on db: any Database) async throws {
        for file in checked {
            let row = ComplaintAttachment()
            row.id = file.id
            row.$complaint.id = complaint
            row.messageID = message
            row.filename = file.filename
            row.mediaType = file.kind.mediaType
            row.size = file.data.count
            row.sha256 = file.sha256
            row.party = party.rawValue
            row.isInternal = staffOnly
            row.at = desk.clock.now()
            try await row.create(on: db)
        }
    }

    /// The consumer follows the link: the complaint now exists, gets its reference and goes to
    /// the shop (or, about the trustmark, to the administrators' queue). A second confirmation is
    /// refused with the complaint's reference.
    func confirm(token: String) async throws -> Complaint {
        let digest = SecretToken.digest(token)
        let now = desk.clock.now()
        let rules = try rules()
        let complaint: Complaint = try await desk.storage.db.transaction { db in
            guard let complaint = try await Complaint.query(on: db).filter(\.$confirmTokenHash == digest).first() else {
                throw AppError(.notFound, code: "complaint_link_unknown", messageKey: "complaint_link_unknown")
            }
            guard complaint.stateRaw == Complaint.unconfirmed else {
                var error = AppError.conflict("complaint_already_confirmed", "complaint_already_confirmed", ["reference": complaint.reference ?? ""])
                error.details = ["reference": complaint.reference ?? "", "id": try complaint.requireID().uuidString]
                throw error
            }
            guard let expires = complaint.confirmExpiresAt, now < expires else {
                throw AppError(.gone, code: "complaint_link_expired", messageKey: "complaint_link_expired")
            }
            let id = try complaint.requireID()
            try await assignReference(complaint, on: db)
            complaint.stateRaw = ComplaintState.received.rawValue
            complaint.confirmedAt = now
            complaint.updatedAt = now
            try await complaint.save(on: db)
            try await Record.append(on: db, at: now, actor: .system, action: "complaint.received", subjectType: Self.subjectType, subjectID: id.uuidString,
                                    after: ["reference": complaint.reference ?? "", "subject": complaint.subjectRaw, "source": complaint.source])
            try await mailConsumer(complaint, subject: "mail_complaint_received_subject", body: "mail_complaint_received_body", kind: "complaint.received", on: db)
            try await dispatch(complaint, rules: rules, on: db)
            return complaint
        }
        return complaint
    }

    /// Sends a received complaint on: to the shop with its answer deadline, or to the administrators.
    func dispatch(_ complaint: Complaint, rules: ComplaintRules, on db: any Database) async throws {
        let id = try complaint.requireID()
        try await WebhookEvents.emit(.complaintReceived, organisation: complaint.organisationID, data: ComplaintEventData(complaint), now: desk.clock.now(), on: db)
        if complaint.subject == .trustmark || complaint.organisationID == nil {
            try await move(complaint, to: .mediation, by: .system, actor: nil, reason: nil, on: db)
            try await mailStaff(complaint, subject: "mail_complaint_staff_new_subject", body: "mail_complaint_staff_new_body", kind: "complaint.staff", on: db)
            return
        }
        try await move(complaint, to: .forwarded, by: .system, actor: nil, reason: nil, on: db)
        complaint.forwardedAt = desk.clock.now()
        try await complaint.save(on: db)
        try await startDeadline(Self.shopAnswerDeadline, of: id, length: rules.shopAnswerDeadline, on: db)
        let deadline = try await openDeadline(Self.shopAnswerDeadline, of: id, on: db)
        try await mailShop(complaint, subject: "mail_complaint_forwarded_subject", body: "mail_complaint_forwarded_body",
                           extra: deadline.map(dueText) ?? [:], kind: "complaint.forwarded", on: db)
    }

    /// `C-2027-00042`: numbered per year in the order complaints are confirmed.
    func assignReference(_ complaint: Complaint, on db: any Database) async throws {
        let year = Day(desk.clock.now(), in: desk.timeZone).year
        complaint.reference = "C-\(year)-" + (try await Self.nextReference(year: year, on: db)).zeroPadded(5)
    }

    static func nextReference(year: Int, on db: any Database) async throws -> Int {
        try await YearCounter.next("complaint_counters", year: year, on: db)
    }

    /// An unconfirmed complaint whose link ran out is removed with its files; a confirmed one is kept.
    func expire(_ payload: String) async throws {
        guard let id = UUID(uuidString: payload) else { return }
        let now = desk.clock.now()
        let removed: Bool = try await desk.storage.db.transaction { db in
            guard let complaint = try await Complaint.find(id, on: db), complaint.stateRaw == Complaint.unconfirmed,
                  let expires = complaint.confirmExpiresAt, expires <= now
            else { return false }
            try await ComplaintAttachment.query(on: db).filter(\.$complaint.$id == id).delete()
            try await complaint.delete(on: db)
            return true
        }
        if removed { files.removeAll(complaint: id) }
    }
}
