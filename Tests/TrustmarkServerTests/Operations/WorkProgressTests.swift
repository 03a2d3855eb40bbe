import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Staff who start long work see how far it got: an import of a member list runs as a job and its
/// page shows a bar that moves (the page reloads itself, no script) and then the report; the jobs
/// page lists it with the mail it set off.
@Suite("Progress of long work")
struct WorkProgressTests {
    static func list(rows: Int) -> String {
        var lines = ["organisation;kvk;vat;contact name;contact email;shop;domains;member since;paid until"]
        for index in 0..<rows {
            lines.append("Winkel \(index) B.V.;\(10_000_000 + index);NL123456782B01;Eva \(index);eva\(index)@winkel\(index).test;Winkel \(index);winkel\(index).test;2026-01-01;2027-06-30")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func anImportShowsItsBarThenItsReportAndTheMailItSetOff() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            // setup
            try await app.makeUser("admin@trustmark.test", role: .admin)
            let browser = Browser(client)
            _ = try await browser.login("admin@trustmark.test")

            // MUT: the administrator sends a list of 120 shops.
            let sent = try await browser.postMultipart("/staff/import-export", [:], files: [(field: "file", name: "leden-2027.csv", type: "text/csv", bytes: Array(Self.list(rows: 120).utf8))])
            let location = try #require(sent.location)
            #expect(sent.status == .seeOther && location.hasPrefix("/staff/import-export/runs/"))

            // validation: before the job ran, the page says it waits, carries a bar and reloads itself.
            let waiting = try await browser.get(location)
            #expect(waiting.body.contains("Leden inlezen uit leden-2027.csv") && waiting.body.contains("wacht op zijn beurt"))
            #expect(waiting.body.contains("<progress max=\"0\" value=\"0\"") && waiting.body.contains("<script src=\"/public/js/progress.js\" defer></script>") && waiting.body.contains("data-follow"))
            // Half way (as the job writes it), the bar stands half full.
            let run = try #require(try await WorkRun.query(on: app.storage.db).first())
            run.done = 60
            run.total = 120
            try await run.save(on: app.storage.db)
            #expect(try await browser.get(location).body.contains("60 van 120 regels"))
            // The job runs: the report replaces the bar, the page stands still, the file is let go.
            _ = try await app.jobs.runDue()
            let done = try await browser.get(location)
            #expect(done.body.contains("Import klaar") && !done.body.contains("progress.js"), "\(done.body.prefix(400))")
            #expect(try await Organisation.query(on: app.storage.db).count() == 120)
            #expect(try await WorkRun.query(on: app.storage.db).first()?.input == nil)
            // The jobs page lists the import done and the 120 set-up mails still to send (no mail server here).
            let jobs = try await browser.get("/staff/jobs")
            #expect(jobs.body.contains("Leden inlezen uit leden-2027.csv") && jobs.body.contains("120 van 120 regels"), "\(jobs.body.prefix(600))")
            let sentCount = try await OutboxMessage.query(on: app.storage.db).filter(\.$deliveredAt != nil).count()
            let total = try await OutboxMessage.query(on: app.storage.db).count()
            #expect(total >= 120 && jobs.body.contains("\(sentCount) van \(total) verstuurd"))
            // Another administrator's unknown run is a 404, not someone else's page.
            #expect(try await browser.get("/staff/import-export/runs/\(UUID().uuidString)").status == .notFound)
        }
    }

    @Test func theRecheckRoundShowsHowManySitesAreChecked() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            // setup: a round of three website checks, one done (the checker itself is off in tests).
            try await app.makeUser("admin@trustmark.test", role: .admin)
            let now = app.clock.now()
            for _ in 0..<3 {
                _ = try await JobQueue.enqueue(SiteCheckService.runJob, payload: "\(SiteCheck.Reason.recheck.rawValue):\(UUID().uuidString)", at: now.addingTimeInterval(3600),
                                               now: now, on: app.storage.db)
            }
            let first = try #require(try await Job.query(on: app.storage.db).filter(\.$kind == SiteCheckService.runJob).first())
            first.statusRaw = Job.Status.done.rawValue
            first.finishedAt = now
            try await first.save(on: app.storage.db)
            let browser = Browser(client)
            _ = try await browser.login("admin@trustmark.test")

            // MUT
            let page = try await browser.get("/staff/jobs")

            // validation: the round's bar, following itself while it runs.
            #expect(page.body.contains("Hercontrole van websites") && page.body.contains("1 van 3 websites gecontroleerd"), "\(page.body.prefix(800))")
            #expect(page.body.contains("<progress max=\"3\" value=\"1\"") && page.body.contains("data-follow"))
        }
    }
}
