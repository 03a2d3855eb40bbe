import FluentKit
import Foundation

/// The daily clean-up: sign-ins and single-use links that can no longer be used are deleted.
enum MaintenanceJob {
    static let kind = "maintenance.cleanup"

    static func run(_ context: JobContext) async throws {
        let now = context.clock.now()
        let db = context.storage.db
        try await WebSession.query(on: db).filter(\.$expiresAt < now).delete()
        try await APIToken.query(on: db).filter(\.$expiresAt < now).delete()
        try await APIToken.query(on: db).filter(\.$revokedAt < now.addingTimeInterval(-SessionPolicy.apiTokenLifetime)).delete()
        try await AccountToken.query(on: db).filter(\.$expiresAt < now.addingTimeInterval(-SessionPolicy.setupLifetime)).delete()
        try await LoginFailure.query(on: db).filter(\.$at < now.addingTimeInterval(-LoginPolicy.window)).delete()
    }
}
