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
        ], required: ["id", "organisationId", "kind", "state", "reason", "tasks", "decidedBy", "decidedOn"]),
        "SanctionList": list("Sanction"),
        "SanctionRequest": object([
            "proposalId": nullableUUID, "shopId": ["type": ["string", "null"], "format": "uuid", "description": "Required without a proposal"],
            "kind": enumeration(sanctionKinds),
            "until": ["type": ["string", "null"], "format": "date",
                      "description": "Improvement period or suspension: the last day (at most the scheme's maximum; the maximum when left out)"],
            "reason": string, "tasks": strings,
        ], required: ["kind", "reason"]),
        "SanctionDismissRequest": object(["reason": string], required: ["reason"]),
    ]
}
