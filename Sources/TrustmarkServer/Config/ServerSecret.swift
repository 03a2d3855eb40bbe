import FluentKit
import Foundation
import TrustmarkCore

/// The key that signs links handed to consumers (proof of an e-mail address). It is created once
/// and kept in the database, so every instance on the same database signs and checks alike and an
/// operator has nothing to configure; restarting never invalidates links already mailed.
enum ServerSecret {
    static let settingKey = "link_signing_secret"

    static func loadOrCreate(on db: any Database) async throws -> String {
        if let existing = try await Setting.find(settingKey, on: db) { return existing.value }
        do {
            try await Setting(key: settingKey, value: SecretToken.generate()).create(on: db)
        } catch {
            // Another instance created it first; its value wins.
        }
        guard let stored = try await Setting.find(settingKey, on: db) else {
            throw ConfigError(setting: "DATABASE_URL", message: "cannot store the link-signing key in the settings table")
        }
        return stored.value
    }
}

/// Why `serve` stopped, as one line an operator can act on.
public enum StartupFailure {
    public static func describe(_ error: any Error, config: AppConfig) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "--port / TRUSTMARK_PORT: port \(config.port) on \(config.hostname) is already in use"
        }
        if text.contains("Cannot assign requested address") || text.contains("EADDRNOTAVAIL") {
            return "--hostname / TRUSTMARK_HOSTNAME: \(config.hostname) is not an address of this machine"
        }
        if text.contains("Permission denied") || text.contains("EACCES") {
            return "--port / TRUSTMARK_PORT: no permission to listen on port \(config.port)"
        }
        return "the server stopped: \(text)"
    }
}
