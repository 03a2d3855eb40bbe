import Foundation
import Hummingbird
import Prometheus
import TrustmarkCore

/// Health, metrics, the API description and the developers' clock.
struct OperationsController: Sendable {
    let storage: Storage
    let clock: any TrustmarkClock
    let jobs: JobQueue
    let metrics: PrometheusCollectorRegistry
    let openAPI: @Sendable () -> Data

    struct Health: Codable, Sendable {
        let status: String
        let database: String
    }

    struct ClockRequest: Codable, Sendable {
        let advance: String?
        let set: String?
    }

    struct ClockState: Codable, Sendable {
        let now: Date
        let settable: Bool
        /// How many jobs fell due and ran before this answer.
        var jobsRun: Int? = nil
    }

    func register(on routes: RouteTable) {
        routes.get("/healthz", .everyone, api: APIDoc("Liveness and database check", tag: "operations", response: "Health", errors: [503])) { _, _ in
            do {
                try await storage.sql.raw("SELECT 1").run()
                return JSONBody.response(Health(status: "ok", database: storage.location.kind))
            } catch {
                return JSONBody.response(Health(status: "unavailable", database: storage.location.kind), status: .serviceUnavailable)
            }
        }
        routes.get("/metrics", .everyone, api: APIDoc("Prometheus metrics (text format)", tag: "operations", response: "text/plain")) { _, _ in
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: .init(bytes: buffer)))
        }
        routes.get("/openapi.json", .everyone, api: APIDoc("This API description (OpenAPI 3.1)", tag: "operations", response: "object")) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: .init(data: openAPI())))
        }
        routes.get("/api/v1/dev/clock", .nonProduction, api: APIDoc("Current time of the server clock (not in production)", tag: "development", response: "ClockState", errors: [404])) { _, _ in
            JSONBody.response(ClockState(now: clock.now(), settable: clock is SettableClock))
        }
        routes.post("/api/v1/dev/clock", .nonProduction, api: APIDoc("Move the settable clock forward (not in production)", tag: "development", request: "ClockRequest", response: "ClockState", errors: [400, 404, 409, 422])) { request, context in
            guard let settable = clock as? SettableClock else {
                throw AppError.conflict("clock_not_settable", "clock_not_settable")
            }
            let body = try await JSONBody.decode(ClockRequest.self, from: request, context: context)
            // The daily jobs are queued before the clock moves, so a move past their hour runs them.
            try await jobs.scheduleRecurring()
            switch (body.advance, body.set) {
            case (let advance?, nil):
                guard let duration = try? ISO8601Duration(parsing: advance) else { throw AppError.invalid("advance", "clock_bad_duration") }
                settable.advance(by: duration)
            case (nil, let target?):
                guard let date = ISO8601DateFormatter().date(from: target) else { throw AppError.invalid("set", "clock_bad_date") }
                do {
                    try settable.set(date)
                } catch {
                    throw AppError(.conflict, code: "clock_backwards", messageKey: "clock_backwards", arguments: ["now": ISO8601DateFormatter().string(from: settable.now())], field: "set")
                }
            default:
                throw AppError.invalid("advance", "clock_one_of")
            }
            // Everything that fell due has happened before the caller hears the new time.
            let ran = try await jobs.runDue()
            return JSONBody.response(ClockState(now: settable.now(), settable: true, jobsRun: ran))
        }
    }
}
