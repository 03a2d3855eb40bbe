import Foundation
import Hummingbird
import TrustmarkCore

/// A posted HTML form, already checked against the CSRF cookie.
struct FormInput: Sendable {
    let fields: [String: String]
    /// Every value of a name that a form repeats (checkboxes), in the order sent.
    var repeated: [String: [String]] = [:]

    func all(_ name: String) -> [String] { repeated[name] ?? [] }

    static let maximumBody = 64 * 1024

    static func parse(_ request: Request, context: AppRequestContext) async throws -> FormInput {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else { throw AppError.unsupportedMediaType }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBody)
        } catch {
            throw AppError.tooLarge
        }
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        var repeated: [String: [String]] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = parts.first.map(decode), !name.isEmpty else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
            repeated[name, default: []].append(fields[name] ?? "")
        }
        guard let sent = fields["_csrf"], !context.csrfToken.isEmpty, sent == context.csrfToken else {
            throw AppError.badCSRF
        }
        return FormInput(fields: fields, repeated: repeated)
    }

    /// A trimmed text field, checked for presence and length; problems are collected in `errors`.
    func text(_ name: String, required: Bool = true, maxLength: Int, errors: inout FormErrors) -> String {
        let value = (fields[name] ?? "").trimmingWhitespace()
        if required, value.isEmpty {
            errors.add(.invalid(name, "validation_required"))
        } else if value.count > maxLength {
            errors.add(.invalid(name, "validation_too_long", ["max": "\(maxLength)"]))
        }
        return value
    }

    /// A password exactly as typed (spaces count).
    func password(_ name: String) -> String { fields[name] ?? "" }

    /// What to put back into the form after an error: everything typed except secrets.
    var echo: [String: String] {
        fields.filter { !$0.key.hasPrefix("_") && !$0.key.lowercased().contains("password") }
    }
}

/// A posted `multipart/form-data` form (forms with files), checked against the CSRF cookie.
struct MultipartInput: Sendable {
    let form: FormInput
    let files: [String: [IncomingFile]]

    static func parse(_ request: Request, context: AppRequestContext, limit: Int) async throws -> MultipartInput {
        let contentType = request.headers[.contentType] ?? ""
        guard MIMEReader.mainValue(contentType).lowercased() == "multipart/form-data",
              let boundary = MIMEReader.parameters(contentType)["boundary"], !boundary.isEmpty
        else {
            // A form without files may still come URL-encoded.
            if contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
                return MultipartInput(form: try await FormInput.parse(request, context: context), files: [:])
            }
            throw AppError.unsupportedMediaType
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw AppError.tooLarge
        }
        guard let parts = MIMEReader.parts(Array(buffer.readableBytesView), boundary: boundary) else { throw AppError(.badRequest, code: "bad_request", messageKey: "error_bad_request") }
        var fields: [String: String] = [:]
        var files: [String: [IncomingFile]] = [:]
        for part in parts {
            guard let name = part.parameter("name", of: "content-disposition") else { continue }
            if let filename = part.parameter("filename", of: "content-disposition") {
                // An empty file input still sends a part, without a name or bytes.
                guard !filename.isEmpty || !part.body.isEmpty else { continue }
                files[name, default: []].append(IncomingFile(filename: filename, declaredType: part.header("content-type"), data: part.body))
            } else {
                fields[name] = String(decoding: part.body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            }
        }
        guard let sent = fields["_csrf"], !context.csrfToken.isEmpty, sent == context.csrfToken else { throw AppError.badCSRF }
        return MultipartInput(form: FormInput(fields: fields), files: files)
    }
}

/// JSON request and response bodies for `/api/v1`.
enum JSONBody {
    static let maximumBody = 256 * 1024

    /// Decodes the body; broken JSON is a 400, a missing or mistyped field a 422 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: AppRequestContext, limit: Int = maximumBody) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else { throw AppError.unsupportedMediaType }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw AppError.tooLarge
        }
        do {
            return try context.requestDecoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, let context):
                throw AppError.invalid(fieldPath(context.codingPath + [key]), "validation_required")
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                if context.codingPath.isEmpty { throw AppError.invalidJSON }
                throw AppError.invalid(fieldPath(context.codingPath), "validation_wrong_type")
            case .dataCorrupted(let context):
                if context.codingPath.isEmpty { throw AppError.invalidJSON }
                throw AppError.invalid(fieldPath(context.codingPath), "validation_wrong_type")
            @unknown default:
                throw AppError.invalidJSON
            }
        }
    }

    static func fieldPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return raw(data, status: status)
    }

    /// Already encoded JSON (a kept answer replayed).
    static func raw(_ data: Data, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Response {
    /// A file to save (an attachment, a dossier, a seal file), never cached; the name is reduced to
    /// plain characters so it cannot break the header.
    static func download(_ bytes: [UInt8], type: String, name: String) -> Response {
        let safe = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_. ".contains($0)) }
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(safe.isEmpty ? "file" : safe)\"",
                                               .cacheControl: "private, no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A redirect after a successful form post (303, so the browser follows with GET).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// Only paths on this site may be redirect targets, so a link cannot send a user elsewhere.
func safeReturnPath(_ raw: String?) -> String {
    guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"), !raw.contains("\n"), !raw.contains("\r") else { return "/" }
    return raw
}
