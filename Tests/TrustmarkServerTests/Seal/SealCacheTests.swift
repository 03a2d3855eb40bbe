import FluentKit
import Logging
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The seal's facts, the public records and the rendered verification pages are kept in memory for
/// every shop. A membership event makes them forget only the shops of that organisation (on every
/// instance, through `seal.version` and the events it numbers); the other shops stay in memory.
@Suite("What an event makes the caches forget")
struct SealCacheTests {
    @Test func anEventForgetsItsOrganisationsShopsAndNoOtherShop() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (fietsen, membershipID, _) = try await journey.activeMember()
            _ = try await journey.apply(name: "Boeken BV", email: "bob@boeken.test", domains: ["boeken.test"])
            let boeken = try #require(try await Shop.query(on: app.storage.db).filter(\.$slug != fietsen).first()?.slug)
            try await journey.moveTo("2027-01-01")
            let seal = { (slug: String) in SealRequest(slug: slug, locale: .en, width: 200, page: nil, signed: nil) }
            #expect(try await app.seals.loadAll() == 2)
            #expect(try await app.register.loadAll() == 2)
            #expect(await app.verificationPages.prerender(locale: .nl) == 2)
            #expect(app.seals.resolvedInMemory(seal(fietsen))?.image != nil && app.seals.resolvedInMemory(seal(boeken))?.image != nil)
            let generation = app.seals.generation.latest
            _ = app.seals.takeForgotten()
            let valid = try #require(try await app.register.record(slug: fietsen))

            let admin = try await journey.api("admin@trustmark.test")
            #expect(try await admin.call(.post, "/api/v1/memberships/\(membershipID)/bankruptcy").status == .noContent)
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            _ = try await app.seals.generation.current(now: app.clock.now())

            // Fietsen's seal, record and page are gone; Boeken's are all still in memory.
            #expect(app.seals.resolvedInMemory(seal(fietsen))?.image == nil)
            #expect(app.register.page(slug: fietsen, key: "nl") == nil)
            #expect(app.seals.resolvedInMemory(seal(boeken))?.image != nil, "another organisation's seal stays in memory")
            #expect(app.register.page(slug: boeken, key: "nl") != nil, "another organisation's page stays in memory")
            #expect(app.register.keptRecords().map(\.slug) == [boeken])
            #expect(app.seals.generation.latest == generation, "no cache started afresh")

            // The warmer reads the forgotten shop again and renders its page, before anyone asks.
            let forgotten = app.seals.takeForgotten()
            #expect(forgotten == [fietsen])
            #expect(app.seals.takeForgotten().isEmpty)
            let warmer = SealWarmer(seals: app.seals, register: app.register, pages: app.verificationPages, logger: Logger(label: "test"))
            await warmer.readAgain(forgotten, locale: .nl)
            let revoked = try #require(app.seals.resolvedInMemory(seal(fietsen))?.image)
            #expect(String(decoding: revoked.body.readableBytesView, as: UTF8.self).contains("Revoked"))
            #expect(try #require(app.register.page(slug: fietsen, key: "nl")).tail.contains("Ingetrokken"))
            // A page a visitor's request rendered from the record before the event, kept only after
            // the warmer's fresh one, does not replace it.
            app.register.keep(PublicRegister.RenderedPage(html: "rendered before the event"), of: valid, key: "nl")
            #expect(try #require(app.register.page(slug: fietsen, key: "nl")).tail.contains("Ingetrokken"))

            // Every event carries the counter value its transaction set, one apart, in order.
            let numbers = try await MembershipEvent.query(on: app.storage.db).sort(\.$sealVersion).all().map(\.sealVersion)
            #expect(!numbers.isEmpty && !numbers.contains(nil))
            #expect(Set(numbers).count == numbers.count)
            #expect(numbers.last ?? nil == (try await SealVersion.current(on: app.storage.db)))
        }
    }

    @Test func aCounterThatWentBackMakesEveryCacheStartAfresh() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            let journey = Journey(app: app, client: client)
            let (slug, _, _) = try await journey.activeMember()
            try await journey.moveTo("2027-01-01")
            let request = SealRequest(slug: slug, locale: .en, width: 200, page: nil, signed: nil)
            #expect(try await app.seals.loadAll() == 1)
            #expect(try await app.register.loadAll() == 1)
            #expect(app.seals.resolvedInMemory(request)?.image != nil)
            let generation = app.seals.generation.latest
            // A database restored from an older backup: its counter is behind the one last read.
            try await Setting.query(on: app.storage.db).filter(\.$id == SealVersion.key).set(\.$value, to: "0").update()
            app.settableClock.advance(by: ISO8601Duration(seconds: 3))
            #expect(try await app.seals.generation.current(now: app.clock.now()) == generation + 1)
            #expect(app.seals.resolvedInMemory(request)?.image == nil)
            #expect(try await app.register.record(slug: "no-such-shop") == nil)
            #expect(app.register.keptRecords().isEmpty)
        }
    }

    @Test func aReadThatBeganBeforeItsOrganisationWasForgottenIsNotKept() {
        var index = OrganisationIndex()
        let (a, b) = (UUID(), UUID())
        index.add("shop-a", of: a)
        index.add("shop-b", of: b)
        let before = index.epoch
        #expect(index.forget([a]) == ["shop-a"])
        #expect(!index.mayKeep(a, readAt: before), "the read may hold the state before the event")
        #expect(index.mayKeep(b, readAt: before))
        #expect(!index.mayKeep(nil, readAt: before), "a slug that named no shop may name one now")
        #expect(index.mayKeep(a, readAt: index.epoch), "a read after the event is kept")
        #expect(index.forget([a]).isEmpty, "its slugs were handed over once")
    }
}
