import Foundation
import Logging
import ServiceLifecycle
import TrustmarkCore

/// Reads every shop's seal facts at start, again just after each midnight (when terms start and
/// run out) and again after a membership event moved the version counter (which empties the
/// cache), so that consumers' requests find them in memory instead of waiting for the database.
/// Requests that come before a read finishes read their shop themselves.
struct SealWarmer: Service {
    let seals: SealService
    let logger: Logger
    /// How often it looks at the version counter and the time.
    var interval: Duration = .seconds(5)

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
                        readFor = (generation, today)
                        logger.notice("seal facts in memory", metadata: ["shops": "\(count)", "took": "\(ContinuousClock.now - started)"])
                    } catch {
                        logger.error("could not read the seal facts", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
