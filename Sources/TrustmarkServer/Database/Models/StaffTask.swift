import FluentKit
import Foundation

/// Something a person at the trustmark must do by a day that the system cannot do for them: phone a
/// shop, hold a meeting, decide whether a suspended shop comes back. Open until someone marks it done
/// with a note.
final class StaffTask: Model, @unchecked Sendable {
    static let schema = "staff_tasks"

    enum Kind: String, CaseIterable, Sendable {
        case phoneShop = "phone_shop", meeting, returnOnline = "return_online", legalStep = "legal_step"
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @OptionalField(key: "shop_id") var shopID: UUID?
    /// What the task is about (`review_offence` and its id).
    @Field(key: "subject_type") var subjectType: String
    @Field(key: "subject_id") var subjectID: String
    @Field(key: "due_on") var dueOn: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "done_at") var doneAt: Date?
    @OptionalField(key: "done_by") var doneBy: UUID?
    @OptionalField(key: "note") var note: String?

    init() {}

    init(_ kind: Kind, shop: UUID?, subjectType: String, subjectID: String, due: String, at now: Date) {
        self.kind = kind.rawValue
        shopID = shop
        self.subjectType = subjectType
        self.subjectID = subjectID
        dueOn = due
        createdAt = now
    }
}
