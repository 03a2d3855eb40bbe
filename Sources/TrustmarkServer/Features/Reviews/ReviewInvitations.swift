import FluentKit
import Foundation
import TrustmarkCore

struct ReviewInvitationRequest: Codable, Sendable {
    /// The shop's slug or domain; may be left out when the member has one shop.
    var shop: String?
    let email: String
    let name: String
    let orderReference: String
    var orderDate: String?
    var language: String?
    var delayDays: Int?
}

struct ReviewInvitationDTO: Codable, Sendable {
    let id: UUID
    let shop: String
    let email: String
    let orderReference: String
    let sendAt: Date
    let sent: Bool
    let used: Bool
}

/// What a CSV import did: the invitations made, and each refused line with its reason.
struct ReviewInvitationImportDTO: Codable, Sendable {
    struct Problem: Codable, Sendable {
        let line: Int
        let message: String
    }

    let imported: Int
    let problems: [Problem]
}

/// Invitations: a member asks for a buyer's review after an order, one at a time or as a CSV; the mail
/// with a single-use link goes out after the delay.
extension ReviewsService {
    /// The longest delay a shop may ask for before the invitation goes out.
    static let maxDelayDays = 90
    static let csvColumns = ["email", "name", "order_reference", "order_date", "language", "delay_days"]

    func ownShop(_ raw: String?, member: Identity) async throws -> Shop {
        try await desk.ownShop(raw, member: member, missing: "invitation_shop_required", unknown: "invitation_shop_unknown")
    }

    func invite(_ request: ReviewInvitationRequest, member: Identity, source: String = "api") async throws -> ReviewInvitationDTO {
        _ = try rules()
        let shop = try await ownShop(request.shop, member: member)
        guard try await isMember(shop) else {
            throw AppError(.unprocessableContent, code: "review_not_member", messageKey: "review_not_member", arguments: ["shop": shop.name], field: "shop")
        }
        let invitation = try validated(request, shop: shop, source: source)
        return try await desk.storage.db.transaction { db in try await store(invitation, shopName: shop.name, on: db) }
    }

    /// Reads `email,name,order_reference,order_date,language,delay_days` rows (a header line is
    /// skipped); good rows become invitations, each bad row is reported with its line number.
    func importCSV(_ text: String, shop raw: String?, member: Identity, locale: AppLocale) async throws -> ReviewInvitationImportDTO {
        _ = try rules()
        let shop = try await ownShop(raw, member: member)
        guard try await isMember(shop) else {
            throw AppError(.unprocessableContent, code: "review_not_member", messageKey: "review_not_member", arguments: ["shop": shop.name], field: "shop")
        }
        var good: [ReviewInvitation] = []
        var problems: [ReviewInvitationImportDTO.Problem] = []
        for (index, line) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = Self.csvFields(String(line))
            if fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }) { continue }
            if index == 0, fields.first?.lowercased().trimmingWhitespace() == "email" { continue }
            guard fields.count >= 3 else {
                problems.append(.init(line: index + 1, message: desk.localizer.text("invitation_csv_columns", locale, ["columns": Self.csvColumns.joined(separator: ",")])))
                continue
            }
            let value = { (i: Int) in fields.count > i ? fields[i].trimmingWhitespace() : "" }
            let request = ReviewInvitationRequest(shop: nil, email: value(0), name: value(1), orderReference: value(2), orderDate: value(3),
                                            language: value(4).isEmpty ? nil : value(4), delayDays: value(5).isEmpty ? nil : Int(value(5)) ?? -1)
            do {
                good.append(try validated(request, shop: shop, source: "csv"))
            } catch {
                let problem = (error as? FormErrors)?.problems.first ?? (error as? AppError)
                problems.append(.init(line: index + 1, message: (problem?.field.map { "\($0): " } ?? "")
                                        + desk.localizer.text(problem?.messageKey ?? "error_invalid", locale, problem?.arguments ?? [:])))
            }
        }
        let rows = good
        let imported: Int = try await desk.storage.db.transaction { db in
            var count = 0
            for invitation in rows {
                let duplicate = try await ReviewInvitation.query(on: db).filter(\.$shop.$id == invitation.$shop.id).filter(\.$email == invitation.email)
                    .filter(\.$orderReference == invitation.orderReference).count() > 0
                if duplicate { continue }
                _ = try await store(invitation, shopName: shop.name, on: db)
                count += 1
            }
            return count
        }
        return ReviewInvitationImportDTO(imported: imported, problems: problems)
    }

    private func validated(_ request: ReviewInvitationRequest, shop: Shop, source: String) throws -> ReviewInvitation {
        var errors = FormErrors()
        let email = EmailAddress.normalise(request.email)
        if !EmailAddress.isValid(email) { errors.add(.invalid("email", "validation_email")) }
        let name = request.name.trimmingWhitespace()
        if name.isEmpty { errors.add(.invalid("name", "validation_required")) } else if name.count > 120 { errors.add(.invalid("name", "validation_too_long", ["max": "120"])) }
        let order = request.orderReference.trimmingWhitespace()
        if order.isEmpty { errors.add(.invalid("orderReference", "validation_required")) } else if order.count > 80 {
            errors.add(.invalid("orderReference", "validation_too_long", ["max": "80"]))
        }
        let orderDay = request.orderDate.flatMap { $0.isEmpty ? nil : $0 }
        if let orderDay, Day(orderDay) == nil { errors.add(.invalid("orderDate", "validation_date")) }
        let language = request.language.map { $0.lowercased() } ?? desk.scheme.defaultLanguage
        if AppLocale(rawValue: language) == nil { errors.add(.invalid("language", "validation_choice")) }
        let delay = request.delayDays ?? 0
        if !(0...Self.maxDelayDays).contains(delay) { errors.add(.invalid("delayDays", "invitation_delay", ["max": "\(Self.maxDelayDays)"])) }
        try errors.throwIfAny()
        let now = desk.clock.now()
        let invitation = ReviewInvitation()
        invitation.id = UUID()
        invitation.$shop.id = try shop.requireID()
        invitation.email = email
        invitation.name = name
        invitation.orderReference = order
        invitation.orderDate = orderDay
        invitation.locale = language
        invitation.sendAt = now.addingTimeInterval(Double(delay) * 86_400)
        invitation.source = source
        invitation.createdAt = now
        return invitation
    }

    private func store(_ invitation: ReviewInvitation, shopName: String, on db: any Database) async throws -> ReviewInvitationDTO {
        do {
            try await invitation.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.conflict("invitation_exists", "invitation_exists", field: "orderReference")
        }
        let id = try invitation.requireID()
        try await JobQueue.enqueue(Self.sendJob, payload: id.uuidString, at: invitation.sendAt, uniqueKey: "invitation:\(id)", now: desk.clock.now(), on: db)
        return ReviewInvitationDTO(id: id, shop: shopName, email: invitation.email, orderReference: invitation.orderReference, sendAt: invitation.sendAt,
                             sent: false, used: false)
    }

    /// The job: the buyer's mail with a fresh single-use link (only its digest is kept).
    func send(_ payload: String) async throws {
        guard let id = UUID(uuidString: payload) else { return }
        try await desk.storage.db.transaction { db in
            guard let invitation = try await ReviewInvitation.query(on: db).filter(\.$id == id).with(\.$shop).first(), invitation.sentAt == nil else { return }
            let token = SecretToken.generate()
            invitation.tokenHash = SecretToken.digest(token)
            invitation.sentAt = desk.clock.now()
            try await invitation.save(on: db)
            let locale = AppLocale(rawValue: invitation.locale) ?? .fallback
            let values = ["name": invitation.name, "shop": invitation.shop.name, "order": invitation.orderReference, "scheme": desk.scheme.name,
                          "link": desk.baseURL + "/reviews/rate/\(token)"]
            try await desk.mail(to: invitation.email, locale, subject: "mail_invitation_subject", body: "mail_invitation_body", values, kind: "review.invitation", on: db)
        }
    }

    /// A CSV line's fields: commas or semicolons, double quotes around fields that hold them.
    static func csvFields(_ line: String) -> [String] {
        let separator: Character = line.contains(";") && !line.contains(",") ? ";" : ","
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if character == "\"" {
                if quoted, let next = iterator.next() {
                    if next == "\"" { current.append("\"") } else {
                        quoted = false
                        if next == separator { fields.append(current); current = "" } else { current.append(next) }
                    }
                } else {
                    quoted.toggle()
                }
            } else if character == separator, !quoted {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
