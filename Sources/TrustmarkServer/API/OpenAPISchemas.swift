import Foundation

/// JSON Schemas of the API's request and response bodies, referenced from `/openapi.json`. Each
/// mirrors a DTO in the feature folders; a test decodes real responses against them.
enum OpenAPISchemas {
    nonisolated(unsafe) static let all: [String: Any] = core.merging(membership) { first, _ in first }.merging(shops) { first, _ in first }
        .merging(complaints) { first, _ in first }.merging(reviews) { first, _ in first }.merging(sanctions) { first, _ in first }.merging(siteChecks) { first, _ in first }
        .merging(integrations) { first, _ in first }

    nonisolated(unsafe) static let core: [String: Any] = [
        "Error": object(["error": object(["code": string, "message": string, "field": string,
                                           "details": ["type": "object", "additionalProperties": string, "description": "Facts for programs, e.g. a date or the allowed next states"]],
                                          required: ["code", "message"])], required: ["error"]),
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
        "UserList": list("User"),
        "InvitationRequest": object([
            "email": ["type": "string", "format": "email"], "name": ["type": "string", "maxLength": 120],
            "role": enumeration(["admin", "inspector", "mediator", "finance", "member"]),
            "organisation": ["type": "string", "description": "Required when inviting a member user as staff"],
            "locale": enumeration(["nl", "en", "de"]),
        ], required: ["email", "name", "role"]),
        "ClockRequest": object(["advance": ["type": "string", "description": "ISO 8601 duration, e.g. P3D"], "set": dateTime], required: []),
        "ClockState": object(["now": dateTime, "settable": ["type": "boolean"], "jobsRun": integer], required: ["now", "settable"]),
        "Scheme": object([
            "id": string, "name": string, "legalEntity": string, "country": string, "languages": ["type": "array", "items": string],
            "timeZone": string, "currency": string, "codeOfConductVersion": string, "version": integer, "contentHash": string,
        ], required: ["id", "name", "legalEntity", "country", "languages", "timeZone", "currency", "codeOfConductVersion", "version", "contentHash"]),
        "Article": object(["number": string, "title": string, "text": string], required: ["number", "title", "text"]),
        "CodeOfConduct": object(["version": string, "date": string, "language": string, "articles": ["type": "array", "items": ref("Article")],
                                 "criteria": ["type": "array", "items": object(["id": string, "article": string,
                                                                                 "kind": enumeration(["yes_no", "evidence_url", "value"]), "question": string],
                                                                                required: ["id", "article", "kind", "question"])]],
                                required: ["version", "date", "language", "articles", "criteria"]),
        "RuleChange": object([
            "id": uuid, "title": string, "summary": string, "farReaching": ["type": "boolean"], "publishedAt": dateTime,
            "transitionEndsAt": ["type": ["string", "null"], "format": "date-time"], "changedArticles": ["type": "array", "items": string],
        ], required: ["id", "title", "summary", "farReaching", "publishedAt", "changedArticles"]),
        "RuleChangeList": list("RuleChange"),
        "RuleChangeRequest": object([
            "title": ["type": "object", "additionalProperties": string, "description": "Text per language; the scheme's own language is required"],
            "summary": ["type": "object", "additionalProperties": string], "farReaching": ["type": "boolean"],
        ], required: ["title", "summary", "farReaching"]),
        "RuleChangeAnswerRequest": object(["response": enumeration(["accepted", "refused"])], required: ["response"]),
        "RuleChangeStanding": object([
            "organisationId": uuid, "organisation": string, "response": ["type": ["string", "null"], "enum": ["accepted", "refused", NSNull()]],
            "respondedAt": ["type": ["string", "null"], "format": "date-time"], "membershipEnded": ["type": "boolean"], "mayBeEnded": ["type": "boolean"],
        ], required: ["organisationId", "organisation", "membershipEnded", "mayBeEnded"]),
        "RuleChangeStandingList": list("RuleChangeStanding"),
        "EndMembershipRequest": object(["organisationId": uuid], required: ["organisationId"]),
    ]

    nonisolated(unsafe) static let string: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let integer: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let uuid: [String: Any] = ["type": "string", "format": "uuid"]
    nonisolated(unsafe) static let dateTime: [String: Any] = ["type": "string", "format": "date-time"]

    static func object(_ properties: [String: Any], required: [String]) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    /// A page of a list: the shape every list of the API shares.
    static func list(_ item: String) -> [String: Any] {
        object(["items": ["type": "array", "items": ref(item)], "page": integer, "size": integer, "total": integer, "pageCount": integer],
               required: ["items", "page", "size", "total", "pageCount"])
    }

    static func enumeration(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
}
