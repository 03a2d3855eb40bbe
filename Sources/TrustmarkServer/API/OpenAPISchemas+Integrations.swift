import Foundation
import TrustmarkCore

/// The schemas of API keys, a member's reviews, and webhooks.
extension OpenAPISchemas {
    nonisolated(unsafe) static let nullableInteger: [String: Any] = ["type": ["integer", "null"]]

    nonisolated(unsafe) static let integrations: [String: Any] = [
        "APIKeyRequest": object([
            "name": ["type": "string", "maxLength": 80, "description": "What the key is for, e.g. 'WooCommerce'"],
            "shop": ["type": "string", "description": "The shop's slug or domain; may be left out when the member has one shop"],
            "scopes": ["type": "array", "items": enumeration(APIScope.allCases.map(\.rawValue)), "minItems": 1, "uniqueItems": true],
        ], required: ["name", "scopes"]),
        "APIKey": object([
            "id": uuid, "name": string, "shop": string, "shopName": string, "hint": ["type": "string", "description": "The key's first characters"],
            "scopes": ["type": "array", "items": enumeration(APIScope.allCases.map(\.rawValue))], "createdAt": dateTime, "lastUsedAt": nullableDateTime,
            "revokedAt": nullableDateTime,
            "key": ["type": ["string", "null"], "description": "The key itself: only in the answer that made it. Send it as 'Authorization: Bearer tmk_...'"],
        ], required: ["id", "name", "shop", "shopName", "hint", "scopes", "createdAt"]),
        "APIKeyList": list("APIKey"),
        "MemberReview": object([
            "id": uuid, "shop": string, "state": enumeration(["published", "held", "removed"]), "origin": string, "kind": string, "author": string,
            "overall": integer, "scores": ["type": "object", "additionalProperties": ["type": "integer"]], "text": nullableString, "createdAt": dateTime,
            "publishedAt": nullableDateTime, "reply": nullableString, "removedReason": nullableString, "openFlags": integer,
        ], required: ["id", "shop", "state", "origin", "kind", "author", "overall", "scores", "createdAt", "openFlags"]),
        "MemberReviewList": list("MemberReview"),
        "WebhookEndpointRequest": object([
            "url": ["type": "string", "format": "uri", "maxLength": 500, "description": "An HTTPS address that answers 2xx"],
            "events": ["type": "array", "items": enumeration(WebhookEvent.allCases.map(\.rawValue)), "minItems": 1, "uniqueItems": true],
        ], required: ["url", "events"]),
        "WebhookEndpoint": object([
            "id": uuid, "url": string, "events": ["type": "array", "items": enumeration(WebhookEvent.allCases.map(\.rawValue))],
            "state": enumeration(WebhookEndpoint.State.allCases.map(\.rawValue)), "failures": integer, "createdAt": dateTime, "failingSince": nullableDateTime,
            "secret": ["type": "string", "description": "Signs each delivery: Trustmark-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<body>'>"],
        ], required: ["id", "url", "events", "state", "failures", "createdAt", "secret"]),
        "WebhookEndpointList": list("WebhookEndpoint"),
        "WebhookStateRequest": object(["active": boolean], required: ["active"]),
        "WebhookDelivery": object([
            "id": uuid, "endpointId": uuid, "event": enumeration(WebhookEvent.allCases.map(\.rawValue)), "eventId": uuid,
            "state": enumeration(WebhookDelivery.State.allCases.map(\.rawValue)), "attempts": integer, "lastStatus": nullableInteger,
            "lastResponse": nullableString, "lastError": nullableString, "replayOf": nullableUUID, "createdAt": dateTime, "deliveredAt": nullableDateTime,
            "payload": ["type": "string", "description": "The JSON body as sent: {id, type, createdAt, organisationId, data}"],
        ], required: ["id", "endpointId", "event", "eventId", "state", "attempts", "createdAt", "payload"]),
        "WebhookDeliveryList": list("WebhookDelivery"),
        "PasswordChangeRequest": object(["currentPassword": string, "newPassword": ["type": "string", "maxLength": 1024]], required: ["currentPassword", "newPassword"]),
        "PasswordResetRequest": object(["email": ["type": "string", "format": "email"]], required: ["email"]),
        "Accepted": object(["status": string], required: ["status"]),
        "Job": object(["id": uuid, "kind": string, "status": enumeration(["queued", "running", "done", "failed"]), "runAt": dateTime, "attempts": integer,
                       "maxAttempts": integer, "lastError": nullableString], required: ["id", "kind", "status", "runAt", "attempts", "maxAttempts"]),
        "JobList": list("Job"),
        "Letter": object(["id": uuid, "kind": string, "organisationId": nullableUUID, "recipient": string, "subject": string, "locale": string,
                          "registered": boolean, "sha256": string, "createdAt": dateTime, "sentOn": ["type": ["string", "null"], "format": "date"]],
                         required: ["id", "kind", "recipient", "subject", "locale", "registered", "sha256", "createdAt"]),
        "LetterList": list("Letter"),
        "LetterSentRequest": object(["sentOn": day], required: ["sentOn"]),
        "OutboxMessage": object(["id": uuid, "createdAt": dateTime, "recipient": string, "subject": string, "kind": string, "locale": string,
                                 "deliveredAt": nullableDateTime, "attempts": integer, "lastError": nullableString],
                                required: ["id", "createdAt", "recipient", "subject", "kind", "locale", "attempts"]),
        "OutboxList": list("OutboxMessage"),
        "RecordEntry": object(["sequence": integer, "at": dateTime, "actorId": nullableUUID, "actorRole": string, "action": string, "subjectType": string,
                               "subjectId": string, "before": nullableString, "after": nullableString, "entryHash": nullableString],
                              required: ["sequence", "at", "actorRole", "action", "subjectType", "subjectId"]),
        "RecordList": list("RecordEntry"),
        "ComplaintTemplate": object(["id": uuid, "title": string, "locale": enumeration(["nl", "en", "de"]), "body": string], required: ["id", "title", "locale", "body"]),
        "ComplaintTemplateList": list("ComplaintTemplate"),
        "ComplaintTemplateRequest": object(["title": ["type": "string", "maxLength": 120], "locale": enumeration(["nl", "en", "de"]), "body": ["type": "string", "maxLength": 10000]],
                                           required: ["title", "locale", "body"]),
        "SealKit": object([
            "shopId": uuid, "shop": string, "slug": string,
            "embeds": ["type": "array", "items": object(["domain": string, "html": ["type": "string", "description": "<a><img></a>, no script; the seal address signed for the domain"]],
                                                        required: ["domain", "html"])],
            "seen": ["type": "array", "items": object(["host": string, "lastPage": string, "lastSeen": dateTime, "count": integer],
                                                      required: ["host", "lastPage", "lastSeen", "count"])],
            "certificate": string, "svg": string, "png": string,
        ], required: ["shopId", "shop", "slug", "embeds", "seen", "certificate", "svg", "png"]),
        "PrivacyRequest": object(["email": ["type": "string", "format": "email"]], required: ["email"]),
        "PrivacyNameRequest": object(["name": ["type": "string", "maxLength": 120]], required: ["name"]),
        "Erasure": object(["complaints": integer, "reviews": integer, "invitations": integer, "mails": integer], required: ["complaints", "reviews", "invitations", "mails"]),
        "PersonalData": object([
            "email": string, "erasureNote": string, "marketingConsent": boolean, "marketingConsentSince": nullableDateTime,
            "complaints": ["type": "array", "items": object(["id": uuid, "reference": nullableString, "shop": nullableString, "filedAt": dateTime, "state": string,
                                                              "name": string, "email": string, "country": string, "orderNumber": nullableString,
                                                              "description": string, "wish": nullableString, "messages": strings],
                                                             required: ["id", "filedAt", "state", "name", "email", "country", "description", "messages"])],
            "reviews": ["type": "array", "items": object(["id": uuid, "shop": string, "writtenAt": dateTime, "state": string, "name": string, "email": string,
                                                           "overall": integer, "text": nullableString, "address": nullableString],
                                                          required: ["id", "shop", "writtenAt", "state", "name", "email", "overall"])],
            "invitations": ["type": "array", "items": object(["shop": string, "name": string, "orderReference": string, "createdAt": dateTime],
                                                              required: ["shop", "name", "orderReference", "createdAt"])],
            "mails": ["type": "array", "items": object(["sentAt": dateTime, "subject": string, "kind": string], required: ["sentAt", "subject", "kind"])],
        ], required: ["email", "erasureNote", "marketingConsent", "complaints", "reviews", "invitations", "mails"]),
        "PrivacyConsentRequest": object(["marketing": boolean], required: ["marketing"]),
        "MemberImportReport": object([
            "dryRun": boolean, "encoding": enumeration(["UTF-8", "UTF-16", "Windows-1252"]), "separator": enumeration(["comma", "semicolon", "tab"]),
            "rows": integer, "organisations": integer, "shops": integer,
            "refused": ["type": "array", "items": object(["line": integer, "column": nullableString, "message": string], required: ["line", "message"])],
        ], required: ["dryRun", "encoding", "separator", "rows", "organisations", "shops", "refused"]),
    ]
}
