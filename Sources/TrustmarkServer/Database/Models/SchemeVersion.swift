import FluentKit
import Foundation

/// One version of the scheme's rules as it was loaded, byte for byte. Never updated: a changed file
/// becomes a new version, so every past decision keeps pointing at the rules that produced it.
final class SchemeVersion: Model, @unchecked Sendable {
    static let schema = "scheme_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "scheme_id") var schemeID: String
    @Field(key: "sequence") var sequence: Int
    @Field(key: "content_hash") var contentHash: String
    @Field(key: "content") var content: String
    @Field(key: "code_version") var codeVersion: String
    @Field(key: "loaded_at") var loadedAt: Date

    init() {}

    init(schemeID: String, sequence: Int, contentHash: String, content: String, codeVersion: String, loadedAt: Date) {
        self.schemeID = schemeID
        self.sequence = sequence
        self.contentHash = contentHash
        self.content = content
        self.codeVersion = codeVersion
        self.loadedAt = loadedAt
    }
}

/// A published change of the rules, shown on the news page. A far-reaching one has a transition
/// period during which members accept or refuse it.
final class RuleChange: Model, @unchecked Sendable {
    static let schema = "rule_changes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "scheme_version_id") var schemeVersion: SchemeVersion
    /// JSON object language -> text.
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "far_reaching") var farReaching: Bool
    /// Comma-separated article numbers that changed against the previous version.
    @Field(key: "changed_articles") var changedArticles: String
    @Field(key: "published_at") var publishedAt: Date
    @OptionalField(key: "transition_ends_at") var transitionEndsAt: Date?
    @OptionalField(key: "published_by") var publishedBy: UUID?

    init() {}
}

/// That a member was (to be) told of a rule change, by one channel.
final class RuleChangeNotice: Model, @unchecked Sendable {
    static let schema = "rule_change_notices"

    @ID(key: .id) var id: UUID?
    @Parent(key: "rule_change_id") var ruleChange: RuleChange
    @Parent(key: "organisation_id") var organisation: Organisation
    /// `email` or `letter`.
    @Field(key: "channel") var channel: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}

    init(ruleChangeID: UUID, organisationID: UUID, channel: String, createdAt: Date, sentAt: Date?) {
        self.$ruleChange.id = ruleChangeID
        self.$organisation.id = organisationID
        self.channel = channel
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// A member organisation's answer to a far-reaching rule change.
final class RuleChangeResponse: Model, @unchecked Sendable {
    static let schema = "rule_change_responses"

    @ID(key: .id) var id: UUID?
    @Parent(key: "rule_change_id") var ruleChange: RuleChange
    @Parent(key: "organisation_id") var organisation: Organisation
    /// `accepted` or `refused`.
    @Field(key: "response") var response: String
    @Field(key: "responded_at") var respondedAt: Date
    @OptionalField(key: "user_id") var userID: UUID?

    init() {}
}
