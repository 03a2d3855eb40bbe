import Foundation

/// Group commit for reviews. Reviews arrive in bursts (a shop's invitations after a sale, a platform
/// sending a day's orders), and both the database's statements and every commit's wait for the disk
/// cost the same for one review as for a hundred. Reviews that arrive while others are being handled
/// wait and are handled together (`ReviewsService.rate(together:)`).
///
/// Ratings go through two stages: they are prepared (read and checked, `Batch.prepare`, on the
/// database's read connection) and then written (one transaction, `Batch.write`). Each stage runs
/// as soon as it has work and is free: the ratings that arrived are prepared at once, in groups,
/// while earlier ones are being written, and the next transaction takes every group prepared
/// meanwhile. (Taking the next group only when a write started left the ratings that arrived just
/// after it waiting a whole write before their reading even began.) Ratings are written in the order
/// they were taken, and each caller hears its own answer only after the commit that holds its review.
actor ReviewWriter {
    struct Batch: Sendable {
        /// Reads and checks the ratings; gets the reviews accepted before them and not known to be
        /// written yet, so that the signals count each exactly once.
        let prepare: @Sendable ([InvitedReview], _ before: [Review]) async -> PreparedReviews
        let write: @Sendable (PreparedReviews) async -> [Result<ReviewReceipt, any Error>]
    }

    private struct Waiting {
        let review: InvitedReview
        let continuation: CheckedContinuation<ReviewReceipt, any Error>
    }

    /// The most ratings prepared together; more wait for the next group. The statements bind a few
    /// values per rating, well inside both databases' limits at this size (a transaction may write
    /// several groups).
    let batchLimit: Int
    private var waiting: [Waiting] = []
    private var ready: [(taken: [Waiting], prepared: PreparedReviews)] = []
    /// Reviews accepted by a prepared group whose transaction has not ended yet, in order.
    private var unwritten: [Review] = []
    private var preparing = false
    private var writing = false

    init(batchLimit: Int = 200) {
        self.batchLimit = batchLimit
    }

    func write(_ review: InvitedReview, batch: Batch) async throws -> ReviewReceipt {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(review: review, continuation: continuation))
            prepareNext(batch)
        }
    }

    private func prepareNext(_ batch: Batch) {
        guard !preparing, !waiting.isEmpty else { return }
        preparing = true
        let taken = Array(waiting.prefix(batchLimit))
        waiting.removeFirst(taken.count)
        let before = unwritten
        Task {
            let prepared = await batch.prepare(taken.map(\.review), before)
            await self.prepared(taken, prepared, batch)
        }
    }

    private func prepared(_ taken: [Waiting], _ prepared: PreparedReviews, _ batch: Batch) {
        preparing = false
        ready.append((taken, prepared))
        unwritten += prepared.reviews
        writeNext(batch)
        prepareNext(batch)
    }

    private func writeNext(_ batch: Batch) {
        guard !writing, !ready.isEmpty else { return }
        writing = true
        let going = ready
        ready = []
        let prepared = PreparedReviews(merging: going.map(\.prepared))
        let taken = going.flatMap(\.taken)
        Task {
            let results = await batch.write(prepared)
            for (index, waiting) in taken.enumerated() {
                waiting.continuation.resume(with: index < results.count ? results[index] : .failure(CancellationError()))
            }
            await self.wrote(prepared.accepted.count, batch)
        }
    }

    private func wrote(_ count: Int, _ batch: Batch) {
        writing = false
        unwritten.removeFirst(min(count, unwritten.count))
        writeNext(batch)
    }
}
