import Foundation

/// Group commit for reviews. Reviews arrive in bursts (a shop's invitations after a sale, a platform
/// sending a day's orders), and both the database's statements and every commit's wait for the disk
/// cost the same for one review as for a hundred. Reviews that arrive while a batch is being handled
/// wait for the next one and are handled together (`ReviewsService.rate(together:)`): read with a
/// few statements, written in one transaction. Each caller hears its own answer, only after the
/// commit that holds its review.
actor ReviewWriter {
    typealias Batch = @Sendable ([InvitedReview]) async -> [Result<ReviewReceipt, any Error>]

    private struct Waiting {
        let review: InvitedReview
        let continuation: CheckedContinuation<ReviewReceipt, any Error>
    }

    /// The most reviews in one batch; more wait for the next. The batch's statements bind a few
    /// values per review, well inside both databases' limits at this size.
    let batchLimit: Int
    private var waiting: [Waiting] = []
    private var writing = false

    init(batchLimit: Int = 200) {
        self.batchLimit = batchLimit
    }

    func write(_ review: InvitedReview, batch: @escaping Batch) async throws -> ReviewReceipt {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(review: review, continuation: continuation))
            guard !writing else { return }
            writing = true
            Task { await drain(batch) }
        }
    }

    private func drain(_ handle: Batch) async {
        while !waiting.isEmpty {
            let taken = Array(waiting.prefix(batchLimit))
            waiting.removeFirst(taken.count)
            let results = await handle(taken.map(\.review))
            for (index, waiting) in taken.enumerated() {
                waiting.continuation.resume(with: index < results.count ? results[index] : .failure(CancellationError()))
            }
        }
        writing = false
    }
}
