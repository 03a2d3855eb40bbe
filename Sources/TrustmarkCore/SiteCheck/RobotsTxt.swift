import Foundation

/// A site's robots.txt as the website checker honours it: the group for its own agent name, else
/// the `*` group; the longest matching `Allow` or `Disallow` wins (`*` and `$` understood).
public struct RobotsTxt: Equatable, Sendable {
    struct Rule: Equatable, Sendable {
        var allow: Bool
        var pattern: String
    }

    var groups: [(agents: [String], rules: [Rule])]

    public static func == (lhs: RobotsTxt, rhs: RobotsTxt) -> Bool {
        lhs.groups.map(\.agents) == rhs.groups.map(\.agents) && lhs.groups.map(\.rules) == rhs.groups.map(\.rules)
    }

    /// No robots.txt (or an unreadable one): everything is allowed.
    public static let allowAll = RobotsTxt(groups: [])

    public init(_ text: String) {
        var groups: [(agents: [String], rules: [Rule])] = []
        var agents: [String] = []
        var rules: [Rule] = []
        var readingAgents = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "user-agent":
                if !readingAgents, !agents.isEmpty { groups.append((agents, rules)); agents = []; rules = [] }
                agents.append(value.lowercased())
                readingAgents = true
            case "allow", "disallow":
                readingAgents = false
                guard !agents.isEmpty else { continue }
                // An empty Disallow allows everything; it adds no rule.
                if !value.isEmpty { rules.append(Rule(allow: field == "allow", pattern: value)) }
            default:
                continue
            }
        }
        if !agents.isEmpty { groups.append((agents, rules)) }
        self.groups = groups
    }

    private init(groups: [(agents: [String], rules: [Rule])]) {
        self.groups = groups
    }

    /// Whether `agent` (the product token, e.g. `TrustmarkChecker`) may fetch `path` (with its query).
    public func allows(_ path: String, agent: String) -> Bool {
        let token = agent.lowercased()
        let group = groups.first { $0.agents.contains { $0 != "*" && token.hasPrefix($0) } } ?? groups.first { $0.agents.contains("*") }
        guard let rules = group?.rules else { return true }
        var best: Rule?
        for rule in rules where Self.matches(rule.pattern, path) {
            if best == nil || rule.pattern.count > best!.pattern.count || (rule.pattern.count == best!.pattern.count && rule.allow) { best = rule }
        }
        return best?.allow ?? true
    }

    static func matches(_ pattern: String, _ path: String) -> Bool {
        let anchored = pattern.hasSuffix("$")
        let parts = (anchored ? String(pattern.dropLast()) : pattern).components(separatedBy: "*")
        var rest = Substring(path)
        for (index, part) in parts.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if part.isEmpty {
                continue
            } else if let range = rest.range(of: part) {
                rest = rest[range.upperBound...]
            } else {
                return false
            }
        }
        if anchored {
            return rest.isEmpty || parts.last == ""
        }
        return true
    }
}
