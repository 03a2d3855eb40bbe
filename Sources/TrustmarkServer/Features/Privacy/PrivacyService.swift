import Crypto
import FluentKit
import Foundation
import TrustmarkCore

/// Everything held on one person (a consumer: no account, known by an e-mail address).
struct PersonalDataDTO: Codable, Sendable {
    struct ComplaintItem: Codable, Sendable {
        let id: UUID
        let reference: String?
        let shop: String?
        let filedAt: Date
        let state: String
        let name: String
        let email: String
        let country: String
        let orderNumber: String?
        let description: String
        let wish: String?
        let messages: [String]
    }

    struct ReviewItem: Codable, Sendable {
        let id: UUID
        let shop: String
        let writtenAt: Date
        let state: String
        let name: String
        let email: String
        let overall: Int
        let text: String?
        let address: String?
    }

    struct InvitationItem: Codable, Sendable {
        let shop: String
        let name: String
        let orderReference: String
        let createdAt: Date
    }

    struct MailItem: Codable, Sendable {
        let sentAt: Date
        let subject: String
        let kind: String
    }

    let email: String
    /// News by mail: given (with the day) or not; never a condition of a complaint or a review.
    let marketingConsent: Bool
    let marketingConsentSince: Date?
    let complaints: [ComplaintItem]
    let reviews: [ReviewItem]
    let invitations: [InvitationItem]
    let mails: [MailItem]
    /// What happens on erasure, in the reader's language.
    let erasureNote: String
}

struct ErasureDTO: Codable, Sendable {
    let complaints: Int
    let reviews: Int
    let invitations: Int
    let mails: Int
}

/// The consumer's rights over their data: a link mailed to the address (proof that it is theirs)
/// opens what is held on it, as a page and as JSON, lets them correct their name, and erase it.
/// Erasure keeps what the law and the scheme require (a complaint's facts for its handling and the
/// dispute committee; a removed review for its retention) with the person's name, address and IP
/// address replaced; their reviews go offline.
struct PrivacyService: Sendable {
    let desk: MembershipDesk
    let links: SignedLink
    let reviews: ReviewsService
    /// Keys the pseudonyms, so that nobody can find a person's pseudonym by hashing guessed addresses.
    let pseudonymKey: SymmetricKey

    static let purpose = "privacy"
    /// How long a mailed link opens the person's data.
    static let linkLifetime: TimeInterval = 24 * 3600
    static let erasedName = "[erased]"

    /// Mails the link when anything is held on the address; the answer is the same either way, so the
    /// form tells nobody whether an address is known.
    func requestLink(_ rawEmail: String, locale: AppLocale) async throws {
        let email = EmailAddress.normalise(rawEmail)
        guard EmailAddress.isValid(email) else { throw AppError.invalid("email", "validation_email") }
        let db = desk.storage.db
        let held = try await Complaint.query(on: db).filter(\.$consumerEmail == email).count() + Review.query(on: db).filter(\.$authorEmail == email).count()
            + ReviewInvitation.query(on: db).filter(\.$email == email).count() + MarketingConsent.query(on: db).filter(\.$email == email).count()
        guard held > 0 else { return }
        let now = desk.clock.now()
        let token = links.sign(purpose: Self.purpose, subject: email, expires: now.addingTimeInterval(Self.linkLifetime))
        try await desk.mail(to: email, locale, subject: "mail_privacy_subject", body: "mail_privacy_body",
                            ["link": desk.baseURL + "/privacy/" + token, "hours": "\(Int(Self.linkLifetime / 3600))", "scheme": desk.scheme.name],
                            kind: "privacy", on: db)
    }

    /// The address a link was made for; 404 for a forged link, 410 for an old one.
    func email(from token: String?) throws -> String {
        do {
            return try links.verify(token ?? "", purpose: Self.purpose, now: desk.clock.now()).subject
        } catch .expired {
            throw AppError(.gone, code: "privacy_link_expired", messageKey: "privacy_link_expired")
        } catch {
            throw AppError(.notFound, code: "privacy_link_unknown", messageKey: "privacy_link_unknown")
        }
    }

    func report(_ email: String, locale: AppLocale) async throws -> PersonalDataDTO {
        let db = desk.storage.db
        let complaints = try await Complaint.query(on: db).filter(\.$consumerEmail == email).with(\.$shop).sort(\.$createdAt).all()
        let ids = complaints.compactMap(\.id)
        let messages = ids.isEmpty ? [] : try await ComplaintMessage.query(on: db).filter(\.$complaint.$id ~~ ids).filter(\.$party == "consumer").sort(\.$at).all()
        let byComplaint = Dictionary(grouping: messages, by: { $0.$complaint.id })
        let complaintItems = complaints.map { complaint in
            PersonalDataDTO.ComplaintItem(id: complaint.id ?? UUID(), reference: complaint.reference, shop: complaint.shop?.name, filedAt: complaint.createdAt,
                                          state: complaint.stateRaw, name: complaint.consumerName, email: complaint.consumerEmail, country: complaint.consumerCountry,
                                          orderNumber: complaint.orderNumber, description: complaint.text, wish: complaint.wish,
                                          messages: (byComplaint[complaint.id ?? UUID()] ?? []).map(\.body))
        }
        let reviewRows = try await Review.query(on: db).filter(\.$authorEmail == email).with(\.$shop).sort(\.$createdAt).all()
        let invitations = try await ReviewInvitation.query(on: db).filter(\.$email == email).with(\.$shop).sort(\.$createdAt).all()
        let mails = try await OutboxMessage.query(on: db).filter(\.$recipient == email).sort(\.$createdAt).all()
        let consent = try await MarketingConsent.query(on: db).filter(\.$email == email).first()
        return PersonalDataDTO(
            email: email, marketingConsent: consent?.isGiven ?? false, marketingConsentSince: consent?.isGiven == true ? consent?.givenAt : nil,
            complaints: complaintItems,
            reviews: reviewRows.map { .init(id: $0.id ?? UUID(), shop: $0.shop.name, writtenAt: $0.createdAt, state: $0.state, name: $0.authorName,
                                            email: $0.authorEmail, overall: $0.overall, text: $0.text, address: $0.clientAddress) },
            invitations: invitations.map { .init(shop: $0.shop.name, name: $0.name, orderReference: $0.orderReference, createdAt: $0.createdAt) },
            mails: mails.map { .init(sentAt: $0.createdAt, subject: $0.subject, kind: $0.kind) },
            erasureNote: desk.localizer.text("privacy_erasure_note", locale))
    }

    /// Corrects the name on everything held on the address.
    func correctName(_ email: String, to rawName: String) async throws -> Int {
        let name = rawName.trimmingWhitespace()
        guard !name.isEmpty else { throw AppError.invalid("name", "validation_required") }
        guard name.count <= 120 else { throw AppError.invalid("name", "validation_too_long", ["max": "120"]) }
        return try await desk.storage.db.transaction { db in
            var changed = 0
            for complaint in try await Complaint.query(on: db).filter(\.$consumerEmail == email).all() {
                complaint.consumerName = name
                try await complaint.save(on: db)
                try await ComplaintMessage.query(on: db).filter(\.$complaint.$id == complaint.requireID()).filter(\.$party == "consumer").set(\.$authorName, to: name).update()
                changed += 1
            }
            for review in try await Review.query(on: db).filter(\.$authorEmail == email).all() {
                review.authorName = name
                try await review.save(on: db)
                changed += 1
            }
            try await Record.append(on: db, at: desk.clock.now(), actor: Record.Actor(userID: nil, role: "consumer"), action: "privacy.corrected",
                                    subjectType: "person", subjectID: pseudonym(email), after: ["items": "\(changed)"])
            return changed
        }
    }

    /// Gives or withdraws the consent to news by mail; each change is in the record (under the pseudonym).
    func setMarketingConsent(_ email: String, given: Bool) async throws {
        let now = desk.clock.now()
        try await desk.storage.db.transaction { db in
            let consent = try await MarketingConsent.query(on: db).filter(\.$email == email).first() ?? {
                let row = MarketingConsent()
                row.email = email
                row.givenAt = now
                row.withdrawnAt = now
                return row
            }()
            guard consent.isGiven != given || consent.id == nil else { return }
            if given {
                consent.givenAt = now
                consent.withdrawnAt = nil
            } else {
                consent.withdrawnAt = now
            }
            try await consent.save(on: db)
            try await Record.append(on: db, at: now, actor: Record.Actor(userID: nil, role: "consumer"), action: given ? "privacy.consent_given" : "privacy.consent_withdrawn",
                                    subjectType: "person", subjectID: pseudonym(email))
        }
    }

    /// `erased+<keyed digest>@erased.invalid`: the same for one address, so a complaint's history
    /// still hangs together, but no way back to the address.
    func pseudonym(_ email: String) -> String {
        "erased+" + Hex.string(HMAC<SHA256>.authenticationCode(for: Data(email.utf8), using: pseudonymKey)).prefix(20) + "@erased.invalid"
    }

    /// Erases the person's data: name, address and IP address replaced on complaints (whose facts
    /// stay for their handling), messages and invitations; reviews taken offline with the reason
    /// `author_request` (kept unseen for the scheme's retention, then deleted like any removed
    /// review); mails sent to them emptied. One transaction; a second erasure finds nothing.
    func erase(_ email: String) async throws -> ErasureDTO {
        let alias = pseudonym(email)
        let now = desk.clock.now()
        return try await desk.storage.db.transaction { db in
            let complaints = try await Complaint.query(on: db).filter(\.$consumerEmail == email).all()
            for complaint in complaints {
                complaint.consumerName = Self.erasedName
                complaint.consumerEmail = alias
                complaint.updatedAt = now
                try await complaint.save(on: db)
                try await ComplaintMessage.query(on: db).filter(\.$complaint.$id == complaint.requireID()).filter(\.$party == "consumer")
                    .set(\.$authorName, to: Self.erasedName).update()
            }
            let written = try await Review.query(on: db).filter(\.$authorEmail == email).all()
            for review in written {
                if review.state != Review.State.removed.rawValue, let rules = desk.scheme.reviews {
                    try await reviews.takeOffline(review, reason: .authorRequest, rules: rules, at: now, on: db)
                }
                review.authorName = Self.erasedName
                review.authorEmail = alias
                review.clientAddress = nil
                try await review.save(on: db)
            }
            let invitations = try await ReviewInvitation.query(on: db).filter(\.$email == email).all()
            for invitation in invitations {
                invitation.email = alias
                invitation.name = Self.erasedName
                try await invitation.save(on: db)
            }
            let mails = try await OutboxMessage.query(on: db).filter(\.$recipient == email).all()
            for mail in mails {
                mail.recipient = alias
                mail.body = Self.erasedName
                try await mail.save(on: db)
            }
            try await MarketingConsent.query(on: db).filter(\.$email == email).delete()
            let result = ErasureDTO(complaints: complaints.count, reviews: written.count, invitations: invitations.count, mails: mails.count)
            try await Record.append(on: db, at: now, actor: Record.Actor(userID: nil, role: "consumer"), action: "privacy.erased", subjectType: "person",
                                    subjectID: alias, after: ["complaints": "\(result.complaints)", "reviews": "\(result.reviews)",
                                                              "invitations": "\(result.invitations)", "mails": "\(result.mails)"])
            return result
        }
    }
}
