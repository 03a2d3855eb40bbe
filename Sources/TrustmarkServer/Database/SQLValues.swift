import Foundation
import SQLKit

extension SQLBind {
    /// A bound value, or SQL's NULL for nil (for plain INSERTs of optional columns).
    static func orNull(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}

extension UUID {
    /// A random identifier that begins with the time in milliseconds (the layout of UUID version 7), for
    /// rows written in streams (reviews, record entries, day rows): their primary-key index grows at its
    /// end instead of at a random page per row, and a commit writes fewer pages.
    static func timeOrdered(at date: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
