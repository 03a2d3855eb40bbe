import FluentKit
import SQLKit

/// A listing for a temporary suspension says until when (KeurOnline article 26: listed too).
struct M0022ListUntil: AsyncMigration {
    var name: String { "0022-list-until" }

    func prepare(on database: any Database) async throws {
        try await database.schema("public_listings").field("until", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("public_listings").deleteField("until").update()
    }
}
