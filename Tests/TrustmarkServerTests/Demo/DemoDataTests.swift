import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// `trustmark serve --demo`: a newcomer sees a living scheme on every public page and every role's home.
@Suite("Demo data")
struct DemoDataTests {
    @Test func everyPublicPageAndEveryRolesHomeShowsDemoContent() async throws {
        try await TestApp.with { app, client in
            let logins = try #require(try await app.fillDemo())
            #expect(Set(logins.map(\.role)) == ["admin", "inspector", "mediator", "finance", "member"])
            #expect(try await app.fillDemo() == nil, "a database with users is left alone")

            let visitor = Browser(client, acceptLanguage: "nl")
            for path in ["/", "/apply", "/code-of-conduct", "/news"] {
                #expect(try await visitor.get(path).status == .ok, "\(path)")
            }
            #expect(try await visitor.get("/lists/not-a-member").body.contains("Gratis Check Winkel"), "cancelled after approval: listed")
            #expect(try await visitor.get("/lists/no-longer-a-member").body.contains("Elektro Vonk"), "bankrupt: listed")
            #expect(!(try await visitor.get("/lists/no-longer-a-member").body.contains("Puzzelparadijs")), "a voluntary termination is never listed")

            func signedIn(_ role: String) async throws -> Browser {
                let browser = Browser(client, acceptLanguage: "nl")
                let email = try #require(logins.first { $0.role == role }?.email)
                try await browser.login(email, password: DemoData.password)
                return browser
            }
            let admin = try await signedIn("admin")
            #expect(try await admin.get("/staff").status == .ok)
            let misuse = try await admin.get("/staff/misuse")
            #expect(misuse.body.contains("goedkope-fietsen-outlet.example"), "one open misuse case to look at")
            #expect(try await visitor.get("/shops").body.contains("Fietsenhuis De Ketting"), "the directory lists the active members")
            let queue = try await admin.get("/staff/applications").body
            for name in ["Zadenwinkel Kiem", "Brillenhuis Glas", "Meubelmakerij Nerf", "Skateshop Plank"] { #expect(queue.contains(name), "\(name) in the queue") }
            let inspector = try await signedIn("inspector")
            #expect(try await inspector.get("/staff").status == .ok)
            #expect(try await inspector.get("/staff/applications").body.contains("Wijnkelder Kurk"), "the inspector's own audits")
            let mediator = try await signedIn("mediator")
            #expect(try await mediator.get("/staff").status == .ok)
            let complaints = try await mediator.get("/staff/complaints?queue=all&state=all").body
            for name in ["Tuinwinkel De Hark", "Kaasmakerij Gouwe", "Zeepziederij Schuim"] { #expect(complaints.contains(name), "a complaint about \(name)") }
            let owner = try await signedIn("member")
            #expect(try await owner.get("/portal/complaints").body.contains("Joost Jansen"), "the member's own complaint, waiting for its answer")
            let finance = try await signedIn("finance")
            let invoices = try await finance.get("/staff/invoices").body
            #expect(invoices.contains("Lampenloods Licht"), "the unpaid renewal")
            #expect(invoices.contains("te laat"), "overdue invoices are marked")
            let member = try await signedIn("member")
            #expect(try await member.get("/portal").status == .ok)
            let portal = try await member.get("/portal/membership").body
            #expect(portal.contains("Fietsenhuis De Ketting"))
            #expect(portal.contains("Toont het keurmerk"), "a member in good standing shows the seal")

            // The story really happened: states, a lapsed renewal, the record intact.
            let states = try await MembershipApplication.query(on: app.storage.db).all().map(\.stateRaw)
            for state in ApplicationState.allCases { #expect(states.contains(state.rawValue), "an application in state \(state.rawValue)") }
            let standings = try await Membership.query(on: app.storage.db).all().map { try app.memberships.standing($0).code }
            for code in ["awaiting", "active", "lapsed", "ended"] { #expect(standings.contains(code), "a membership \(code)") }
            let complaintStates = Set(try await Complaint.query(on: app.storage.db).all().map(\.stateRaw))
            for state in ["unconfirmed", "forwarded", "answered", "no_answer", "mediation", "resolved", "referred", "ruled", "closed"] {
                #expect(complaintStates.contains(state), "a complaint in state \(state)")
            }
            let reviewed = try #require(try await Shop.query(on: app.storage.db).filter(\.$name == "Fietsenhuis De Ketting").first())
            let stats = try #require(try await ShopStats.find(reviewed.id, on: app.storage.db))
            #expect(stats.ratings12m == 30)
            #expect(stats.tier == "silver", "thirty reviews averaging over 4.0")
            #expect(try await visitor.get("/shops/\(try #require(reviewed.slug))/reviews").body.contains("Reactie van de webshop"))
            let moderation = try await mediator.get("/staff/reviews").body
            #expect(moderation.contains("Tuinwinkel De Hark"), "a reported review to moderate")
            #expect(moderation.contains("gemeld door de webshop") && moderation.contains("zichtbaar"), "who reported it and its state, in words")
            #expect(try await app.verifyRecord().problem == nil)
        }
    }
}
