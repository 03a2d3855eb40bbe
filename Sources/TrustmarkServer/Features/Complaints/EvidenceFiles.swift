import Crypto
import Foundation
import TrustmarkCore

/// A file someone wants to attach, before it is checked.
struct IncomingFile: Sendable {
    let filename: String
    let declaredType: String?
    let data: [UInt8]
}

/// A checked file: its real kind judged by its bytes.
struct CheckedFile: Sendable {
    let id: UUID
    let filename: String
    let kind: EvidenceFileKind
    let data: [UInt8]
    let sha256: String
}

/// Complaint attachments on disk, under the data directory (never under `Public/`): one file per
/// attachment, named by its id. Files are checked before anything is stored and written before the
/// transaction that records them; if that transaction fails they are removed again.
struct EvidenceFiles: Sendable {
    let directory: String
    let maxBytes: Int
    /// At most this many files per submission.
    static let maxFiles = 5

    /// The largest form post with files: the most files of the largest size, and the fields.
    var formLimit: Int { maxBytes * Self.maxFiles + 256 * 1024 }
    /// The largest JSON body with files, which base64 makes a third larger.
    var jsonLimit: Int { maxBytes * Self.maxFiles * 4 / 3 + 64 * 1024 }

    init(dataDirectory: String, maxBytes: Int) {
        self.directory = dataDirectory + "/attachments/complaints"
        self.maxBytes = maxBytes
    }

    /// Refuses oversized files, files that are not pictures or PDF, and files whose name claims
    /// another kind than their content (a script named `photo.jpg`).
    func check(_ files: [IncomingFile], field: String = "attachments") throws -> [CheckedFile] {
        guard files.count <= Self.maxFiles else { throw AppError.invalid(field, "attachment_too_many", ["max": "\(Self.maxFiles)"]) }
        return try files.map { file in
            let name = Self.cleanName(file.filename)
            guard !file.data.isEmpty else { throw AppError.invalid(field, "attachment_empty", ["file": name]) }
            guard file.data.count <= maxBytes else {
                throw AppError(.contentTooLarge, code: "attachment_too_large", messageKey: "attachment_too_large",
                               arguments: ["file": name, "max": Self.sizeText(maxBytes)], field: field)
            }
            guard let kind = EvidenceFileKind.sniff(file.data) else {
                throw AppError(.unsupportedMediaType, code: "attachment_type", messageKey: "attachment_type", arguments: ["file": name], field: field)
            }
            guard kind.matches(filename: name) else {
                throw AppError(.unsupportedMediaType, code: "attachment_disguised", messageKey: "attachment_disguised",
                               arguments: ["file": name, "kind": kind.fileExtension.uppercased()], field: field)
            }
            let digest = Hex.string(SHA256.hash(data: file.data))
            return CheckedFile(id: UUID(), filename: name, kind: kind, data: file.data, sha256: digest)
        }
    }

    static func sizeText(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? "\(bytes / 1024 / 1024) MB" : "\(bytes / 1024) KB"
    }

    /// The last path component, without control characters, at most 120 characters.
    static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) && $0 != "\"" }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "file" : String(clean.suffix(120))
    }

    func path(complaint: UUID, attachment: UUID) -> String {
        "\(directory)/\(complaint.uuidString.lowercased())/\(attachment.uuidString.lowercased())"
    }

    func write(_ files: [CheckedFile], complaint: UUID) throws {
        guard !files.isEmpty else { return }
        let folder = "\(directory)/\(complaint.uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [CheckedFile] = []
        do {
            for file in files {
                try Data(file.data).write(to: URL(fileURLWithPath: path(complaint: complaint, attachment: file.id)), options: .atomic)
                written.append(file)
            }
        } catch {
            remove(written, complaint: complaint)
            throw error
        }
    }

    func remove(_ files: [CheckedFile], complaint: UUID) {
        for file in files { try? FileManager.default.removeItem(atPath: path(complaint: complaint, attachment: file.id)) }
    }

    func removeAll(complaint: UUID) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(complaint.uuidString.lowercased())")
    }

    func read(complaint: UUID, attachment: UUID) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(complaint: complaint, attachment: attachment)) else { throw AppError.notFound }
        return Array(data)
    }

    /// Writes the files, runs `work` (the transaction that records them) and removes the files
    /// again if it fails, so nothing is half-stored.
    func storing<T>(_ files: [CheckedFile], complaint: UUID, _ work: () async throws -> T) async throws -> T {
        try write(files, complaint: complaint)
        do {
            return try await work()
        } catch {
            remove(files, complaint: complaint)
            throw error
        }
    }
}
