import Foundation
import Synchronization

/// The one source of "now" for the whole system. Nothing reads the system time directly, so that
/// deadlines can be tested by moving a clock instead of waiting.
public protocol TrustmarkClock: Sendable {
    func now() -> Date
}

/// The real time.
public struct SystemClock: TrustmarkClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until it is moved, for tests and demonstrations. It only moves forward:
/// recorded events would otherwise appear to happen before their causes.
public final class SettableClock: TrustmarkClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        self.current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public enum MoveError: Error, Equatable, Sendable {
        case backwards(current: Date, requested: Date)
    }

    /// Moves the clock to `date`; refuses a date before the current one.
    @discardableResult
    public func set(_ date: Date) throws(MoveError) -> Date {
        try current.withLock { (value: inout Date) throws(MoveError) -> Date in
            guard date >= value else { throw .backwards(current: value, requested: date) }
            value = date
            return value
        }
    }

    /// Moves the clock forward by an ISO 8601 duration, counted in UTC.
    @discardableResult
    public func advance(by duration: ISO8601Duration) -> Date {
        current.withLock { value in
            value = duration.added(to: value, in: TimeZone(identifier: "UTC")!)
            return value
        }
    }
}
