import Foundation
import Testing
import HummingbirdTesting
import TrustmarkCore
@testable import TrustmarkServer

@Suite("/openapi.json describes the API the router really has")
struct OpenAPITests {
    func document(_ client: any TestClientProtocol) async throws -> [String: Any] {
        let reply = try await APIClient(client: client).call(.get, "/openapi.json")
        return try #require(reply.json as [String: Any]?)
    }

    @Test func everyAPIRouteIsDocumentedAndEveryDocumentedOperationExists() async throws {
        try await TestApp.with { app, client in
            let doc = try await document(client)
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            let apiRoutes = app.routes.specs.filter { $0.path.hasPrefix("/api/") }
            #expect(!apiRoutes.isEmpty)
            for spec in apiRoutes {
                #expect(spec.api != nil, "\(spec.method) \(spec.path) has no API description")
                #expect(paths[spec.path]?[spec.method.rawValue.lowercased()] != nil, "\(spec.method) \(spec.path) missing from /openapi.json")
            }
            // Ask the router itself: every documented operation must reach a handler.
            var documented = 0
            for (path, operations) in paths {
                for method in operations.keys {
                    let concrete = path.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                    let reply = try await APIClient(client: client).call(.init(method.uppercased())!, concrete, json: method == "get" ? nil : [String: String]())
                    #expect(reply.error["code"] as? String != "no_route", "\(method) \(path) is documented but not routed")
                    #expect(reply.status != .methodNotAllowed, "\(method) \(path)")
                    documented += 1
                }
            }
            #expect(documented == app.routes.specs.filter { $0.api != nil }.count)
        }
    }

    @Test func everySchemaReferenceResolvesAndEveryOperationHasResponses() async throws {
        try await TestApp.with { _, client in
            let doc = try await document(client)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: doc, options: [.withoutEscapingSlashes]), as: UTF8.self)
            let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let refs = text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(!refs.isEmpty)
            for ref in Set(refs) { #expect(schemas[ref] != nil, "unresolved $ref \(ref)") }
            for (path, operations) in try #require(doc["paths"] as? [String: [String: [String: Any]]]) {
                for (method, operation) in operations {
                    #expect((operation["responses"] as? [String: Any])?.isEmpty == false, "\(method) \(path)")
                    #expect(operation["operationId"] is String)
                }
            }
        }
    }

    @Test func realResponsesMatchTheirSchemas() async throws {
        try await TestApp.with { app, client in
            try await app.makeUser("boss@trustmark.test", role: .admin)
            let doc = try await document(client)
            let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let token = try await APIClient(client: client).call(.post, "/api/v1/auth/token", json: ["email": "boss@trustmark.test", "password": "correct horse battery"])
            try SchemaCheck(schemas: schemas).check(token.json, against: "TokenResponse")
            let api = APIClient(client: client, token: token.json["token"] as? String)
            try SchemaCheck(schemas: schemas).check(try await api.call(.get, "/api/v1/me").json, against: "User")
            try SchemaCheck(schemas: schemas).check(try await api.call(.get, "/api/v1/users").json, against: "UserList")
            try SchemaCheck(schemas: schemas).check(try await api.call(.get, "/healthz").json, against: "Health")
            try SchemaCheck(schemas: schemas).check(try await api.call(.get, "/api/v1/dev/clock").json, against: "ClockState")
            try SchemaCheck(schemas: schemas).check(try await api.call(.get, "/api/v1/users/x").json, against: "Error")
        }
    }
}


/// A small JSON Schema check: required properties, types, enums and nested references.
struct SchemaCheck {
    let schemas: [String: Any]

    struct Mismatch: Error, CustomStringConvertible { let description: String }

    func check(_ value: Any, against name: String) throws {
        try check(value, schema: try #require(schemas[name] as? [String: Any]), at: name)
    }

    func check(_ value: Any, schema: [String: Any], at path: String) throws {
        if let ref = schema["$ref"] as? String {
            return try check(value, against: String(ref.dropFirst("#/components/schemas/".count)))
        }
        let types: [String] = (schema["type"] as? [String]) ?? [(schema["type"] as? String) ?? "any"]
        func fail(_ why: String) -> Mismatch { Mismatch(description: "\(path): \(why)") }
        if value is NSNull { if types.contains("null") { return } else { throw fail("null not allowed") } }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) { throw fail("'\(text)' not in \(allowed)") }
        if types.contains("object") {
            guard let object = value as? [String: Any] else { throw fail("not an object") }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { throw fail("missing \(key)") }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (key, child) in object {
                if let sub = properties[key] { try check(child, schema: sub, at: "\(path).\(key)") }
            }
        } else if types.contains("array") {
            guard let array = value as? [Any] else { throw fail("not an array") }
            if let items = schema["items"] as? [String: Any] { for item in array { try check(item, schema: items, at: "\(path)[]") } }
        } else if types.contains("string") {
            guard value is String else { throw fail("not a string") }
        } else if types.contains("integer") {
            guard value is Int else { throw fail("not an integer") }
        } else if types.contains("boolean") {
            guard value is Bool else { throw fail("not a boolean") }
        }
    }
}
