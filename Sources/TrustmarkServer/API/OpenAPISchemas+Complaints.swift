import Foundation

/// The schemas of complaints: intake, confirmation, the complaint as a party sees it, the steps.
extension OpenAPISchemas {
    nonisolated(unsafe) static let complaintStates = ["received", "forwarded", "answered", "no_answer", "mediation", "resolved", "unresolved",
                                                      "referred", "ruled", "closed"]
    nonisolated(unsafe) static let fileUpload: [String: Any] = object(["filename": string, "data": ["type": "string", "contentEncoding": "base64",
                                                                                                    "description": "PNG, JPEG, GIF, WebP or PDF"]],
                                                                       required: ["filename", "data"])

    nonisolated(unsafe) static let complaintAttachment: [String: Any] = object([
        "id": uuid, "filename": string, "mediaType": string, "size": integer, "sizeText": string, "party": string, "url": string,
    ], required: ["id", "filename", "mediaType", "size", "party", "url"])

    nonisolated(unsafe) static let complaint: [String: Any] = object([
        "id": uuid, "reference": string, "subject": enumeration(["shop", "trustmark"]), "state": enumeration(complaintStates), "stateText": string,
        "outcome": nullableString, "outcomeText": nullableString,
        "shop": ["oneOf": [object(["id": uuid, "name": string, "slug": string], required: ["id", "name", "slug"]), ["type": "null"]]],
        "consumerName": string, "consumerEmail": ["type": ["string", "null"], "description": "Not shown to the shop"],
        "consumerCountry": nullableString, "sector": nullableString, "orderNumber": nullableString, "orderDate": nullableDay, "orderDateText": nullableString,
        "contactedShopOn": nullableDay, "contactedText": nullableString, "contactChannel": nullableString, "shopAnsweredBefore": boolean, "description": string, "wish": nullableString,
        "source": enumeration(["form", "api", "mail"]), "filedAt": dateTime, "filedText": string, "forwardedAt": nullableDateTime,
        "firstAnswerAt": nullableDateTime, "noAnswer": boolean, "waitingForConsumer": boolean, "assignedTo": nullableUUID, "assignedName": nullableString,
        "codeVersion": string,
        "deadlines": ["type": "array", "items": object(["kind": string, "kindText": string, "dueAt": dateTime, "dueText": string,
                                                        "state": enumeration(["running", "paused", "due_soon", "overdue", "met", "cancelled"]), "stateText": string],
                                                       required: ["kind", "dueAt", "state"])],
        "messages": ["type": "array", "items": object(["id": uuid, "at": dateTime, "atText": string, "party": enumeration(["consumer", "shop", "mediator", "system"]),
                                                       "partyText": string, "author": string, "kind": string, "kindText": string, "internalNote": boolean,
                                                       "body": string, "attachments": ["type": "array", "items": ref("ComplaintAttachment")]],
                                                      required: ["id", "at", "party", "author", "kind", "internalNote", "body", "attachments"])],
        "attachments": ["type": "array", "items": ref("ComplaintAttachment")],
        "timeline": ["type": "array", "items": object(["at": dateTime, "atText": string, "from": string, "to": string, "toText": string, "party": string,
                                                       "partyText": string, "reason": nullableString], required: ["at", "from", "to", "party"])],
        "allowedSteps": ["type": "array", "items": enumeration(complaintStates)],
        "dispute": ["oneOf": [object(["body": string, "url": nullableString, "fee": nullableString, "referredAt": nullableDateTime,
                                      "caseNumber": nullableString, "rulingOutcome": nullableString, "rulingOutcomeText": nullableString,
                                      "rulingSummary": nullableString, "complied": ["type": ["boolean", "null"]], "guaranteeClaim": nullableString],
                                     required: ["body"]), ["type": "null"]]],
    ], required: ["id", "reference", "subject", "state", "stateText", "consumerName", "shopAnsweredBefore", "description", "source", "filedAt", "noAnswer",
                  "waitingForConsumer", "codeVersion", "deadlines", "messages", "attachments", "timeline", "allowedSteps"])

    nonisolated(unsafe) static let complaints: [String: Any] = [
        "ComplaintRequest": object([
            "about": enumeration(["shop", "trustmark"]), "shop": ["type": "string", "description": "The shop's domain or slug (required about a shop)"],
            "consumerName": ["type": "string", "maxLength": 120], "consumerEmail": ["type": "string", "format": "email"],
            "consumerCountry": ["type": "string", "description": "ISO country code of the consumer; another country than the shop's may be sent to the EU route"],
            "language": enumeration(["nl", "en", "de"]), "sector": ["type": "string", "description": "A sector the scheme routes elsewhere (e.g. travel)"],
            "orderNumber": string, "orderDate": day, "contactedShopOn": day, "contactChannel": enumeration(["email", "form", "phone", "chat", "letter"]),
            "shopAnswered": ["type": "boolean", "description": "The shop answered and the consumer is not satisfied (no need to wait)"],
            "description": ["type": "string", "maxLength": 10000], "wish": ["type": "string", "maxLength": 2000],
            "attachments": ["type": "array", "maxItems": 5, "items": fileUpload],
        ], required: ["consumerName", "consumerEmail", "consumerCountry", "description"]),
        "ComplaintIntakeReceipt": object(["id": uuid, "state": enumeration(["unconfirmed"]), "email": string, "confirmBefore": dateTime],
                                         required: ["id", "state", "email", "confirmBefore"]),
        "ComplaintConfirmRequest": object(["token": string], required: ["token"]),
        "ComplaintConfirmed": object(["id": uuid, "reference": string, "state": enumeration(complaintStates)], required: ["id", "reference", "state"]),
        "Complaint": complaint,
        "ComplaintAttachment": complaintAttachment,
        "ComplaintSummary": object([
            "id": uuid, "reference": string, "subject": string, "state": enumeration(complaintStates), "stateText": string, "shop": nullableString,
            "consumerName": string, "filedAt": dateTime, "filedText": string, "updatedAt": dateTime, "dueAt": nullableDateTime, "dueText": nullableString,
            "overdue": boolean, "noAnswer": boolean, "assignedName": nullableString,
        ], required: ["id", "reference", "subject", "state", "consumerName", "filedAt", "updatedAt", "overdue", "noAnswer"]),
        "ComplaintList": list("ComplaintSummary"),
        "ComplaintMessageRequest": object(["body": ["type": "string", "maxLength": 10000], "internalNote": ["type": "boolean", "description": "Staff only"],
                                           "proposal": ["type": "boolean", "description": "Shop: a proposed solution"],
                                           "attachments": ["type": "array", "maxItems": 5, "items": fileUpload]], required: ["body"]),
        "ComplaintTransitionRequest": object([
            "to": enumeration(complaintStates), "reason": ["type": "string", "description": "Required for resolved, unresolved and closed"],
            "rulingOutcome": enumeration(["for_consumer", "partly", "for_shop"]), "rulingSummary": string,
            "complied": ["type": "boolean", "description": "Closing after a ruling: whether the shop complied"], "disputeReference": string,
        ], required: ["to"]),
        "ComplaintAssignRequest": object(["mediatorId": nullableUUID], required: ["mediatorId"]),
        "ComplaintConsumerStepRequest": object(["to": enumeration(["resolved", "mediation", "closed"]), "reason": string], required: ["to"]),
        "SanctionProposal": object(["id": uuid, "shop": nullableString, "organisationId": uuid, "source": string, "reason": string, "evidence": strings,
                                    "raisedAt": dateTime], required: ["id", "organisationId", "source", "reason", "evidence", "raisedAt"]),
        "SanctionProposalList": list("SanctionProposal"),
    ]
}
