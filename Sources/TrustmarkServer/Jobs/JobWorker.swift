import Foundation
import Logging
import ServiceLifecycle

/// Runs the queue in the background beside the web server: every `interval`, or at once when
/// `wake` is signalled (a mail was queued), it hands back stale jobs and runs whatever is due.
/// Several instances may each run one. Each instance runs two: one for the slow website checks and
/// one for everything else (mail, webhooks, deadlines), so that a site that does not answer never
/// holds up a mail.
struct JobWorker: Service {
    let queue: JobQueue
    let interval: Duration
    var wake: JobWake?
    var lane: JobQueue.Lane = .all
    /// After a signal: how long to let the signalling transaction commit, and when to look again in
    /// case it had not yet (another connection's transaction may take longer).
    static let settle: Duration = .milliseconds(15)
    static let recheck: Duration = .milliseconds(150)

    func run() async throws {
        if lane == .quick || lane == .all { try? await queue.scheduleRecurring() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await queue.runDue(limit: 500, lane: lane)
                } catch {
                    queue.logger.error("job worker tick failed", metadata: ["error": "\(error)"])
                }
                guard let wake else {
                    try? await Task.sleep(for: interval)
                    continue
                }
                if await wake.wait(upTo: interval) {
                    try? await Task.sleep(for: Self.settle)
                    try? await queue.runDue(limit: 500, lane: lane)
                    _ = await wake.wait(upTo: Self.recheck)
                }
            }
        }
    }
}
