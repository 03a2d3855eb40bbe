import FluentKit
import Foundation

/// One piece of long work a person started (a member import), with how far it got and, once done,
/// its result as JSON or the reason it failed.
final class WorkRun: Model, @unchecked Sendable {
    static let schema = "work_runs"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    /// What the person recognises it by, e.g. the file's name.
    @Field(key: "label") var label: String
    @Field(key: "done") var done: Int
    /// 0 until the work knows its size.
    @Field(key: "total") var total: Int
    @Field(key: "locale") var locale: String
    @OptionalField(key: "started_by") var startedBy: UUID?
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// What the work reads (the uploaded file); emptied once it is done.
    @OptionalField(key: "input") var input: Data?
    /// Choices made when starting, e.g. "dry-run".
    @Field(key: "options") var options: String
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "error") var error: String?

    init() {}
}
