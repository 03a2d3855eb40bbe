import Foundation

/// The schemas of reviews and invitations.
extension OpenAPISchemas {
    nonisolated(unsafe) static let reviews: [String: Any] = [
        "ReviewInvitationRequest": object([
            "shop": ["type": "string", "description": "The shop's slug or domain; may be left out when the member has one shop"],
            "email": ["type": "string", "format": "email"], "name": ["type": "string", "maxLength": 120], "orderReference": ["type": "string", "maxLength": 80],
            "orderDate": day, "language": enumeration(["nl", "en", "de"]), "delayDays": ["type": "integer", "minimum": 0, "maximum": 90],
        ], required: ["email", "name", "orderReference"]),
        "ReviewInvitation": object(["id": uuid, "shop": string, "email": string, "orderReference": string, "sendAt": dateTime, "sent": boolean, "used": boolean],
                                   required: ["id", "shop", "email", "orderReference", "sendAt", "sent", "used"]),
        "ReviewInvitationImport": object(["imported": integer, "problems": ["type": "array", "items": object(["line": integer, "message": string],
                                                                                                              required: ["line", "message"])]],
                                         required: ["imported", "problems"]),
        "ReviewRequest": object([
            "invitation": ["type": "string", "description": "The token from the invitation mail"],
            "shop": ["type": "string", "description": "Without an invitation: the shop's slug or domain"],
            "name": string, "email": ["type": "string", "format": "email"],
            "scores": ["type": "object", "additionalProperties": ["type": "integer"], "description": "One score per criterion of the scheme, within its scale"],
            "overall": integer, "text": ["type": "string", "maxLength": 5000], "kind": enumeration(["review", "praise", "fault"]),
            "language": enumeration(["nl", "en", "de"]),
        ], required: ["scores"]),
        "ReviewReceipt": object(["id": uuid, "state": enumeration(["unconfirmed", "published", "held", "removed"])], required: ["id", "state"]),
        "ReviewConfirmRequest": object(["token": string], required: ["token"]),
        "FlagRequest": object(["reason": enumeration(FlagReason.allCases.map(\.rawValue)), "note": ["type": "string", "maxLength": 2000]], required: ["reason"]),
        "ModerationRequest": object(["decision": enumeration(["keep", "remove"]), "reason": enumeration(RemovalReason.allCases.map(\.rawValue)),
                                     "note": string], required: ["decision"]),
        "ModerationItem": object([
            "id": uuid, "shop": string, "slug": string, "state": string, "stateText": string, "author": string, "overall": integer, "text": nullableString,
            "fraudScore": ["type": ["integer", "null"]], "signals": strings,
            "flags": ["type": "array", "items": object(["by": enumeration(["shop", "public"]), "byText": string, "reason": string, "reasonText": string, "note": nullableString,
                                                        "at": dateTime], required: ["by", "reason", "reasonText", "at"])],
        ], required: ["id", "shop", "slug", "state", "author", "overall", "signals", "flags"]),
        "ModerationQueue": list("ModerationItem"),
        "ReviewReplyRequest": object(["reply": ["type": "string", "maxLength": 5000]], required: ["reply"]),
        "Review": object([
            "id": uuid, "origin": enumeration(["invited", "confirmed_email"]), "originText": string, "kind": string, "author": string, "overall": integer, "outOf": integer,
            "scores": ["type": "array", "items": object(["criterion": string, "name": string, "score": integer], required: ["criterion", "name", "score"])],
            "text": nullableString, "publishedAt": dateTime, "dateText": string, "reply": nullableString, "replyAt": nullableDateTime,
        ], required: ["id", "origin", "originText", "kind", "author", "overall", "outOf", "scores", "publishedAt", "dateText"]),
        "ShopReviews": object([
            "shop": string, "slug": string, "count": integer, "average": nullableString, "windowText": string,
            "criteria": ["type": "array", "items": object(["id": string, "name": string, "average": nullableString], required: ["id", "name"])],
            "distribution": ["type": "array", "items": ["type": "integer"]], "tier": nullableString, "tierName": nullableString,
            "items": ["type": "array", "items": ref("Review")], "page": integer, "size": integer, "total": integer, "pageCount": integer,
        ], required: ["shop", "slug", "count", "windowText", "criteria", "distribution", "items", "page", "size", "total", "pageCount"]),
        "OffenceRequest": object([
            "reviews": ["type": "array", "items": uuid, "description": "The offending reviews; they are the shop's"],
            "explanation": ["type": "string", "maxLength": 5000, "description": "What staff found; it goes into the letter"],
            "step": ["type": "integer", "minimum": 1, "description": "Another ladder step than the proposed one (needs deviationReason)"],
            "deviationReason": string,
        ], required: ["explanation"]),
        "ReturnRequest": object(["reason": string], required: ["reason"]),
        "Offence": object([
            "id": uuid, "shop": string, "slug": string, "number": integer, "step": ["type": ["integer", "null"]], "proposedStep": ["type": ["integer", "null"]],
            "action": enumeration(["warning", "offline", "meeting", "recorded"]), "stepText": string, "deviationReason": nullableString, "explanation": string,
            "reviews": ["type": "array", "items": uuid], "startsOn": day, "startsOnText": string, "offline": boolean, "backOnlineOn": nullableString, "durationEndsOn": nullableString,
            "returnedAt": nullableDateTime, "returnReason": nullableString, "letter": ["type": ["string", "null"], "format": "uuid"], "createdAt": dateTime,
        ], required: ["id", "shop", "slug", "number", "action", "stepText", "explanation", "reviews", "startsOn", "startsOnText", "offline", "createdAt"]),
        "ShopOffences": object([
            "shop": string, "slug": string, "offences": ["type": "array", "items": ref("Offence")], "nextOffence": integer,
            "proposedStep": ["type": ["integer", "null"]], "steps": ["type": "array", "items": object(["number": integer, "text": string], required: ["number", "text"])],
            "staffMayDeviate": boolean,
        ], required: ["shop", "slug", "offences", "nextOffence", "steps", "staffMayDeviate"]),
        "Task": object([
            "id": uuid, "kind": enumeration(StaffTask.Kind.allCases.map(\.rawValue)), "kindText": string, "shop": nullableString, "slug": nullableString,
            "subjectType": string, "subjectID": string, "dueOn": day, "dueText": string, "overdue": boolean, "doneAt": nullableDateTime, "note": nullableString,
        ], required: ["id", "kind", "kindText", "subjectType", "subjectID", "dueOn", "dueText", "overdue"]),
        "TaskList": list("Task"),
        "TaskDoneRequest": object(["note": ["type": "string", "maxLength": 2000]], required: ["note"]),
    ]
}
