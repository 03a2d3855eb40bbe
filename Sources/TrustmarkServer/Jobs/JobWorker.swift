import Foundation
import Logging
import ServiceLifecycle

/// Runs the queue in the background beside the web server: every `interval` it hands back stale
/// jobs and runs whatever is due. Several instances may each run one.
struct JobWorker: Service {
    let queue: JobQueue
    let interval: Duration

    func run() async throws {
        try? await queue.scheduleRecurring()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await queue.runDue(limit: 500)
                } catch {
                    queue.logger.error("job worker tick failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
