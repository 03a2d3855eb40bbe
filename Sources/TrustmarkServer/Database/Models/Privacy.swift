import FluentKit
import Foundation

/// A consumer's consent to news by mail, and when it was withdrawn.
final class MarketingConsent: Model, @unchecked Sendable {
    static let schema = "marketing_consents"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "given_at") var givenAt: Date
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}

    var isGiven: Bool { withdrawnAt == nil }
}
