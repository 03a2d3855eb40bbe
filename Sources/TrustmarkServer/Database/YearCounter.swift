import FluentKit
import SQLKit

/// Numbers that run per year without gaps (invoices, complaint references): `table` holds one row
/// per year, raised with `UPDATE ... RETURNING` inside the caller's transaction, so a failed
/// transaction gives its number back and two instances never take the same one.
enum YearCounter {
    static func next(_ table: String, year: Int, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw AppError.notFound }
        try await sql.raw("INSERT INTO \(ident: table) (year, last) VALUES (\(bind: year), 0) ON CONFLICT (year) DO NOTHING").run()
        struct Row: Decodable { let last: Int }
        guard let row = try await sql.raw("UPDATE \(ident: table) SET last = last + 1 WHERE year = \(bind: year) RETURNING last").first(decoding: Row.self) else {
            throw AppError.notFound
        }
        return row.last
    }
}
