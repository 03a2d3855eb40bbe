import FluentKit
import Foundation
import Hummingbird
import TrustmarkCore

final class LetterRow: Model, @unchecked Sendable {
    static let schema = "letters"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "locale") var locale: String
    @Field(key: "registered") var registered: Bool
    @Field(key: "pdf") var pdf: Data
    @Field(key: "sha256") var sha256: String
    @Field(key: "created_at") var createdAt: Date
    /// The day staff handed a registered letter to the post (YYYY-MM-DD).
    @OptionalField(key: "sent_on") var sentOn: String?
    @OptionalField(key: "sent_recorded_by") var sentRecordedBy: UUID?

    init() {}
}

/// Letters are produced once and kept byte for byte with their hash, so the letter that went out
/// can be shown later exactly as it was; registered ones wait for staff to record the posting day.
struct LettersService: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock
    let writer: DocumentWriter
    let timeZone: TimeZone

    func create(kind: String, letter: DocumentWriter.Letter, locale: AppLocale, organisationID: UUID?, by actor: Record.Actor, on db: any Database) async throws -> LetterRow {
        let pdf = writer.letter(letter, locale: locale)
        let row = LetterRow()
        row.id = UUID()
        row.kind = kind
        row.organisationID = organisationID
        row.recipient = ([letter.recipient] + letter.address).joined(separator: ", ")
        row.subject = letter.subject
        row.locale = locale.rawValue
        row.registered = letter.registered
        row.pdf = pdf
        row.sha256 = SecretToken.digest(pdf.base64EncodedString())
        row.createdAt = clock.now()
        try await row.create(on: db)
        try await Record.append(on: db, at: row.createdAt, actor: actor, action: "letter.created", subjectType: organisationID == nil ? "letter" : "organisation",
                                subjectID: organisationID?.uuidString ?? row.id!.uuidString, after: ["kind": kind, "letter": row.id!.uuidString, "sha256": row.sha256])
        return row
    }

    /// Records the day a registered letter was posted; it can be set once and not in the future.
    func markSent(_ id: UUID, on day: String, by actor: Identity) async throws {
        guard let row = try await LetterRow.find(id, on: storage.db) else { throw AppError.notFound }
        guard row.registered else { throw AppError.conflict("not_registered", "letter_not_registered") }
        guard row.sentOn == nil else { throw AppError.conflict("already_sent", "letter_already_sent", ["date": row.sentOn ?? ""]) }
        guard let posted = Day(day) else { throw AppError.invalid("sent_on", "letter_bad_date") }
        let today = Day(clock.now(), in: timeZone)
        guard posted <= today, posted >= Day(row.createdAt, in: timeZone) else { throw AppError.invalid("sent_on", "letter_date_range") }
        let now = clock.now()
        try await storage.db.transaction { db in
            row.sentOn = posted.description
            row.sentRecordedBy = actor.userID
            try await row.save(on: db)
            try await Record.append(on: db, at: now, actor: .init(actor), action: "letter.posted", subjectType: row.organisationID == nil ? "letter" : "organisation",
                                    subjectID: row.organisationID?.uuidString ?? id.uuidString, after: ["letter": id.uuidString, "sent_on": posted.description])
        }
    }
}
