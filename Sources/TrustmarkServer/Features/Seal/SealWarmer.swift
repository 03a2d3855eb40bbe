import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import TrustmarkCore

/// Reads every shop's seal facts (then its public record, and renders its verification page) at
/// start and again just after each midnight (when terms start and run out), so that consumers'
/// requests find them in memory instead of waiting for the database. The shops of an organisation
/// whose membership event made the caches forget them are read again at the next look. Requests
/// that come before a read finishes read their shop themselves.
struct SealWarmer: Service {
    let seals: SealService
    let register: PublicRegister
    let pages: VerificationPages
    let logger: Logger
    /// How often it looks at the version counter, the time and changed tiers.
    var interval: Duration = .seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var readFor: (generation: Int, day: Day)?
            while !Task.isCancelled {
                let desk = seals.desk
                let now = desk.clock.now()
                let today = Day(now, in: desk.timeZone)
                let generation = (try? await seals.generation.current(now: now)) ?? readFor?.generation ?? 0
                if readFor.map({ $0.generation != generation || $0.day != today }) ?? true {
                    let started = ContinuousClock.now
                    do {
                        let count = try await seals.loadAll()
                        let records = try await register.loadAll()
                        let rendered = await pages.prerender(locale: AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback)
                        readFor = (generation, today)
                        logger.notice("seal facts in memory", metadata: ["shops": "\(count)", "records": "\(records)", "pages": "\(rendered)",
                                                                         "took": "\(ContinuousClock.now - started)"])
                    } catch {
                        logger.error("could not read the seal facts", metadata: ["error": "\(error)"])
                    }
                }
                // Tiers that moved with new reviews: just those shops are read again.
                do { try await seals.dropChangedTiers(now: now) } catch { logger.error("could not read changed tiers", metadata: ["error": "\(error)"]) }
                await readAgain(seals.takeForgotten(), locale: AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback)
                try? await Task.sleep(for: interval)
            }
        }
    }
}

extension SealWarmer {
    /// Reads the facts and records of shops an event made the caches forget, and renders their pages.
    func readAgain(_ slugs: Set<String>, locale: AppLocale) async {
        guard !slugs.isEmpty else { return }
        var records: [ShopRecord] = []
        for slug in slugs {
            if Task.isCancelled { return }
            do {
                if let record = try await register.record(slug: slug) { records.append(record) }
            } catch {
                logger.error("could not read a shop again", metadata: ["shop": "\(slug)", "error": "\(error)"])
            }
        }
        await pages.prerender(locale: locale, records: records)
    }
}

extension Shop {
    /// Walks every shop that has a public address, `size` at a time in id order (each batch starts
    /// after the last id of the one before, so a long walk never re-reads); `body` returns whether
    /// to go on.
    static func inBatches(of size: Int, on db: any Database, _ body: ([Shop]) async throws -> Bool) async throws {
        var after: UUID?
        while true {
            var query = Shop.query(on: db).filter(\.$slug != nil).sort(\.$id).limit(size)
            if let after { query = query.filter(\.$id > after) }
            let shops = try await query.all()
            guard let last = shops.last?.id, try await body(shops) else { return }
            after = last
        }
    }
}
