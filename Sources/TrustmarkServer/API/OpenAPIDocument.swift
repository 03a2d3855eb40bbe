import Foundation
import TrustmarkCore

/// Builds `/openapi.json` (OpenAPI 3.1) from the route table, so the description lists exactly the
/// operations the router has. Schemas are written by hand beside it in `OpenAPISchemas`.
enum OpenAPIDocument {
    static func build(routes: [RouteSpec], baseURL: String, version: String) -> Data {
        var paths: [String: [String: Any]] = [:]
        for spec in routes {
            guard let doc = spec.api else { continue }
            var operation: [String: Any] = [
                "summary": doc.summary,
                "tags": [doc.tag],
                "operationId": operationID(spec),
                "x-access": spec.access.summary,
            ]
            if let scope = doc.scope { operation["x-api-key-scope"] = scope.rawValue }
            var parameters: [[String: Any]] = pathParameters(spec.path).map {
                ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]]
            }
            parameters += doc.parameters.map { ["name": $0, "in": "query", "required": false, "schema": queryParameterSchema($0)] }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let request = doc.requestSchema {
                // A raw body (a CSV file, a forwarded mail) is named by its media types, `|` between them.
                let content: [String: Any] = request.contains("/")
                    ? Dictionary(uniqueKeysWithValues: request.split(separator: "|").map { (String($0), ["schema": ["type": "string"]] as [String: Any]) })
                    : ["application/json": ["schema": ["$ref": "#/components/schemas/\(request)"]]]
                operation["requestBody"] = ["required": true, "content": content]
            }
            var responses: [String: Any] = [:]
            responses["\(doc.successStatus)"] = successResponse(doc)
            for status in doc.errorStatuses {
                responses["\(status)"] = ["description": errorDescription(status), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            // Any other refusal (401, 403, 413, 415, 429, ...) has the same shape.
            responses["default"] = ["description": "A refusal: the error's code, a message in the reader's language, the field",
                                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            operation["responses"] = responses
            switch spec.access {
            case .signedIn, .roles: operation["security"] = [["bearer": [String]()]]
            case .everyone, .nonProduction: operation["security"] = [[String: [String]]()]
            }
            paths[openAPIPath(spec.path), default: [:]][spec.method.rawValue.lowercased()] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Trustmark API", "version": version, "description": "Every operation of the Trustmark server. Errors share one shape: {\"error\": {\"code\", \"message\", \"field\"}}; lists are paginated with page and size."],
            "servers": [["url": baseURL]],
            "paths": paths,
            "components": [
                "schemas": OpenAPISchemas.all,
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer",
                                               "description": "A token from POST /api/v1/auth/token, or a shop's API key (tmk_...) for the operations whose x-api-key-scope it holds"]],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
    }

    static func successResponse(_ doc: APIDoc) -> [String: Any] {
        guard let schema = doc.responseSchema else { return ["description": "Done"] }
        if schema == "text/plain" || schema == "text/csv" {
            return ["description": "OK", "content": [schema: ["schema": ["type": "string"]]]]
        }
        if schema == "object" {
            return ["description": "OK", "content": ["application/json": ["schema": ["type": "object"]]]]
        }
        return ["description": "OK", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]]]
    }

    /// Paging takes whole numbers, a few switches true or false, everything else text.
    static func queryParameterSchema(_ name: String) -> [String: Any] {
        switch name {
        case "page": return ["type": "integer", "minimum": 1]
        case "size": return ["type": "integer", "minimum": 1, "maximum": Paging.maximumSize]
        case "dryRun": return ["type": "boolean"]
        case "width": return ["type": "integer", "minimum": 64, "maximum": 4000]
        default: return ["type": "string"]
        }
    }

    /// `/api/v1/users/{id}/disable` -> `["id"]`
    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    static func openAPIPath(_ path: String) -> String { path }

    static func operationID(_ spec: RouteSpec) -> String {
        let words = spec.path.split(separator: "/").filter { $0 != "api" && $0 != "v1" }.map { part -> String in
            let clean = part.replacingOccurrences(of: "{", with: "by-").replacingOccurrences(of: "}", with: "").replacingOccurrences(of: ".", with: "-")
            return clean
        }
        return ([spec.method.rawValue.lowercased()] + words).joined(separator: "-")
    }

    static func errorDescription(_ status: Int) -> String {
        switch status {
        case 400: return "The body is not valid JSON"
        case 401: return "No valid bearer token"
        case 403: return "The token's user may not do this"
        case 404: return "No such object"
        case 409: return "Conflicts with the current state"
        case 422: return "A field is missing or wrong; `field` names it"
        case 503: return "The database does not answer"
        default: return "Error"
        }
    }
}
