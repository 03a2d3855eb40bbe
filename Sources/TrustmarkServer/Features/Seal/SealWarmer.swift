import Foundation
import Logging
import ServiceLifecycle
import TrustmarkCore

/// Reads every shop's seal facts at start and again just after each midnight (when terms start
/// and run out), so that consumers' requests find them in memory instead of waiting for the
/// database. Requests that come before it finishes read their shop themselves.
struct SealWarmer: Service {
    let seals: SealService
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let started = ContinuousClock.now
                do {
                    let count = try await seals.loadAll()
                    logger.notice("seal facts in memory", metadata: ["shops": "\(count)", "took": "\(ContinuousClock.now - started)"])
                } catch {
                    logger.error("could not read the seal facts", metadata: ["error": "\(error)"])
                }
                let desk = seals.desk
                let now = desk.clock.now()
                let midnight = Day(now, in: desk.timeZone).end(in: desk.timeZone)
                try? await Task.sleep(for: .seconds(max(60, midnight.timeIntervalSince(now) + 1)))
            }
        }
    }
}
