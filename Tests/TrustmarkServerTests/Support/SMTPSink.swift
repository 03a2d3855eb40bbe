import Foundation
import Testing

/// A real SMTP server (scripts/smtp-sink.py, aiosmtpd) on 127.0.0.1 for the duration of a test.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let directory: String
    private let process: Process

    struct Received: Decodable {
        let to: [String]
        let subject: String
        let language: String
        let text: String
        let attachments: [String]
    }

    init(refuse: Int = 0, auth: String? = nil, port requested: Int = 0) throws {
        directory = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", TestApp.checkout + "/scripts/smtp-sink.py", "--dir", directory, "--refuse", "\(refuse)", "--port", "\(requested)"]
        if let auth { arguments += ["--auth", auth] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        // Its warnings would mix into the test output, and an open inherited pipe keeps the runner waiting.
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        while !line.hasSuffix("\n") {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { throw SinkError.didNotStart }
            line += String(decoding: byte, as: UTF8.self)
        }
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else { throw SinkError.didNotStart }
        self.port = port
    }

    convenience init(port: Int) throws { try self.init(refuse: 0, auth: nil, port: port) }

    enum SinkError: Error { case didNotStart }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// The messages received so far, in order.
    func received() throws -> [Received] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }

    /// Stops the server. The script exits on SIGTERM by itself; waiting for it here is not done
    /// because Process.waitUntilExit can block forever inside the test runner.
    func stop() {
        kill(process.processIdentifier, SIGTERM)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
