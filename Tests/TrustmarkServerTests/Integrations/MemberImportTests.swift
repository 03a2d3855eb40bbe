import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Member import and export")
struct MemberImportTests {
    /// A list as Dutch Excel saves it: semicolons, Windows-1252, Dutch headers, dates day first.
    static let dutchList = """
        Organisatie;KvK-nummer;BTW-nummer;Contactpersoon;E-mail contactpersoon;Webwinkel;Domeinen;Lid sinds;Betaald tot;Plaats
        Café Fiets B.V.;45678912;NL123456782B01;José Müller;jose@cafefiets.test;Café Fiets;cafefiets.test www.cafefiets.nl;01-03-2024;31-12-2026;Utrecht
        Café Fiets B.V.;45678912;NL123456782B01;José Müller;jose@cafefiets.test;Fietsonderdelen;onderdelen.test;01-03-2024;31-12-2026;Utrecht
        Boekhuis B.V.;87654321;NL123456782B01;Anna Boek;anna@boekhuis.test;Boekhuis;boekhuis.test;2025-06-15;2026-06-14;Leiden
        Boekhuis B.V.;87654321;NL123456782B01;Anna Boek;anna@boekhuis.test;Boekhuis;boekhuis.test;2025-06-15;2026-06-14;Leiden
        Kapot B.V.;1234;NL123456782B01;Kees;kees@kapot.test;Kapot;kapot.test;2024-01-01;2026-12-31;Delft
        Dubbel B.V.;11223344;NL123456782B01;Dirk;dirk@dubbel.test;Dubbel;cafefiets.test;2024-01-01;2026-12-31;Delft
        Laat B.V.;22334455;NL123456782B01;Lies;lies@laat.test;Laat;laat.test;2024-01-01;2023-12-31;Delft
        Bezet B.V.;33445566;NL123456782B01;Bert;bert@bezet.test;Bezet;fietsen.test;2024-01-01;2026-12-31;Delft
        """.replacingOccurrences(of: "\n", with: "\r\n")

    static func call(_ admin: APIClient, _ body: Data, dryRun: Bool = false, language: String = "nl") async throws -> APIClient.Reply {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(admin.token ?? "")"
        headers[.contentType] = "text/csv"
        headers[.acceptLanguage] = language
        let response = try await admin.client.execute(uri: "/api/v1/imports/members\(dryRun ? "?dryRun=true" : "")", method: .post, headers: headers,
                                                      body: ByteBuffer(data: body))
        return APIClient.Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
    }

    @Test func aSpreadsheetListBecomesActiveMembersAndEveryBadRowIsNamed() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            // setup: one member already there (fietsen.test, KvK 12345678).
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            let admin = try await journey.api("admin@trustmark.test")
            let file = try #require(Self.dutchList.data(using: .windowsCP1252))
            let before = try await Organisation.query(on: app.storage.db).count()

            // MUT: a dry run reads everything and stores nothing.
            let dry = try await Self.call(admin, file, dryRun: true)
            #expect(dry.status == .ok, "\(dry.body)")
            #expect(dry.json["encoding"] as? String == "Windows-1252")
            #expect(dry.json["separator"] as? String == "semicolon")
            #expect(dry.json["organisations"] as? Int == 2 && dry.json["shops"] as? Int == 3)
            #expect(try await Organisation.query(on: app.storage.db).count() == before)
            let refused = try #require(dry.json["refused"] as? [[String: Any]])
            let byLine = Dictionary(refused.map { ($0["line"] as? Int ?? 0, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(Set(byLine.keys) == [5, 6, 7, 8, 9])
            #expect((byLine[5]?["message"] as? String)?.contains("regel 4") == true, "a duplicate row names the first")
            #expect(byLine[6]?["column"] as? String == "kvk")
            #expect((byLine[7]?["message"] as? String)?.contains("cafefiets.test") == true)
            #expect(byLine[8]?["column"] as? String == "paid_until")
            #expect((byLine[9]?["message"] as? String)?.contains("fietsen.test") == true, "a domain of an existing member")

            let done = try await Self.call(admin, file)
            #expect(done.json["organisations"] as? Int == 2)
            // validation: the accents survived, the shops carry the seal, the contact may set a password.
            let registration = try #require(try await Registration.query(on: app.storage.db).filter(\.$kvk == "45678912").first())
            #expect(registration.legalName == "Café Fiets B.V." && registration.contactName == "José Müller")
            let shop = try #require(try await ShopDomain.query(on: app.storage.db).filter(\.$domain == "cafefiets.nl").with(\.$shop).first()).shop
            #expect(shop.state == .approved)
            let facts = try await APIClient(client: client).call(.get, "/api/v1/shops?domain=cafefiets.nl")
            #expect(facts.json["status"] as? String == "valid", "\(facts.body)")
            #expect(facts.json["legalName"] as? String == "Café Fiets B.V.")
            let welcome = try await journey.mails(to: "jose@cafefiets.test", kind: "membership.imported")
            #expect(welcome.count == 1 && welcome[0].body.contains("/invitations/"))
            let membership = try #require(try await Membership.query(on: app.storage.db).filter(\.$organisation.$id == registration.$organisation.id).first())
            #expect(membership.approvedOn == "2024-03-01" && membership.paidThrough == "2027-01-01")
            // Paid until 14 June 2026: that membership lapsed.
            let lapsed = try #require(try await Membership.query(on: app.storage.db).filter(\.$approvedOn == "2025-06-15").first())
            #expect(lapsed.notifiedStanding == "lapsed")

            // The same file again: nothing twice.
            let again = try await Self.call(admin, file, language: "en")
            #expect(again.json["organisations"] as? Int == 0)
            let second = try #require(again.json["refused"] as? [[String: Any]])
            #expect(second.count == 8)
            #expect(second.first { $0["line"] as? Int == 2 }?["message"] as? String == "The domain cafefiets.test already belongs to another member's shop. Contact us if it is yours.")

            // Export: the import's own columns, so the list can go out and come back.
            let export = try await admin.call(.get, "/api/v1/exports/members")
            #expect(export.headers[.contentType]?.hasPrefix("text/csv") == true)
            let rows = CSV.records(String(export.body.drop { $0 == "\u{FEFF}" }), separator: ",")
            #expect(MemberList.columns(rows[0].fields).missing.isEmpty)
            #expect(rows.count == 1 + 4, "three imported shops and the member that was there")
            #expect(rows.contains { $0.fields.contains("Fietsonderdelen") && $0.fields.contains("2026-12-31") })
            let complaints = try await admin.call(.get, "/api/v1/exports/complaints")
            #expect(complaints.body.contains("reference,received_on,shop"))
            #expect(try await admin.call(.get, "/api/v1/exports/people").status == .notFound)
            #expect(try await (try await journey.api("eva@fietsen.test")).call(.get, "/api/v1/exports/members").status == .forbidden)
        }
    }

    @Test func filesThatAreNoListAreRefusedWithAWayForward() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            try await journey.staff()
            let admin = try await journey.api("admin@trustmark.test")
            // An Excel workbook (a ZIP) instead of CSV.
            let workbook = try await Self.call(admin, Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), language: "en")
            #expect(workbook.status == .unprocessableContent)
            #expect(workbook.error["code"] as? String == "csv_not_text")
            #expect((workbook.error["message"] as? String)?.contains("Save the list") == true)
            // Columns missing: named, with the separator it was read with.
            let partial = try await Self.call(admin, Data("organisation,kvk\nA,12345678\n".utf8), language: "de")
            #expect(partial.error["code"] as? String == "csv_columns_missing")
            #expect((partial.error["message"] as? String)?.contains("contact_email") == true)
            // UTF-16 with its mark, tab separated, English headers: read.
            let header = "organisation\tkvk\tvat\tcontact_name\tcontact_email\tshop\tdomains\tmember_since\tpaid_until\n"
            let row = "Zoë B.V.\t44556677\tNL123456782B01\tZoë\tzoe@zoe.test\tZoë\tzoe.test\t2025-01-01\t2026-12-31\n"
            var utf16 = Data([0xFF, 0xFE])
            utf16.append(try #require((header + row).data(using: .utf16LittleEndian)))
            let read = try await Self.call(admin, utf16, dryRun: true)
            #expect(read.json["encoding"] as? String == "UTF-16" && read.json["separator"] as? String == "tab")
            #expect(read.json["shops"] as? Int == 1, "\(read.body)")
            // Through the page: the report with the refused rows.
            let browser = Browser(client)
            _ = try await browser.login("admin@trustmark.test")
            let page = try await browser.postMultipart("/staff/import-export", ["dryRun": "yes"],
                                                       files: [(field: "file", name: "leden.csv", type: "text/csv", bytes: Array(Self.dutchList.utf8))])
            let run = try #require(page.location, "the check runs as a job and its page follows: \(page.status)")
            _ = try await app.jobs.runDue()
            let report = try await browser.get(run)
            #expect(report.body.contains("Controle klaar") && report.body.contains("Geweigerde regels"), "\(report.body.prefix(300))")
            #expect(try await Organisation.query(on: app.storage.db).count() == 0)
            // A file that is no list is refused at once, on the page it was sent from.
            let xlsx = try await browser.postMultipart("/staff/import-export", ["dryRun": "yes"],
                                                       files: [(field: "file", name: "leden.xlsx", type: "application/octet-stream", bytes: [0x50, 0x4B, 0x03, 0x04, 0x00, 0xFF, 0xFE, 0x00])])
            #expect(xlsx.status == .unprocessableContent && xlsx.location == nil, "\(xlsx.status)")
        }
    }
}
