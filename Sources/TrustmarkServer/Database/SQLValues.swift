import SQLKit

extension SQLBind {
    /// A bound value, or SQL's NULL for nil (for plain INSERTs of optional columns).
    static func orNull(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}
