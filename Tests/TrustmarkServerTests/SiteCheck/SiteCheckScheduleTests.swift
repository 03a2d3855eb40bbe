import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Where the website checker runs in the application: the pre-check of a new application on the
/// audit screen, the round of re-checks with the clock, a regression that opens a re-check for an
/// inspector, and the progress staff follow.
@Suite("Website checker in the application", .serialized)
struct SiteCheckScheduleTests {
    static func settings(_ port: Int) -> [String: String] {
        ["TRUSTMARK_SITE_CHECKER": "on", "TRUSTMARK_SITE_CHECKER_URL": "http://{domain}:\(port)/", "TRUSTMARK_SITE_CHECKER_RESOLVE": "127.0.0.1",
         "TRUSTMARK_SITE_CHECKER_INTERVAL_MS": "0"]
    }

    @Test func aNewApplicationIsPreCheckedAndTheAuditScreenShowsIt() async throws {
        try await SiteFixtures.with { port, _ in
            try await TestApp.with(scheme: "keuronline", extra: Self.settings(port)) { app, client in
                let journey = Journey(app: app, client: client)
                try await journey.staff()
                let (id, _) = try await journey.apply(name: "Fietsen BV", email: "eva@fietsen.test", domains: ["wisselend.test"])
                _ = try await app.jobs.runDue()
                let run = try #require(try await SiteCheck.query(on: app.storage.db).first())
                #expect(run.reason == "pre_check" && run.applicationID?.uuidString == id && run.failure == nil)
                #expect(run.checkResults.first { $0.check == "kvk_number" }?.outcome == .found, "the registered 12345678")
                let staff = Browser(client, acceptLanguage: "nl")
                try await staff.login("admin@trustmark.test")
                let page = try await staff.get("/staff/applications/\(id)")
                #expect(page.body.contains("Websitecontrole (") && page.body.contains("gevonden: “"), "the outcome and its words on the audit screen")
                #expect(page.body.contains("href=\"http://wisselend.test:\(port)/\""), "one click to the page")

                // The inspector finds the checker's answers filled in, to confirm or change.
                let admin = try await journey.api("admin@trustmark.test")
                #expect(try await admin.call(.post, "/api/v1/applications/\(id)/assignment",
                                             json: ["inspectorId": try await journey.userID("inspector@trustmark.test").uuidString]).status == .noContent)
                let inspectorAPI = try await journey.api("inspector@trustmark.test")
                #expect(try await inspectorAPI.call(.post, "/api/v1/applications/\(id)/declaration", json: ["conflict": false]).status == .noContent)
                let inspector = Browser(client, acceptLanguage: "nl")
                try await inspector.login("inspector@trustmark.test")
                let form = try await inspector.get("/staff/applications/\(id)").body
                let shop = try #require(run.$shop.id?.uuidString)
                #expect(form.contains("name=\"result.\(shop)|kvk-number\" value=\"pass\" checked"), "found: pass, ready to confirm")
                #expect(form.contains("name=\"result.\(shop)|shipping-costs\" value=\"fail\" checked"), "not found: fail, with the checker's words as note")
                #expect(form.contains("value=\"http://wisselend.test:\(port)/\""), "the page as evidence")
            }
        }
    }

    @Test func theRoundChecksMembersOnTheSchemesIntervalAndARegressionOpensARecheck() async throws {
        try await SiteFixtures.with { port, _ in
            SiteFixtures.changed.withLock { $0 = false }
            try await TestApp.with(scheme: "keuronline", extra: Self.settings(port)) { app, client in
                let journey = Journey(app: app, client: client)
                _ = try await journey.activeMember(domain: "wisselend.test")
                _ = try await app.jobs.runDue()
                let shop = try #require(try await Shop.query(on: app.storage.db).first()?.id)
                #expect(try await SiteCheck.query(on: app.storage.db).count() == 1, "the pre-check")
                var admin = try await journey.api("admin@trustmark.test")
                var progress = try await admin.call(.get, "/api/v1/site-checks/progress").json
                #expect(progress["shops"] as? Int == 1 && progress["checked"] as? Int == 1 && progress["toDo"] as? Int == 0, "\(progress)")

                // KeurOnline: every 3 months. Not before; the day the interval has passed, the daily run checks it.
                let checkedOn = Day(try #require(try await SiteCheck.query(on: app.storage.db).first()?.checkedAt), in: app.scheme.timeZone)
                try await journey.moveTo(checkedOn.adding(days: 80).description)
                #expect(try await SiteCheck.query(on: app.storage.db).count() == 1)
                try await journey.moveTo(checkedOn.adding(days: 93).description)
                let runs = try await SiteCheck.query(on: app.storage.db).sort(\.$checkedAt).all()
                #expect(runs.map(\.reason) == ["pre_check", "recheck"], "\(runs.map(\.reason))")
                #expect(try await MembershipApplication.query(on: app.storage.db).filter(\.$kindRaw == "recheck").count() == 0, "nothing regressed")

                // The site loses its KvK number: the next check (staff ask for it) opens a re-check for an inspector.
                SiteFixtures.changed.withLock { $0 = true }
                admin = try await journey.api("admin@trustmark.test")
                let now = try await admin.call(.post, "/api/v1/site-checks", json: ["shopId": shop.uuidString])
                #expect(now.status == .created, "\(now.body)")
                #expect(now.json["regressions"] as? [String] == ["kvk_number", "vat_number"], "\(now.body)")
                let recheck = try #require(try await MembershipApplication.query(on: app.storage.db).filter(\.$kindRaw == "recheck").first())
                #expect(recheck.state == .submitted, "waiting for an inspector; nothing sanctioned")
                let sanctions = try await Sanction.query(on: app.storage.db).count(), proposals = try await SanctionProposal.query(on: app.storage.db).count()
                #expect(sanctions == 0 && proposals == 0)
                progress = try await admin.call(.get, "/api/v1/site-checks/progress").json
                #expect(progress["regressions"] as? Int == 1)
                let listed = try await admin.call(.get, "/api/v1/site-checks?shopId=\(shop.uuidString)").json
                #expect(listed["total"] as? Int == 3)
                #expect(try await admin.call(.post, "/api/v1/site-checks", json: ["url": "ftp://x"], language: "en").error["field"] as? String == "url")
            }
            SiteFixtures.changed.withLock { $0 = false }
        }
    }

    @Test func misuseCasesAreScannedAndStaffCanScanASiteTheyFound() async throws {
        try await SiteFixtures.with { port, _ in
            try await TestApp.with(scheme: "keuronline", extra: Self.settings(port)) { app, client in
                let journey = Journey(app: app, client: client)
                let (slug, _, _) = try await journey.activeMember()
                SiteFixtures.copiedSeal.withLock { $0 = app.config.baseURL + "/seal/\(slug).svg?size=120" }
                _ = try await APIClient(client: client).call(.get, "/seal/\(slug).svg", headers: ["Referer": "http://kopie.test:\(port)/winkel"])
                try await app.seals.sightings.flush()
                // The daily run scans the open case's page.
                try await journey.moveTo("2026-12-25")
                let admin = try await journey.api("admin@trustmark.test")
                let found = try #require((try await admin.call(.get, "/api/v1/misuse-cases").json["items"] as? [[String: Any]])?.first)
                #expect(found["scanOutcome"] as? String == "seen", "\(found)")
                #expect((found["scanEvidence"] as? String)?.contains("/seal/\(slug).svg") == true)

                // Sites staff name: a copy of the logo, nothing, and one that cannot be read.
                let logo = try await admin.call(.post, "/api/v1/misuse-scans", json: ["url": "http://logo.test:\(port)/"])
                #expect(logo.status == .created && logo.json["outcome"] as? String == "seen" && logo.json["caseId"] == nil, "\(logo.body)")
                #expect((logo.json["evidence"] as? String)?.contains("keuronline-logo.png") == true)
                #expect(try await admin.call(.post, "/api/v1/misuse-scans", json: ["url": "http://nietsaan.test:\(port)/"]).json["outcome"] as? String == "not_seen")
                let closed = try await admin.call(.post, "/api/v1/misuse-scans", json: ["url": "http://dicht.test:1/"]).json
                #expect(closed["outcome"] as? String == "could_not_check" && closed["reason"] as? String == "unreachable")
                #expect(try await admin.call(.post, "/api/v1/misuse-scans", json: ["url": "ftp://x"]).status == .unprocessableContent)
                // A seal of one of our shops on a page staff name opens that case.
                let named = try await admin.call(.post, "/api/v1/misuse-scans", json: ["url": "http://kopie.test:\(port)/aanbieding"])
                #expect(named.json["caseId"] as? String == found["id"] as? String, "the same shop and site: the same case")

                let staff = Browser(client, acceptLanguage: "nl")
                try await staff.login("admin@trustmark.test")
                #expect(try await staff.get("/staff/misuse").body.contains("Websitecontrole: keurmerk op de pagina gezien"))
                #expect(try await staff.get("/staff/sanctions").body.contains("bevestigd door de websitecontrole, wacht op een besluit: 1"), "in the sanctions queue")
                let scanned = try await staff.post("/staff/misuse-scans", ["url": "http://nietsaan.test:\(port)/"])
                #expect(scanned.location == "/staff/misuse?scanned=not_seen")
                #expect(try await staff.get("/staff/misuse?scanned=not_seen").body.contains("Geen keurmerk of logo op die pagina gevonden."))
            }
        }
    }

    @Test func aShopIsCheckedBeforeItsRenewalEvenWhenItsRoundIsNotDue() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            _ = try await journey.activeMember()
            let shop = try #require(try await Shop.query(on: app.storage.db).first()?.id)
            let paidThrough = try #require(try await Membership.query(on: app.storage.db).first()?.paidThrough.flatMap(Day.init))
            let service = SiteCheckService.make(desk: app.memberships.desk, applications: app.applications, settings: app.config.siteChecker)
            // Checked 20 days before the term ends; the renewal window (1 month, article 21) opens after it.
            let checked = SiteCheck()
            checked.$shop.id = shop
            checked.url = "https://fietsen.test/"
            checked.reason = SiteCheck.Reason.recheck.rawValue
            checked.pages = ""
            checked.results = "[]"
            checked.found = 0
            checked.notFound = 0
            checked.unsure = 0
            checked.regressions = ""
            checked.milliseconds = 1
            checked.checkedAt = paidThrough.adding(days: -40).midday(in: app.scheme.timeZone)
            try await checked.create(on: app.storage.db)
            #expect(try await service.due(today: paidThrough.adding(days: -35)).today.isEmpty, "checked 5 days ago")
            let due = try await service.due(today: paidThrough.adding(days: -25)).today
            #expect(due.map(\.shop) == [shop] && due.map(\.reason) == [.renewal], "before the renewal")
            #expect(try await service.due(today: paidThrough.adding(days: 10)).today.isEmpty, "after the renewal: the round's interval again")
        }
    }
}
