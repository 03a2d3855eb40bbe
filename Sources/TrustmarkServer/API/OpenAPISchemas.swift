/// JSON Schemas of the API's request and response bodies, referenced from `/openapi.json`. Each
/// mirrors a DTO in the feature folders; a test decodes real responses against them.
enum OpenAPISchemas {
    nonisolated(unsafe) static let all: [String: Any] = [
        "Error": object(["error": object(["code": string, "message": string, "field": string], required: ["code", "message"])], required: ["error"]),
        "Health": object(["status": enumeration(["ok", "unavailable"]), "database": enumeration(["sqlite", "postgres"])], required: ["status", "database"]),
        "TokenRequest": object(["email": ["type": "string", "format": "email", "maxLength": 254], "password": ["type": "string", "maxLength": 1024]], required: ["email", "password"]),
        "TokenResponse": object(["token": string, "tokenType": enumeration(["Bearer"]), "expiresAt": dateTime, "user": ref("User")], required: ["token", "tokenType", "expiresAt", "user"]),
        "User": object([
            "id": uuid, "email": string, "name": string,
            "role": enumeration(["admin", "inspector", "mediator", "finance", "member"]),
            "organisationId": ["type": ["string", "null"], "format": "uuid"],
            "locale": enumeration(["nl", "en", "de"]),
            "status": enumeration(["active", "invited", "disabled"]),
        ], required: ["id", "email", "name", "role", "locale", "status"]),
        "UserList": object(["items": ["type": "array", "items": ref("User")], "page": integer, "size": integer, "total": integer, "pageCount": integer],
                           required: ["items", "page", "size", "total", "pageCount"]),
        "InvitationRequest": object([
            "email": ["type": "string", "format": "email"], "name": ["type": "string", "maxLength": 120],
            "role": enumeration(["admin", "inspector", "mediator", "finance", "member"]),
            "organisation": ["type": "string", "description": "Required when inviting a member user as staff"],
            "locale": enumeration(["nl", "en", "de"]),
        ], required: ["email", "name", "role"]),
        "ClockRequest": object(["advance": ["type": "string", "description": "ISO 8601 duration, e.g. P3D"], "set": dateTime], required: []),
        "ClockState": object(["now": dateTime, "settable": ["type": "boolean"]], required: ["now", "settable"]),
    ]

    nonisolated(unsafe) static let string: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let integer: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let uuid: [String: Any] = ["type": "string", "format": "uuid"]
    nonisolated(unsafe) static let dateTime: [String: Any] = ["type": "string", "format": "date-time"]

    static func object(_ properties: [String: Any], required: [String]) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    static func enumeration(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
}
