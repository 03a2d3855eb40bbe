/// What a password must be. Kept in one place so the web form, the API and the CLI agree.
public struct PasswordRules: Sendable {
    public let minimumLength: Int
    /// bcrypt looks at the first 72 bytes only; longer input would silently be ignored, so refuse it.
    public let maximumBytes: Int

    public init(minimumLength: Int = 10, maximumBytes: Int = 72) {
        self.minimumLength = minimumLength
        self.maximumBytes = maximumBytes
    }

    public enum Problem: Equatable, Sendable {
        case tooShort(minimum: Int)
        case tooLong(maximum: Int)
    }

    public func check(_ password: String) -> Problem? {
        if password.count < minimumLength { return .tooShort(minimum: minimumLength) }
        if password.utf8.count > maximumBytes { return .tooLong(maximum: maximumBytes) }
        return nil
    }
}

/// A plain syntactic check of an e-mail address: one `@`, a dot in the domain, no spaces.
/// Whether the address works is proven by the link we send to it, not by a pattern.
public enum EmailAddress {
    public static let maximumLength = 254

    public static func normalise(_ raw: String) -> String {
        raw.trimmingWhitespace().lowercased()
    }

    public static func isValid(_ address: String) -> Bool {
        guard address.count <= maximumLength, !address.contains(where: { $0 == " " || $0 == "\n" }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 3 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return true
    }
}

extension String {
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
