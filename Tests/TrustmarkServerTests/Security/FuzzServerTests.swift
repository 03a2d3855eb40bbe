import Foundation
import HummingbirdTesting
import PropertyBased
import Synchronization
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// Every form and JSON decoder of the server, fed made-up bodies: JSON objects with the API's field
/// names and values of every type, form posts with a valid CSRF token, multipart with odd parts,
/// and plain random bytes under any content type. Whatever arrives, the answer is a refusal or a
/// success, never a server error. FUZZ_COUNT sets the requests (CI: 400).
@Suite("Fuzzing the server's decoders")
struct FuzzServerTests {
    static let count = Int(ProcessInfo.processInfo.environment["FUZZ_COUNT"] ?? "").map { $0 + 100 } ?? 400
    static let names = ["email", "name", "shop", "scores", "overall", "text", "kind", "token", "body", "reason", "to", "url", "events", "scopes",
                        "active", "title", "locale", "sentOn", "currentPassword", "newPassword", "decision", "upheld", "amount", "paidOn", "reference",
                        "organisation", "contact", "shops", "codeOfConductVersion", "acceptCodeOfConduct", "language", "invitation", "attachments",
                        "proposal", "until", "tasks", "party", "misuseCaseId", "shopId", "domain", "delayDays", "orderReference", "orderDate", "password",
                        "consumerEmail", "description", "contactedShopOn", "findings", "criterion", "result", "note", "inspectorId", "set", "advance",
                        "_csrf", "dryRun", "filename", "data", "farReaching", "response", "organisationId", "role", "evidence", "complied"]
    static let texts = ["", "x", "a@b.nl", "fietsen.test", "2027-01-04", "2027-02-30", "P3D", "-1", "1e309", "NaN", "<script>alert(1)</script>",
                        "' OR 1=1 --", "../../etc/passwd", "%00", "\u{0}", "€", String(repeating: "a", count: 5000), "https://127.0.0.1/x", "null",
                        "keep", "remove", "approve", "mediation", "consumer", "admin", "nl", "de", "xx", UUID().uuidString]

    /// A JSON value from the seeds: strings, numbers at the edges, booleans, null, arrays and objects.
    static func value(_ seeds: inout [Int], depth: Int) -> Any {
        let seed = seeds.popLast() ?? 0
        switch seed % (depth > 2 ? 5 : 7) {
        case 0: return texts[(seed / 7) % texts.count]
        case 1: return [0, -1, 1, Int.max, Int.min, 5, 100_000][(seed / 7) % 7]
        case 2: return seed % 2 == 0
        case 3: return NSNull()
        case 4: return Double(seed % 1000) / 7
        case 5: return (0..<(seed / 7) % 4).map { _ in value(&seeds, depth: depth + 1) }
        default: return object(&seeds, depth: depth + 1)
        }
    }

    static func object(_ seeds: inout [Int], depth: Int) -> [String: Any] {
        var object: [String: Any] = [:]
        for _ in 0..<((seeds.last ?? 0) % 6) {
            let key = names[(seeds.popLast() ?? 0) % names.count]
            object[key] = value(&seeds, depth: depth)
        }
        return object
    }

    /// The path with its parameters filled in, and a body of one of four kinds, from the seeds.
    static func request(_ route: String, seeds numbers: [Int], bytes: [UInt8], csrf: String) -> (path: String, body: Data) {
        var seeds = numbers
        let path = route.split(separator: "/").map { part -> String in
            guard part.hasPrefix("{") else { return String(part) }
            return [UUID().uuidString, "x", "..%2F..", "%00", "fietsen-1a2b"][(seeds.popLast() ?? 0) % 5]
        }.joined(separator: "/")
        switch (seeds.last ?? 0) % 4 {
        case 0:
            return ("/" + path, (try? JSONSerialization.data(withJSONObject: object(&seeds, depth: 0))) ?? Data("{}".utf8))
        case 1:
            var fields = object(&seeds, depth: 3).mapValues { "\($0)" }
            fields["_csrf"] = csrf
            return ("/" + path, Data(fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&").utf8))
        case 2:
            return ("/" + path, Data("--xyz\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n--xyz\r\n".utf8) + Data(bytes))
        default:
            return ("/" + path, Data(bytes))
        }
    }

    @Test func noBodyMakesAServerError() async throws {
        try await TestApp.with { app, client in
            // setup: an administrator signed in both ways, every POST the server has
            try await app.makeUser("admin@trustmark.test", role: .admin)
            let browser = Browser(client)
            try await browser.login("admin@trustmark.test")
            let token = try #require(try await APIClient.signedIn(client, "admin@trustmark.test").token)
            let routes = app.routes.specs.filter { $0.method == .post && $0.path != "/api/v1/dev/clock" && $0.path != "/logout" }
            let types = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/csv", "message/rfc822",
                         "text/plain", "application/octet-stream", "application/json; charset=latin1", ""]
            let seeds = Gen.int(in: 0...1_000_000).array(of: 1...60)
            let answered = Mutex(0)
            let csrf = browser.cookies["trustmark_csrf"] ?? ""
            // MUT + validation
            await propertyCheck(count: Self.count, input: Gen.int(in: 0...routes.count - 1), seeds, Gen.int(in: 0...types.count - 1),
                                Gen<UInt8>.value(in: 0...255).array(of: 0...400)) { which, numbers, typeIndex, bytes in
                let request = Self.request(routes[which].path, seeds: numbers, bytes: bytes, csrf: csrf)
                let headers = routes[which].path.hasPrefix("/api/") ? ["Authorization": "Bearer \(token)"] : [:]
                let type = types[typeIndex]
                let page = try? await browser.send(.post, request.path, bytes: request.body, contentType: type.isEmpty ? nil : type, headers: headers)
                #expect(page != nil, "an answer for \(request.path)")
                if let page {
                    answered.withLock { $0 += 1 }
                    #expect(page.status.code < 500, "POST \(request.path) (\(type)) answered \(page.status.code): \(page.body.prefix(300))")
                }
            }
            #expect(answered.withLock { $0 } >= Self.count)
        }
    }
}
