import FluentKit
import Foundation
import SQLKit

/// Each shop gets a stable slug for its seal and verification page (`/seal/{slug}.svg`,
/// `/shops/{slug}`), and the seal cache gets the version counter it polls.
struct M0008AddShopSlugs: AsyncMigration {
    var name: String { "0008-add-shop-slugs" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE shops ADD COLUMN slug TEXT").run()
        struct Row: Decodable { let id: UUID; let name: String }
        for row in try await sql.raw("SELECT id, name FROM shops").all(decoding: Row.self) {
            try await sql.raw("UPDATE shops SET slug = \(bind: ShopSlug.make(name: row.name, id: row.id)) WHERE id = \(bind: row.id)").run()
        }
        try await sql.raw("CREATE UNIQUE INDEX shops_slug_idx ON shops (slug)").run()
        try await sql.raw("INSERT INTO settings (key, value) VALUES ('seal.version', '0')").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX shops_slug_idx").run()
        try await sql.raw("ALTER TABLE shops DROP COLUMN slug").run()
        try await sql.raw("DELETE FROM settings WHERE key = 'seal.version'").run()
    }
}

/// `fietsenhuis-de-ketting-3f9a1c`: the name in plain letters and the start of the shop's id, so
/// it never changes and two shops of the same name differ.
enum ShopSlug {
    static func make(name: String, id: UUID) -> String {
        let plain = name.lowercased().folding(options: .diacriticInsensitive, locale: Locale(identifier: "en_US_POSIX"))
        var words: [String] = []
        var current = ""
        for character in plain {
            if character.isASCII, character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        let base = words.joined(separator: "-").prefix(48)
        let suffix = id.uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(6)
        return base.isEmpty ? String(suffix) : "\(base)-\(suffix)"
    }
}
