/// Who a user is to the trustmark. Staff roles work for the organisation; `member` users belong to a
/// webshop's organisation. Consumers have no account at all: they prove an e-mail address per action.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    case admin
    case inspector
    case mediator
    case finance
    case member

    public var isStaff: Bool { self != .member }

    public static let staff: Set<Role> = [.admin, .inspector, .mediator, .finance]
}

/// Which callers a route lets in. Declared once per route and checked before its handler runs.
public enum Access: Sendable, Hashable {
    /// Anyone, signed in or not.
    case everyone
    /// Any signed-in user, whatever the role.
    case signedIn
    /// Only users holding one of these roles.
    case roles(Set<Role>)
    /// Only outside production (test and development helpers); answers 404 in production.
    case nonProduction

    public func admits(_ role: Role?) -> Bool {
        switch self {
        case .everyone, .nonProduction: return true
        case .signedIn: return role != nil
        case .roles(let allowed):
            guard let role else { return false }
            return allowed.contains(role)
        }
    }

    /// A short stable description for documentation and the OpenAPI document.
    public var summary: String {
        switch self {
        case .everyone: return "public"
        case .signedIn: return "any signed-in user"
        case .nonProduction: return "public, not in production"
        case .roles(let roles): return roles.map(\.rawValue).sorted().joined(separator: ", ")
        }
    }
}
