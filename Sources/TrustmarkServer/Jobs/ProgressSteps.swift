import Foundation

/// When long work's progress is worth showing again: when it reaches the next of `steps` equal
/// steps, and at the end. A count that goes back starts over (the next piece of work). Shared by the
/// command line's bars and the progress a background import writes for its page.
public final class ProgressSteps: @unchecked Sendable {
    private let steps: Int
    private let lock = NSLock()
    private var lastDone = -1, lastStep = -1

    public init(steps: Int) {
        self.steps = max(1, steps)
    }

    public func due(_ done: Int, _ total: Int) -> Bool {
        lock.withLock {
            if done < lastDone { lastStep = -1 }
            lastDone = done
            let step = total > 0 ? min(steps, done * steps / total) : steps
            guard step != lastStep else { return false }
            lastStep = step
            return true
        }
    }
}
