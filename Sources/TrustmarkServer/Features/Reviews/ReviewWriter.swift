import Foundation

/// Group commit for reviews. Reviews arrive in bursts (a shop's invitations after a sale, a platform
/// sending a day's orders), and both the database's statements and every commit's wait for the disk
/// cost the same for one review as for a hundred. Reviews that arrive while a batch is being handled
/// wait for the next one and are handled together (`ReviewsService.rate(together:)`).
///
/// A batch goes through two stages: it is prepared (read and checked, `Batch.prepare`) and then
/// written (one transaction, `Batch.write`). The next batch is prepared while the one before it is
/// written, on the database's read connection, so both of the machine's cores work; batches are
/// written in the order they were taken, and each caller hears its own answer only after the commit
/// that holds its review.
actor ReviewWriter {
    struct Batch: Sendable {
        /// Reads and checks the ratings; gets the reviews of the batch before (accepted, maybe not yet
        /// written) so that the signals count them exactly once.
        let prepare: @Sendable ([InvitedReview], _ before: [Review]) async -> PreparedReviews
        let write: @Sendable (PreparedReviews) async -> [Result<ReviewReceipt, any Error>]
    }

    private struct Waiting {
        let review: InvitedReview
        let continuation: CheckedContinuation<ReviewReceipt, any Error>
    }

    /// The most reviews in one batch; more wait for the next. The batch's statements bind a few
    /// values per review, well inside both databases' limits at this size.
    let batchLimit: Int
    private var waiting: [Waiting] = []
    private var draining = false

    init(batchLimit: Int = 200) {
        self.batchLimit = batchLimit
    }

    func write(_ review: InvitedReview, batch: Batch) async throws -> ReviewReceipt {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(review: review, continuation: continuation))
            guard !draining else { return }
            draining = true
            Task { await drain(batch) }
        }
    }

    private func drain(_ batch: Batch) async {
        var writing: Task<Void, Never>?
        var before: [Review] = []
        while true {
            if waiting.isEmpty {
                await writing?.value
                writing = nil
                // Written now: the database counts them.
                before = []
                if waiting.isEmpty { break }
            }
            let taken = Array(waiting.prefix(batchLimit))
            waiting.removeFirst(taken.count)
            // Prepared while the batch before it is written (at most one write runs ahead).
            let prepared = await batch.prepare(taken.map(\.review), before)
            await writing?.value
            before = prepared.reviews
            writing = Task {
                let results = await batch.write(prepared)
                for (index, waiting) in taken.enumerated() {
                    waiting.continuation.resume(with: index < results.count ? results[index] : .failure(CancellationError()))
                }
            }
        }
        draining = false
    }
}
