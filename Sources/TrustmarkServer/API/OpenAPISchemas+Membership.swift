import Foundation

/// The schemas of the membership operations: applications, audits, memberships, invoices, lists.
extension OpenAPISchemas {
    nonisolated(unsafe) static let nullableString: [String: Any] = ["type": ["string", "null"]]
    nonisolated(unsafe) static let nullableUUID: [String: Any] = ["type": ["string", "null"], "format": "uuid"]
    nonisolated(unsafe) static let nullableDateTime: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
    nonisolated(unsafe) static let day: [String: Any] = ["type": "string", "format": "date"]
    nonisolated(unsafe) static let nullableDay: [String: Any] = ["type": ["string", "null"], "format": "date"]
    nonisolated(unsafe) static let boolean: [String: Any] = ["type": "boolean"]
    nonisolated(unsafe) static let strings: [String: Any] = ["type": "array", "items": string]
    static func array(_ item: String) -> [String: Any] { ["type": "array", "items": ref(item)] }
    static func nullableArray(_ item: String) -> [String: Any] { ["type": ["array", "null"], "items": ref(item)] }

    nonisolated(unsafe) static let organisationPart: [String: Any] = object([
        "legalName": string, "kvk": ["type": "string", "description": "KvK number (8 digits) for NL; the trade register number elsewhere"],
        "vatNumber": ["type": "string", "description": "EU VAT number with country prefix, e.g. NL123456782B01"],
        "street": string, "postcode": string, "city": string, "country": ["type": "string", "description": "ISO 3166 two-letter code"],
        "phone": string, "email": ["type": "string", "format": "email"],
    ], required: ["legalName", "kvk", "vatNumber", "street", "postcode", "city", "country", "phone", "email"])

    nonisolated(unsafe) static let shopRequest: [String: Any] = object([
        "name": string, "domains": strings, "variant": ["type": "string", "description": "A seal variant of the scheme; the default when left out"],
    ], required: ["name", "domains"])

    nonisolated(unsafe) static let membership: [String: Any] = [
        "ApplicationRequest": object([
            "organisation": ref("RegistrationRequest"),
            "contact": object(["name": string, "email": ["type": "string", "format": "email"]], required: ["name", "email"]),
            "shops": array("ShopRequest"),
            "codeOfConductVersion": ["type": "string", "description": "The version the applicant was shown and accepts"],
            "acceptCodeOfConduct": boolean, "language": enumeration(["nl", "en", "de"]),
        ], required: ["organisation", "contact", "shops", "codeOfConductVersion", "acceptCodeOfConduct"]),
        "RegistrationRequest": organisationPart,
        "ShopRequest": shopRequest,
        "Shop": object(["id": uuid, "name": string, "variant": string, "state": enumeration(["applying", "approved", "rejected", "cancelled", "ended"]),
                        "domains": strings, "mayShowSeal": ["type": ["boolean", "null"]]], required: ["id", "name", "variant", "state", "domains"]),
        "Finding": object(["shopId": uuid, "criterion": string, "round": integer, "result": enumeration(["pass", "fail", "not_applicable"]),
                           "note": string, "evidenceUrl": string], required: ["shopId", "criterion", "round", "result", "note", "evidenceUrl"]),
        "Report": object(["round": integer, "failed": integer, "summary": string, "completedAt": dateTime], required: ["round", "failed", "summary", "completedAt"]),
        "Event": object(["at": dateTime, "event": string, "actorRole": string, "detail": string], required: ["at", "event", "actorRole", "detail"]),
        "Application": object([
            "id": uuid, "organisationId": uuid, "organisation": string, "kind": enumeration(["membership", "extra_shop", "recheck"]),
            "state": enumeration(["submitted", "in_audit", "changes_requested", "audited", "approved", "rejected", "cancelled"]),
            "round": integer, "codeOfConductVersion": string, "submittedAt": dateTime, "stateChangedAt": dateTime, "inspectorId": nullableUUID,
            "approvedOn": nullableDay, "decisionNote": nullableString, "membershipId": nullableUUID, "shops": array("Shop"),
            "findings": nullableArray("Finding"), "reports": nullableArray("Report"), "history": nullableArray("Event"),
        ], required: ["id", "organisationId", "organisation", "kind", "state", "round", "codeOfConductVersion", "submittedAt", "stateChangedAt", "shops"]),
        "ApplicationList": list("Application"),
        "Submitted": object(["application": ref("Application"), "next": strings], required: ["application", "next"]),
        "AssignmentRequest": object(["inspectorId": uuid], required: ["inspectorId"]),
        "DeclarationRequest": object(["conflict": boolean, "note": string], required: ["conflict"]),
        "FindingsRequest": object(["findings": ["type": "array", "items": object([
            "shopId": uuid, "criterion": string, "result": enumeration(["pass", "fail", "not_applicable"]), "note": string, "evidenceUrl": string,
        ], required: ["shopId", "criterion", "result"])]], required: ["findings"]),
        "ReportRequest": object(["summary": string], required: ["summary"]),
        "DecisionRequest": object(["decision": enumeration(["approve", "request_changes", "reject"]), "note": string], required: ["decision"]),
        "SignatureRequest": object(["name": string], required: ["name"]),
        "Standing": object(["code": enumeration(["awaiting", "scheduled", "active", "lapsed", "ended"]), "missing": strings,
                            "from": nullableDay, "until": nullableDay, "since": nullableDay], required: ["code", "missing"]),
        "Contract": object(["sha256": string, "codeOfConductVersion": string, "memberSignedName": nullableString, "memberSignedAt": nullableDateTime,
                            "countersignedAt": nullableDateTime, "completedOn": nullableDay], required: ["sha256", "codeOfConductVersion"]),
        "Membership": object([
            "id": uuid, "organisationId": uuid, "organisation": string, "standing": ref("Standing"), "approvedOn": day, "termStart": nullableDay,
            "paidThrough": nullableDay, "contract": ref("Contract"), "endsOn": nullableDay, "endedOn": nullableDay,
            "endReason": nullableString, "shops": array("Shop"),
        ], required: ["id", "organisationId", "organisation", "standing", "approvedOn", "shops"]),
        "InvoiceLine": object(["description": string, "quantity": integer, "unitPrice": integer], required: ["description", "quantity", "unitPrice"]),
        "Payment": object(["amount": integer, "paidOn": day, "reference": string, "source": enumeration(["manual", "webhook"])],
                          required: ["amount", "paidOn", "reference", "source"]),
        "Invoice": object([
            "id": uuid, "number": string, "organisationId": uuid, "buyer": string,
            "kind": enumeration(["membership", "renewal", "extra_shop", "one_time", "credit_note"]),
            "status": enumeration(["open", "paid", "credited", "issued"]), "issuedOn": day, "dueOn": day, "periodStart": nullableDay, "periodEnd": nullableDay,
            "currency": string, "net": integer, "vat": integer, "gross": integer, "paid": integer, "credited": integer,
            "open": ["type": "integer", "description": "Cents still to pay; negative when more was paid"], "creditsInvoice": nullableString,
            "lines": array("InvoiceLine"), "payments": array("Payment"),
        ], required: ["id", "number", "organisationId", "buyer", "kind", "status", "issuedOn", "dueOn", "currency", "net", "vat", "gross", "paid", "credited", "open", "lines", "payments"]),
        "InvoiceList": list("Invoice"),
        "PaymentRequest": object(["amount": ["type": "string", "description": "Decimal amount, e.g. 72.60"], "paidOn": day, "reference": string],
                                 required: ["amount", "paidOn"]),
        "CreditNoteRequest": object(["reason": string], required: ["reason"]),
        "WebhookPayment": object(["invoiceNumber": string, "amount": string, "paidOn": day, "reference": string],
                                 required: ["invoiceNumber", "amount", "paidOn", "reference"]),
        "Listing": object(["list": string, "shop": string, "domains": strings, "reason": string, "listedOn": day,
                           "until": ["type": ["string", "null"], "format": "date", "description": "A suspension's last day"]], required: ["list", "shop", "domains", "reason", "listedOn"]),
        "ListingList": list("Listing"),
    ]
}
