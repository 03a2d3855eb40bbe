import Foundation

/// Tells the job worker that work was just queued (a mail someone waits for), so it need not wait
/// for its next tick. Signals that arrive while nobody waits are kept as one.
final class JobWake: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Bool, Never>)?
    private var counter: UInt64 = 0

    func signal() {
        let resume: CheckedContinuation<Bool, Never>? = lock.withLock {
            guard let waiter else {
                pending = true
                return nil
            }
            self.waiter = nil
            return waiter.continuation
        }
        resume?.resume(returning: true)
    }

    /// Waits for a signal or `timeout`, whichever comes first; true when signalled.
    func wait(upTo timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let id: UInt64? = lock.withLock {
                if pending {
                    pending = false
                    return nil
                }
                counter += 1
                waiter = (counter, continuation)
                return counter
            }
            guard let id else {
                continuation.resume(returning: true)
                return
            }
            // The timer starts only once the waiter is registered, so it cannot fire too early.
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.expire(id)
            }
        }
    }

    private func expire(_ id: UInt64) {
        let resume: CheckedContinuation<Bool, Never>? = lock.withLock {
            guard let waiter, waiter.id == id else { return nil }
            self.waiter = nil
            return waiter.continuation
        }
        resume?.resume(returning: false)
    }
}
