import FluentKit
import Foundation
import HummingbirdTesting
import Testing
import TrustmarkCore
@testable import TrustmarkServer

@Suite("Review fraud and the escalation ladder")
struct FraudLadderFlowTests {
    static func status(_ api: APIClient, _ slug: String) async throws -> String? {
        try await api.call(.get, "/api/v1/shops/\(slug)").json["status"] as? String
    }

    /// Lets the seal's cache window pass (every instance reads the seal version at most every 2 s).
    static func later(_ api: APIClient) async throws {
        #expect(try await api.call(.post, "/api/v1/dev/clock", json: ["advance": "PT3S"]).status == .ok)
    }

    static func openTasks(_ mediator: APIClient) async throws -> [String] {
        ((try await mediator.call(.get, "/api/v1/tasks").json["items"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
    }

    /// The example scheme (which takes members) with its fraud ladder replaced by Kieskeurig.nl's, copied
    /// from that scheme's file as an operator would (Kieskeurig's own file has no membership section: its
    /// shops come in by import), or with no ladder at all.
    static func exampleScheme(ladderFrom source: String?) throws -> String {
        let lines = { (name: String) in
            try String(contentsOfFile: TestApp.checkout + "/Schemes/\(name).yaml", encoding: .utf8).components(separatedBy: "\n")
        }
        func block(_ lines: [String]) throws -> Range<Int> {
            let start = try #require(lines.firstIndex { $0.hasPrefix("  fraud_ladder:") })
            let end = lines[(start + 1)...].firstIndex { !$0.hasPrefix("    ") } ?? lines.count
            return start..<end
        }
        var base = try lines("default")
        var replacement: [String] = []
        if let source {
            let other = try lines(source)
            replacement = Array(other[try block(other)])
        }
        base.replaceSubrange(try block(base), with: replacement)
        let path = NSTemporaryDirectory() + "trustmark-ladder-\(UUID().uuidString).yaml"
        try base.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func kieskeurigsLadderRunsWithTheClockAndStaffMayDeviateWithAReason() async throws {
        let scheme = try Self.exampleScheme(ladderFrom: "kieskeurig")
        defer { try? FileManager.default.removeItem(atPath: scheme) }
        try await TestApp.with(scheme: scheme) { app, client in
            #expect(app.scheme.scheme.reviews?.ladder.allSatisfy(\.phoneTask) == true, "Kieskeurig phones at every step")
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await app.makeUser("mediator@trustmark.test", role: .mediator)
            try await journey.moveTo("2027-01-04")
            var mediator = try await journey.api("mediator@trustmark.test")
            let api = APIClient(client: client)
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            var fakes: [UUID] = []
            for index in 0..<6 { fakes.append(try await ReviewTests.published(app, shop: shop, overall: 5, author: "Medewerker \(index)")) }
            #expect(try await api.call(.get, "/api/v1/shops/\(slug)/reviews").json["count"] as? Int == 6)
            let path = "/api/v1/shops/\(slug)/offences"

            // Bad input is refused, naming the field, and nothing is taken.
            let empty = try await mediator.call(.post, path, json: ["reviews": [fakes[0].uuidString], "explanation": " "])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.error["field"] as? String == "explanation")
            let foreign = try await mediator.call(.post, path, json: ["reviews": [UUID().uuidString], "explanation": "Nep"])
            #expect(foreign.error["field"] as? String == "reviews")
            let noStep = try await mediator.call(.post, path, json: ["explanation": "Nep", "step": 9])
            #expect(noStep.error["field"] as? String == "step")
            #expect((noStep.error["message"] as? String)?.contains("4") == true, "\(noStep.body)")
            let noReason = try await mediator.call(.post, path, json: ["explanation": "Nep", "step": 3])
            #expect(noReason.error["field"] as? String == "deviationReason")
            #expect(try await ReviewOffence.query(on: app.storage.db).count() == 0)

            // 1st offence: warning, letter with the mail, the reviews offline, a phone task; the seal stays valid.
            let first = try await mediator.call(.post, path, json: ["reviews": [fakes[0].uuidString, fakes[1].uuidString],
                                                                     "explanation": "Twee reviews zijn geschreven door een medewerker van de webwinkel."])
            #expect(first.status == .created, "\(first.body)")
            #expect(first.json["step"] as? Int == 1)
            #expect(first.json["action"] as? String == "warning")
            #expect(try await api.call(.get, "/api/v1/shops/\(slug)/reviews").json["count"] as? Int == 4, "the offending reviews no longer count")
            #expect(try await Review.find(fakes[0], on: app.storage.db)?.removedReason == "fake")
            let warningMail = try #require(try await journey.mails(to: "eva@fietsen.test", kind: "review.offence").last)
            let letter = try #require(try await LetterRow.find(try #require(warningMail.letterID), on: app.storage.db))
            #expect(letter.pdf.starts(with: Data("%PDF".utf8)))
            #expect(warningMail.body.contains("medewerker"), "the mail names what was found")
            #expect(try await Self.openTasks(mediator) == ["phone_shop"])
            #expect(try await Self.status(api, slug) == "valid")
            // The shop's record was read for its reviews before; the warning shows once the cache window has passed.
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            let page = try await Browser(client).get("/shops/\(slug)")
            #expect(page.body.contains("reviewfraude vastgesteld"), "consumers are warned while the step is in force")
            // The member reads its own letter; the mail's attachment is the same PDF.
            let browser = Browser(client)
            _ = try await browser.login("eva@fietsen.test")
            let own = try await browser.get("/portal/letters/\(try letter.requireID())/pdf")
            #expect(own.status == .ok)
            #expect(own.body.hasPrefix("%PDF"))
            try await app.makeUser("other@shop.test", role: .member, organisation: "Ander BV")
            let stranger = Browser(client)
            _ = try await stranger.login("other@shop.test")
            #expect(try await stranger.get("/portal/letters/\(try letter.requireID())/pdf").status == .notFound, "another member never reads it")

            // 2nd offence: one week offline; without automatic return the shop waits for staff after the week.
            let second = try await mediator.call(.post, path, json: ["reviews": [fakes[2].uuidString], "explanation": "Opnieuw een review van een medewerker."])
            #expect(second.json["action"] as? String == "offline")
            #expect(second.json["durationEndsOn"] as? String == "2027-01-11")
            try await Self.later(api)
            #expect(try await Self.status(api, slug) == "suspended")
            let suspendedSeal = try await api.call(.get, "/seal/\(slug).svg")
            #expect(suspendedSeal.body.lowercased().contains("geschorst"), "\(suspendedSeal.body.prefix(400))")
            let refused = try await api.call(.post, "/api/v1/reviews", json: ["shop": slug, "name": "Piet", "email": "piet@example.org",
                                                                              "scores": ["service": 4, "delivery": 4], "overall": 4])
            #expect(refused.status == .unprocessableContent, "an offline shop takes no reviews")
            try await journey.moveTo("2027-01-10")
            mediator = try await journey.api("mediator@trustmark.test")
            #expect(try await Self.openTasks(mediator).contains("return_online") == false)
            try await journey.moveTo("2027-01-11")
            mediator = try await journey.api("mediator@trustmark.test")
            #expect(try await Self.openTasks(mediator).contains("return_online"), "the week is over: staff decide")
            #expect(try await Self.status(api, slug) == "suspended")
            let secondID = try #require(second.json["id"] as? String)
            #expect(try await mediator.call(.post, "/api/v1/offences/\(secondID)/return", json: ["reason": ""]).error["field"] as? String == "reason")
            let back = try await mediator.call(.post, "/api/v1/offences/\(secondID)/return", json: ["reason": "Gesprek gevoerd, reviews gestopt."])
            #expect(back.status == .ok, "\(back.body)")
            try await Self.later(api)
            #expect(try await Self.status(api, slug) == "valid")
            #expect(try await Self.openTasks(mediator).contains("return_online") == false, "the return closes its task")
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "review.back_online").count == 1)
            #expect(try await mediator.call(.post, "/api/v1/offences/\(secondID)/return", json: ["reason": "nogmaals"]).status == .conflict)

            // 3rd offence: one month, and back online by itself when it ends.
            try await journey.moveTo("2027-01-12")
            mediator = try await journey.api("mediator@trustmark.test")
            let third = try await mediator.call(.post, path, json: ["reviews": [fakes[3].uuidString], "explanation": "Reviewactie met korting."])
            #expect(third.json["backOnlineOn"] as? String == "2027-02-12")
            try await Self.later(api)
            #expect(try await Self.status(api, slug) == "suspended")
            #expect(try await Browser(client).get("/shops/\(slug)").body.contains("11 februari 2027"), "the warning names the last day offline")
            try await journey.moveTo("2027-02-11")
            #expect(try await Self.status(api, slug) == "suspended")
            try await journey.moveTo("2027-02-12")
            #expect(try await Self.status(api, slug) == "valid", "back online by itself")
            #expect(try await journey.mails(to: "eva@fietsen.test", kind: "review.back_online").count == 2)
            let returned = try await Browser(client).get("/shops/\(slug)").body
            #expect(returned.contains("11 februari 2027") == false, "no longer suspended")
            #expect(returned.contains("gewaarschuwd"), "the first offence's warning stays for the scheme's public notice of 3 months")

            // 4th offence: an invitation to a meeting, as a task; the ladder stays on its last step.
            mediator = try await journey.api("mediator@trustmark.test")
            let fourth = try await mediator.call(.post, path, json: ["reviews": [fakes[4].uuidString], "explanation": "Weer nepreviews."])
            #expect(fourth.json["action"] as? String == "meeting")
            #expect(try await Self.openTasks(mediator).contains("meeting"))
            #expect(try await Self.status(api, slug) == "valid")
            let ladder = try await mediator.call(.get, path)
            #expect(ladder.json["proposedStep"] as? Int == 4)
            #expect(ladder.json["nextOffence"] as? Int == 5)

            // Staff take another step with a written reason; it is recorded and told to the shop.
            let fifth = try await mediator.call(.post, path, json: ["reviews": [fakes[5].uuidString], "explanation": "Tientallen nepreviews.", "step": 3,
                                                                     "deviationReason": "Omvang van de fraude"])
            #expect(fifth.json["step"] as? Int == 3)
            #expect(fifth.json["proposedStep"] as? Int == 4)
            #expect(fifth.json["deviationReason"] as? String == "Omvang van de fraude")
            try await Self.later(api)
            #expect(try await Self.status(api, slug) == "suspended")
            let entries = try await AuditEntry.query(on: app.storage.db).filter(\.$action == "review.offence").all()
            #expect(entries.count == 5)
            #expect(entries.contains { $0.after?.contains("Omvang van de fraude") == true })

            // Tasks are closed with a note, once.
            let tasks = try #require(try await mediator.call(.get, "/api/v1/tasks").json["items"] as? [[String: Any]])
            let phone = try #require(tasks.first { $0["kind"] as? String == "phone_shop" }?["id"] as? String)
            #expect(try await mediator.call(.post, "/api/v1/tasks/\(phone)/done", json: ["note": ""]).error["field"] as? String == "note")
            #expect(try await mediator.call(.post, "/api/v1/tasks/\(phone)/done", json: ["note": "Gebeld met Eva, uitleg gegeven."]).status == .ok)
            #expect(try await mediator.call(.post, "/api/v1/tasks/\(phone)/done", json: ["note": "Nogmaals"]).status == .conflict)
        }
    }

    @Test func withoutALadderTheOffenceGoesToTheSanctionsDesk() async throws {
        let scheme = try Self.exampleScheme(ladderFrom: nil)
        defer { try? FileManager.default.removeItem(atPath: scheme) }
        try await TestApp.with(scheme: scheme) { app, client in
            #expect(app.scheme.scheme.reviews?.ladder.isEmpty == true)
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await app.makeUser("mediator@trustmark.test", role: .mediator)
            let mediator = try await journey.api("mediator@trustmark.test")
            let shop = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug == slug).first())
            let fake = try await ReviewTests.published(app, shop: shop, overall: 5)
            let reply = try await mediator.call(.post, "/api/v1/shops/\(slug)/offences", json: ["reviews": [fake.uuidString], "explanation": "Eigen personeel."])
            #expect(reply.status == .created, "\(reply.body)")
            #expect(reply.json["action"] as? String == "recorded")
            #expect(try await Review.find(fake, on: app.storage.db)?.state == "removed")
            let proposal = try #require(try await SanctionProposal.query(on: app.storage.db).first())
            #expect(proposal.source == "reviews")
            #expect(proposal.evidence.contains(fake.uuidString))
        }
    }
}
