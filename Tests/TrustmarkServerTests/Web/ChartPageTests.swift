import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The pictures people read instead of tables: the staff dashboard's charts per role, and the
/// complaint figures on a shop's verification page, drawn on the server as SVG without script.
@Suite("Charts on the dashboard and the verification page")
struct ChartPageTests {
    /// The text a screen reader hears for the chart with `id` on `page`.
    static func description(_ id: String, in page: String) -> String? {
        guard let start = page.range(of: "<desc id=\"\(id)-desc\">") else { return nil }
        return String(page[start.upperBound...].prefix { $0 != "<" })
    }

    @Test func eachRoleSeesTheChartsOfItsWorkWithTheFiguresOfThisMoment() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            // setup: one member paid in full, one application waiting, a confirmed complaint with the shop.
            let journey = Journey(app: app, client: client)
            let flow = ComplaintFlow(journey: journey)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-06")
            _ = try await journey.apply(name: "Boeken BV", email: "bas@boeken.test", domains: ["boeken.test"])
            _ = try await flow.fileAndConfirm(shop: "fietsen.test", contacted: "2026-12-31")
            try await app.makeUser("mediator@trustmark.test", role: .mediator)

            // MUT: each role opens its dashboard.
            func dashboard(_ email: String) async throws -> String {
                let browser = Browser(client)
                _ = try await browser.login(email)
                let page = try await browser.get("/staff")
                #expect(page.status == .ok)
                return page.body
            }
            let admin = try await dashboard("admin@trustmark.test")
            let finance = try await dashboard("finance@trustmark.test")
            let mediator = try await dashboard("mediator@trustmark.test")
            let inspector = try await dashboard("inspector@trustmark.test")

            // validation: the figures, as a screen reader hears them.
            let applications = try #require(Self.description("chart-applications", in: admin))
            #expect(applications.contains("Ingediend: 1 (korter dan 1 week 1, 1 tot 4 weken 0, ouder dan 4 weken 0)"), "\(applications)")
            let deadlines = try #require(Self.description("chart-deadlines", in: mediator))
            #expect(deadlines.contains("Antwoord van de webshop: 1"), "the forwarded complaint waits for the shop: \(deadlines)")
            let invoices = try #require(Self.description("chart-invoices", in: finance))
            let paid = try #require(try await Invoice.query(on: app.storage.db).first())
            #expect(invoices.contains(app.register.desk.money(paid.grossCents, AppLocale.nl)) && invoices.contains("betaald \(paid.grossCents)"), "\(invoices)")
            #expect(Self.description("chart-misuse", in: inspector) == "Open: 0; Vervolgd: 0; Gesloten: 0")
            // Each role sees only its own work.
            #expect(Self.description("chart-invoices", in: mediator) == nil && Self.description("chart-applications", in: finance) == nil)
            #expect(Self.description("chart-sanctions", in: admin) != nil && Self.description("chart-sanctions", in: inspector) == nil)
            #expect(!admin.contains("<script"), "drawn without script")

            // Weeks later the application is older: it moves to the next age.
            try await journey.moveTo("2027-01-25")
            let later = try #require(Self.description("chart-applications", in: try await dashboard("admin@trustmark.test")))
            #expect(later.contains("Ingediend: 1 (korter dan 1 week 0, 1 tot 4 weken 1, ouder dan 4 weken 0)"), "\(later)")

            // The verification page shows the shop's complaints as a chart next to the figures.
            let verification = try await Browser(client).get("/shops/\(slug)")
            let complaints = try #require(Self.description("complaint-chart", in: verification.body))
            #expect(complaints == "Ontvangen: 1 (Opgelost 0, Niet opgelost 0, Lopend of ingetrokken 1)", "\(complaints)")
        }
    }
}
