import Foundation

/// The schemas of the public register: a shop's verification facts and the directory.
extension OpenAPISchemas {
    nonisolated(unsafe) static let publicShop: [String: Any] = object([
        "slug": string, "name": string, "legalName": string, "kvk": string, "vatNumber": string,
        "address": object(["street": string, "postcode": string, "city": string, "country": string], required: ["street", "postcode", "city", "country"]),
        "domains": strings, "variant": string, "variantName": string, "tier": nullableString, "tierName": nullableString,
        "status": enumeration(["valid", "suspended", "revoked", "not_a_member"]), "statusText": string,
        "statusSince": nullableDay, "statusUntil": nullableDay, "memberSince": nullableDay, "codeOfConductVersion": nullableString,
        "lastCheckedOn": nullableDay, "checks": array("ShopCheck"),
        "complaints": ["oneOf": [ref("ComplaintStatistics"), ["type": "null"]]],
        "ratings": ["oneOf": [ref("RatingSummary"), ["type": "null"]]],
        "sanctions": array("ShopSanction"), "verificationURL": string, "sealURL": string,
    ], required: ["slug", "name", "legalName", "kvk", "vatNumber", "address", "domains", "variant", "variantName", "status", "statusText",
                  "checks", "sanctions", "verificationURL", "sealURL"])

    nonisolated(unsafe) static let shops: [String: Any] = [
        "PublicShop": publicShop,
        "ShopCheck": object(["on": day, "onText": string, "kind": enumeration(["membership", "extra_shop", "recheck"]), "kindText": string,
                             "outcome": enumeration(["passed", "fixes_requested"]), "outcomeText": string, "passed": boolean],
                            required: ["on", "onText", "kind", "kindText", "outcome", "outcomeText", "passed"]),
        "ComplaintStatistics": object(["received12Months": integer, "resolvedPercent": ["type": ["integer", "null"]],
                                       "unresolved12Months": integer, "noAnswer12Months": integer,
                                       "medianHoursToFirstAnswer": ["type": ["integer", "null"]], "medianText": nullableString],
                                      required: ["received12Months"]),
        "RatingSummary": object(["count12Months": integer, "average": nullableString, "outOf": integer, "countText": string], required: ["count12Months", "outOf", "countText"]),
        "ShopSanction": object(["kind": string, "text": string, "since": nullableDay, "until": nullableDay], required: ["kind", "text"]),
        "DirectoryEntry": object(["slug": string, "name": string, "variant": string, "variantName": string, "city": nullableString,
                                  "tier": nullableString, "tierName": nullableString, "verificationURL": string],
                                 required: ["slug", "name", "variant", "variantName", "verificationURL"]),
        "DirectoryList": list("DirectoryEntry"),
        "MisuseCase": object(["id": uuid, "shopId": uuid, "shop": string, "shopSlug": string, "host": string, "firstPage": string, "lastPage": string,
                              "firstSeen": dateTime, "lastSeen": dateTime, "count": integer, "state": enumeration(["open", "dismissed", "pursued"]),
                              "decisionNote": nullableString, "decidedAt": nullableDateTime,
                              "scanOutcome": ["type": ["string", "null"], "description": "The website checker's scan of the page: seen, not_seen, unsure, could_not_check"],
                              "scanEvidence": nullableString, "scannedAt": nullableDateTime],
                             required: ["id", "shopId", "shop", "shopSlug", "host", "firstPage", "lastPage", "firstSeen", "lastSeen", "count", "state"]),
        "MisuseCaseList": list("MisuseCase"),
        "MisuseDecision": object(["note": ["type": "string", "description": "Why the case is dismissed or pursued (required)"]], required: ["note"]),
        "PublicShopOrList": ["oneOf": [ref("PublicShop"), ref("DirectoryList")],
                             "description": "With `domain`: the shop that holds it. Without: a page of the directory."],
    ]
}
