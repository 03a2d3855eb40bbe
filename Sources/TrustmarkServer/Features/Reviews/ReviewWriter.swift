import FluentKit
import Foundation
import SQLKit

/// Group commit for reviews. Reviews arrive in bursts (a shop's invitations after a sale, a platform
/// sending a day's orders), and every commit on a durable database waits for the disk. Reviews that
/// arrive while one transaction is being written wait for the next one and are written together:
/// each in its own savepoint, so one that fails (a link used meanwhile) is rolled back alone and the
/// others commit. Each caller hears its own answer only after the commit that holds its review; if
/// the commit fails, nothing of the batch is stored and every caller hears the error.
actor ReviewWriter {
    typealias Work = @Sendable (any Database) async throws -> ReviewReceipt

    private struct Waiting {
        let work: Work
        let continuation: CheckedContinuation<ReviewReceipt, any Error>
    }

    let storage: Storage
    /// The most reviews in one transaction; more wait for the next.
    let batchLimit: Int
    private var waiting: [Waiting] = []
    private var writing = false

    init(storage: Storage, batchLimit: Int = 256) {
        self.storage = storage
        self.batchLimit = batchLimit
    }

    func write(_ work: @escaping Work) async throws -> ReviewReceipt {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(work: work, continuation: continuation))
            guard !writing else { return }
            writing = true
            Task { await drain() }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(batchLimit))
            waiting.removeFirst(batch.count)
            let works = batch.map(\.work)
            do {
                let results = try await storage.db.transaction { db -> [Result<ReviewReceipt, any Error>] in
                    guard let sql = db as? any SQLDatabase else { throw CocoaError(.featureUnsupported) }
                    var results: [Result<ReviewReceipt, any Error>] = []
                    for work in works {
                        try await sql.raw("SAVEPOINT review").run()
                        do {
                            let receipt = try await work(db)
                            try await sql.raw("RELEASE SAVEPOINT review").run()
                            results.append(.success(receipt))
                        } catch {
                            try await sql.raw("ROLLBACK TO SAVEPOINT review").run()
                            try await sql.raw("RELEASE SAVEPOINT review").run()
                            results.append(.failure(error))
                        }
                    }
                    return results
                }
                for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
        writing = false
    }
}
