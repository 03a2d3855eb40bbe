import Foundation
import TrustmarkCore

struct CodePage: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let number: String
        let anchor: String
        let title: String
        let text: String
    }

    let chrome: PageChrome
    let schemeName: String
    let version: String
    let date: String
    let articles: [Item]
}

struct NewsPage: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let id: String
        let title: String
        let summary: String
        let published: String
        let farReaching: Bool
        let transitionEnds: String?
        let codeVersion: String
        let changedArticles: [String]
        let hasChangedArticles: Bool
    }

    let chrome: PageChrome
    let schemeName: String
    let items: [Item]
}

struct SchemeStaffPage: Encodable, Sendable {
    struct Version: Encodable, Sendable {
        let sequence: Int
        let codeVersion: String
        let hash: String
        let loadedAt: String
        let active: Bool
    }

    struct LanguageFields: Encodable, Sendable {
        let code: String
        let label: String
        let required: Bool
        let title: String
        let summary: String
        let titleError: String?
        let summaryError: String?
    }

    let chrome: PageChrome
    let facts: [SchemeFacts.Fact]
    let versions: [Version]
    let canPublish: Bool
    let publishedLink: String?
    let languages: [LanguageFields]
    let farReachingPossible: Bool
    let transition: String
    let formError: String?
}

struct RuleChangePage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let organisationID: String
        let organisation: String
        let answer: String
        let answeredAt: String
        let ended: Bool
        let mayBeEnded: Bool
    }

    let chrome: PageChrome
    let id: String
    let title: String
    let summary: String
    let published: String
    let farReaching: Bool
    let transitionEnds: String?
    let transitionOver: Bool
    let rows: [Row]
    let canEnd: Bool
}

struct PortalRuleChangesPage: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let id: String
        let title: String
        let summary: String
        let transitionEnds: String
        let answer: String?
        let accepted: Bool
        let refused: Bool
    }

    let chrome: PageChrome
    let items: [Item]
    let membershipEnded: Bool
}
