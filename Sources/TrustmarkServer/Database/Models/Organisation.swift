import FluentKit
import Foundation

/// A member's organisation (the legal entity behind one or more webshops). Staff belong to none.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    /// Set when the membership ended (by the member, by staff, after a refused rule change, ...).
    @OptionalField(key: "membership_ended_at") var membershipEndedAt: Date?
    @OptionalField(key: "membership_end_reason") var membershipEndReason: String?

    init() {}

    init(name: String, createdAt: Date) {
        self.name = name
        self.createdAt = createdAt
    }
}
