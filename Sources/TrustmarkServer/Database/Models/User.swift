import FluentKit
import Foundation
import TrustmarkCore

/// A person who signs in: staff of the trustmark or a user of a member organisation.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    /// Empty until an invited user sets a password.
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "role") var roleRaw: String
    @OptionalParent(key: "organisation_id") var organisation: Organisation?
    @Field(key: "locale") var locale: String
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(email: String, displayName: String, passwordHash: String?, role: Role, organisationID: UUID?, locale: String, createdAt: Date) {
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.roleRaw = role.rawValue
        self.$organisation.id = organisationID
        self.locale = locale
        self.createdAt = createdAt
    }

    var role: Role { Role(rawValue: roleRaw) ?? .member }
    var isDisabled: Bool { disabledAt != nil }
}
