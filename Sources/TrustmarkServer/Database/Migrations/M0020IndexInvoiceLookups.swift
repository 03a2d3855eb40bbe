import FluentKit
import SQLKit

/// An invoice's lines and its credit notes are looked up by the invoice's id for every invoice shown
/// (the invoice list, the API, the PDF). Without an index each lookup read the whole table: at
/// 100,000 members the finance list took about 280 ms a page.
struct M0020IndexInvoiceLookups: AsyncMigration {
    var name: String { "0020-index-invoice-lookups" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "invoice_lines_invoice_idx").on("invoice_lines").column("invoice_id").column("position").run()
        try await sql.create(index: "invoices_credits_idx").on("invoices").column("credits_invoice_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "invoices_credits_idx").run()
        try await sql.drop(index: "invoice_lines_invoice_idx").run()
    }
}
