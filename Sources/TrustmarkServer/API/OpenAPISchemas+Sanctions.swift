import Foundation

/// The schemas of sanctions: a decision, the sanction as staff see it.
extension OpenAPISchemas {
    nonisolated(unsafe) static let sanctionKinds = ["warning", "improvement_period", "summons", "suspension", "revocation", "bankruptcy_revocation",
                                                    "unauthorised_use_summons"]
    nonisolated(unsafe) static let sanctionStates = ["proposed", "awaiting_confirmation", "in_force", "resolved", "escalated", "dismissed", "overturned"]

    nonisolated(unsafe) static let sanctions: [String: Any] = [
        "Sanction": object([
            "id": uuid, "organisationId": uuid, "shopId": nullableUUID, "shop": nullableString, "proposalId": nullableUUID,
            "kind": enumeration(sanctionKinds), "state": enumeration(sanctionStates), "reason": string,
            "article": ["type": ["string", "null"], "description": "The scheme's article the sanction rests on"], "tasks": strings,
            "decidedBy": uuid, "decidedOn": day, "deadline": ["type": ["string", "null"], "format": "date",
                                                                "description": "The last day to improve or comply, or a suspension's last day"],
            "confirmedBy": nullableUUID,
            "appeal": ["oneOf": [object(["text": string, "lodgedOn": day, "decision": ["type": ["string", "null"], "enum": ["upheld", "rejected", NSNull()]],
                                         "reason": nullableString, "decidedOn": ["type": ["string", "null"], "format": "date"]],
                                        required: ["text", "lodgedOn"]), ["type": "null"]],
                       "description": "The member's objection and its decision"],
            "party": ["oneOf": [object(["name": string, "domain": nullableString, "email": nullableString, "address": nullableString], required: ["name"]),
                                ["type": "null"]],
                      "description": "Who an unauthorised use concerns when it is no member's shop"],
            "misuseCaseId": nullableUUID,
            "legalStepOn": ["type": ["string", "null"], "format": "date", "description": "The day the seal was found still shown after the summons"],
            "evidence": ["type": ["array", "null"], "items": object(["text": string, "submittedAt": dateTime], required: ["text", "submittedAt"]),
                         "description": "What the member sent (on the single sanction only)"],
        ], required: ["id", "organisationId", "kind", "state", "reason", "tasks", "decidedBy", "decidedOn"]),
        "SanctionList": list("Sanction"),
        "SanctionRequest": object([
            "proposalId": nullableUUID, "shopId": ["type": ["string", "null"], "format": "uuid", "description": "Required without a proposal"],
            "kind": enumeration(sanctionKinds),
            "until": ["type": ["string", "null"], "format": "date",
                      "description": "Improvement period or suspension: the last day (at most the scheme's maximum; the maximum when left out)"],
            "reason": string, "tasks": strings,
            "misuseCaseId": ["type": ["string", "null"], "format": "uuid", "description": "Unauthorised use: the misuse case it pursues"],
            "party": ["oneOf": [object(["name": nullableString, "domain": nullableString, "email": nullableString, "address": nullableString], required: []), ["type": "null"]],
                      "description": "Unauthorised use by a site that is no member's shop: who gets the summons (the site from the misuse case or `domain`)"],
        ], required: ["kind", "reason"]),
        "SanctionDismissRequest": object(["reason": string], required: ["reason"]),
        "SanctionTextRequest": object(["text": string], required: ["text"]),
        "SanctionAppealDecisionRequest": object(["upheld": boolean, "reason": string], required: ["upheld", "reason"]),
    ]
}
