import Foundation

/// The schemas of the website checker: a run, its checks with evidence, the round's progress.
extension OpenAPISchemas {
    nonisolated(unsafe) static let checkOutcomes = ["found", "not_found", "unsure", "could_not_check"]

    nonisolated(unsafe) static let siteChecks: [String: Any] = [
        "CheckResult": object([
            "check": string, "outcome": enumeration(checkOutcomes),
            "evidence": ["type": "array", "items": object(["url": string, "text": string], required: ["url", "text"])],
            "reason": ["type": ["string", "null"], "description": "Why, in a code: kvk_differs, page_cut, link_not_read, unreachable, ..."],
        ], required: ["check", "outcome", "evidence"]),
        "SiteCheck": object([
            "id": uuid, "shopId": nullableUUID, "shop": nullableString, "applicationId": nullableUUID, "url": string,
            "reason": enumeration(["pre_check", "recheck", "renewal", "manual"]),
            "failure": ["type": ["string", "null"], "description": "Why the site could not be read: unreachable, tls_invalid, timeout, redirect_loop, "
                + "redirect_elsewhere, not_html, not_utf8, http_error, robots_disallow, invalid_url"],
            "failureDetail": nullableString,
            "certificate": ["type": ["string", "null"], "enum": ["valid", "invalid", "none", NSNull()], "description": "The HTTPS certificate (none: plain HTTP)"],
            "found": integer, "notFound": integer, "unsure": integer, "regressions": strings,
            "milliseconds": integer, "checkedAt": dateTime,
            "pages": ["type": ["array", "null"], "items": string], "results": ["type": ["array", "null"], "items": ref("CheckResult")],
        ], required: ["id", "url", "reason", "found", "notFound", "unsure", "regressions", "milliseconds", "checkedAt"]),
        "SiteCheckList": list("SiteCheck"),
        "MisuseScanRequest": object(["url": string], required: ["url"]),
        "MisuseScan": object(["url": string, "outcome": enumeration(["seen", "not_seen", "unsure", "could_not_check"]), "evidence": string,
                              "reason": nullableString, "caseId": nullableUUID], required: ["url", "outcome", "evidence"]),
        "SiteCheckRequest": object(["shopId": nullableUUID, "url": nullableString], required: []),
        "SiteCheckProgress": object([
            "intervalDays": ["type": ["integer", "null"]], "shops": integer, "checked": integer, "toDo": integer, "dueToday": integer, "queued": integer,
            "couldNotCheck": integer, "regressions": integer,
        ], required: ["shops", "checked", "toDo", "dueToday", "queued", "couldNotCheck", "regressions"]),
    ]
}
