import Foundation
import TrustmarkCore

/// View data of the account pages; each is rendered by the template of the same name.
struct LoginPage: Encodable, Sendable {
    let chrome: PageChrome
    var form: FormState
    let next: String
}

/// A page with one form and nothing else: set-up, invitation, reset, forgotten password.
struct FormPage: Encodable, Sendable {
    let chrome: PageChrome
    var form: FormState
    let action: String
    var done = false
    var intro: String? = nil
}

struct AccountPage: Encodable, Sendable {
    let chrome: PageChrome
    let email: String
    let name: String
    let role: String
    var form: FormState
    var saved = false
}

struct UsersPage: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let id: String
        let email: String
        let name: String
        let role: String
        let organisation: String
        let status: String
        let disabled: Bool
        let pending: Bool
        let isSelf: Bool
    }

    let chrome: PageChrome
    let rows: [Row]
    let pager: Pager
}

struct InvitePage: Encodable, Sendable {
    struct Choice: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    let chrome: PageChrome
    var form: FormState
    let roles: [Choice]
    let languages: [Choice]
    let asksOrganisation: Bool
    var sentTo: String? = nil
}

/// Previous / next links under a list.
struct Pager: Encodable, Sendable {
    let page: Int
    let pageCount: Int
    let previous: String?
    let next: String?

    /// The links for `list`, where `base` ends just before the page number (`/staff/users?page=`).
    init<Item>(_ list: PagedList<Item>, base: String) {
        page = list.page
        pageCount = list.pageCount
        previous = list.hasPrevious ? base + "\(list.page - 1)" : nil
        next = list.hasNext ? base + "\(list.page + 1)" : nil
    }
}
