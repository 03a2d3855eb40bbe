import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Plays a browser against the in-process server: keeps cookies, sends the CSRF token with forms.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ client: any TestClientProtocol, acceptLanguage: String? = nil) {
        self.client = client
        self.acceptLanguage = acceptLanguage
    }

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
        /// The bytes as sent (PDF and PNG are not text).
        var data = Data()
        var location: String? { headers[.location] }
    }

    func get(_ path: String) async throws -> Page {
        try await send(.get, path, body: nil, contentType: nil)
    }

    /// Posts a form; the CSRF field is filled in from the cookie unless `csrf` says otherwise.
    func post(_ path: String, _ fields: [String: String], csrf: String? = nil) async throws -> Page {
        if cookies["trustmark_csrf"] == nil { _ = try await get("/") }
        var all = fields
        all["_csrf"] = csrf ?? cookies["trustmark_csrf"] ?? ""
        let body = all.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
        return try await send(.post, path, body: body, contentType: "application/x-www-form-urlencoded")
    }

    /// Signs in through the login form and checks that it worked.
    @discardableResult
    func login(_ email: String, password: String = "correct horse battery") async throws -> Page {
        let page = try await post("/login", ["email": email, "password": password])
        #expect(page.status == .seeOther, "login of \(email) should succeed")
        return page
    }

    /// Posts a form with files as `multipart/form-data`, the way a browser sends an upload.
    func postMultipart(_ path: String, _ fields: [String: String], files: [(field: String, name: String, type: String, bytes: [UInt8])] = [],
                       csrf: String? = nil) async throws -> Page {
        if cookies["trustmark_csrf"] == nil { _ = try await get("/") }
        let boundary = "----trustmark-test-\(UUID().uuidString)"
        var body = Data()
        var all = fields
        all["_csrf"] = csrf ?? cookies["trustmark_csrf"] ?? ""
        for (name, value) in all.sorted(by: { $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        for file in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8))
            body.append(contentsOf: file.bytes)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return try await send(.post, path, bytes: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    func send(_ method: HTTPRequest.Method, _ path: String, body: String?, contentType: String?, headers extra: [String: String] = [:]) async throws -> Page {
        try await send(method, path, bytes: body.map { Data($0.utf8) }, contentType: contentType, headers: extra)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, bytes body: Data?, contentType: String?, headers extra: [String: String] = [:]) async throws -> Page {
        var headers = HTTPFields()
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        if let contentType { headers[.contentType] = contentType }
        if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(data: $0) })
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if line.contains("Max-Age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        return Page(status: response.status, headers: response.headers, body: String(buffer: response.body), data: Data(buffer: response.body))
    }

    func setCookie(_ name: String, _ value: String?) { cookies[name] = value }

    private func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// JSON calls to `/api/v1`.
struct APIClient {
    let client: any TestClientProtocol
    var token: String?

    struct Reply {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
        /// The body's bytes as sent (PDFs are not text).
        var data = Data()
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    }

    func call(_ method: HTTPRequest.Method, _ path: String, json: Any? = nil, raw: String? = nil, language: String? = nil,
              headers extra: [String: String] = [:]) async throws -> Reply {
        var headers = HTTPFields()
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let language { headers[.acceptLanguage] = language }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
            body = ByteBuffer(string: raw)
        }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        return Reply(status: response.status, headers: response.headers, body: String(buffer: response.body), data: Data(buffer: response.body))
    }

    /// Signs in through `POST /api/v1/auth/token` and returns a client carrying the token.
    static func signedIn(_ client: any TestClientProtocol, _ email: String, password: String = "correct horse battery") async throws -> APIClient {
        let reply = try await APIClient(client: client).call(.post, "/api/v1/auth/token", json: ["email": email, "password": password])
        #expect(reply.status == .created, "token for \(email): \(reply.body)")
        return APIClient(client: client, token: reply.json["token"] as? String)
    }
}
