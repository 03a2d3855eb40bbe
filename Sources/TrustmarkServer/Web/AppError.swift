import Hummingbird

/// An error a person should read: a status, a stable code for programs, a message key looked up in
/// the reader's language, and the form field it concerns.
public struct AppError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let messageKey: String
    public let arguments: [String: String]
    public let field: String?
    /// Machine-readable facts for API clients (a date, the allowed next states), next to the message.
    public var details: [String: String] = [:]

    public init(_ status: HTTPResponse.Status, code: String, messageKey: String, arguments: [String: String] = [:], field: String? = nil) {
        self.status = status
        self.code = code
        self.messageKey = messageKey
        self.arguments = arguments
        self.field = field
    }

    public static let unauthenticated = AppError(.unauthorized, code: "unauthenticated", messageKey: "error_unauthenticated")
    public static let sessionExpired = AppError(.unauthorized, code: "session_expired", messageKey: "error_session_expired")
    public static let forbidden = AppError(.forbidden, code: "forbidden", messageKey: "error_forbidden")
    public static let notFound = AppError(.notFound, code: "not_found", messageKey: "error_not_found")
    public static let invalidJSON = AppError(.badRequest, code: "invalid_json", messageKey: "error_invalid_json")
    public static let badCSRF = AppError(.forbidden, code: "csrf", messageKey: "error_csrf")
    public static let tooLarge = AppError(.contentTooLarge, code: "too_large", messageKey: "error_too_large")
    public static let unsupportedMediaType = AppError(.unsupportedMediaType, code: "unsupported_media_type", messageKey: "error_unsupported_media_type")

    /// A field that is missing or wrong: 422 naming the field.
    public static func invalid(_ field: String, _ messageKey: String, _ arguments: [String: String] = [:]) -> AppError {
        AppError(.unprocessableContent, code: "invalid_field", messageKey: messageKey, arguments: arguments, field: field)
    }

    /// 429: wait `seconds`; the answer carries them in `Retry-After` and `details.retryAfter`.
    public static func tooManyRequests(_ code: String, _ messageKey: String, seconds: Int, _ arguments: [String: String] = [:], field: String? = nil) -> AppError {
        var error = AppError(.tooManyRequests, code: code, messageKey: messageKey, arguments: arguments, field: field)
        error.details = ["retryAfter": "\(seconds)"]
        return error
    }

    public static func conflict(_ code: String, _ messageKey: String, field: String? = nil, _ arguments: [String: String] = [:]) -> AppError {
        AppError(.conflict, code: code, messageKey: messageKey, arguments: arguments, field: field)
    }
}

/// Several field problems at once, so a form can show each beside its field.
public struct FormErrors: Error, Sendable {
    public var problems: [AppError] = []
    public init() {}

    public mutating func add(_ error: AppError) { problems.append(error) }
    public var isEmpty: Bool { problems.isEmpty }

    public func throwIfAny() throws {
        if !problems.isEmpty { throw self }
    }
}
