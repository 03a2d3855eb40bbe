import FluentKit
import SQLKit

/// A consumer's consent to news by mail: given and withdrawn only by the person (through the link
/// mailed to their address), kept apart from complaints and reviews, so it is never a condition of them.
struct M0027CreateMarketingConsents: AsyncMigration {
    var name: String { "0027-create-marketing-consents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("marketing_consents")
            .id()
            .field("email", .string, .required)
            .field("given_at", .datetime, .required)
            .field("withdrawn_at", .datetime)
            .unique(on: "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("marketing_consents").delete()
    }
}
