import Foundation

/// Something that happened to a deadline. The deadline's state is always recomputed from these.
public struct DeadlineEvent: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case paused, resumed, met, cancelled
    }

    public let kind: Kind
    public let at: Date

    public init(_ kind: Kind, at: Date) {
        self.kind = kind
        self.at = at
    }
}

public enum DeadlineState: String, Sendable, CaseIterable {
    case running, paused, dueSoon = "due_soon", overdue, met, cancelled
}

/// Computes when a deadline falls due and what state it is in, from its start, its length as the
/// scheme gives it and the recorded events. Time spent paused (waiting for the consumer, say) does
/// not count: for working-day deadlines the working days inside a pause are added on.
public struct DeadlineClock: Sendable {
    public let calendar: WorkingDayCalendar

    public init(calendar: WorkingDayCalendar) { self.calendar = calendar }

    /// Pause intervals, the last one running until `now` if the deadline is still paused.
    func pauses(_ events: [DeadlineEvent], now: Date) -> [(Date, Date)] {
        var intervals: [(Date, Date)] = []
        var pausedAt: Date?
        for event in events.sorted(by: { $0.at < $1.at }) {
            switch event.kind {
            case .paused: if pausedAt == nil { pausedAt = event.at }
            case .resumed:
                if let start = pausedAt { intervals.append((start, event.at)); pausedAt = nil }
            case .met, .cancelled:
                if let start = pausedAt { intervals.append((start, event.at)); pausedAt = nil }
            }
        }
        if let start = pausedAt { intervals.append((start, max(start, now))) }
        return intervals
    }

    /// The moment the deadline passes: the end of its last day for working days, else the exact time.
    public func due(start: Date, length: Period, events: [DeadlineEvent], now: Date) throws(WorkingDayCalendar.Failure) -> Date {
        let intervals = pauses(events, now: now)
        let zone = calendar.timeZone
        if length.unit == .workingDays {
            let base = try calendar.adding(workingDays: length.amount, to: Day(start, in: zone))
            let extra = intervals.reduce(0) { $0 + calendar.workingDays(from: Day($1.0, in: zone), through: Day($1.1, in: zone)) }
            return try calendar.adding(workingDays: extra, to: base).end(in: zone)
        }
        let base = length.added(to: start, timeZone: zone) ?? start
        return base.addingTimeInterval(intervals.reduce(0) { $0 + $1.1.timeIntervalSince($1.0) })
    }

    /// The state at `now`; `remindBefore` marks the stretch before the due moment as due soon.
    public func state(start: Date, length: Period, events: [DeadlineEvent], now: Date, remindBefore: Period?) throws(WorkingDayCalendar.Failure) -> DeadlineState {
        if events.contains(where: { $0.kind == .cancelled }) { return .cancelled }
        if events.contains(where: { $0.kind == .met }) { return .met }
        if let last = events.filter({ $0.kind == .paused || $0.kind == .resumed }).max(by: { $0.at < $1.at }), last.kind == .paused { return .paused }
        let dueAt = try due(start: start, length: length, events: events, now: now)
        if now >= dueAt { return .overdue }
        if let remind = remindBefore, now >= (try reminderTime(due: dueAt, before: remind)) { return .dueSoon }
        return .running
    }

    /// When a reminder `before` the due moment goes out.
    public func reminderTime(due: Date, before: Period) throws(WorkingDayCalendar.Failure) -> Date {
        let zone = calendar.timeZone
        if before.unit == .workingDays {
            // The start of the working day that lies `before` working days ahead of the due day.
            let dueDay = Day(due.addingTimeInterval(-1), in: zone)
            var day = dueDay
            var counted = 0
            while counted < before.amount {
                day = day.adding(days: -1)
                guard Day.supportedYears.contains(day.year) else { throw .outOfRange(day.description) }
                if calendar.isWorkingDay(day) { counted += 1 }
            }
            return day.end(in: zone)
        }
        guard let duration = before.calendarDuration else { return due }
        var negative = duration
        negative.years = -duration.years; negative.months = -duration.months; negative.weeks = -duration.weeks; negative.days = -duration.days
        return negative.added(to: due, in: zone)
    }
}
