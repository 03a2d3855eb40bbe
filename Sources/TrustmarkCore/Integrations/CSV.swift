import Foundation

/// Reading the CSV files people export from spreadsheets: whatever the encoding (UTF-8 with or
/// without a byte order mark, UTF-16 with one, else Windows-1252 as Excel writes it in western
/// Europe) and whatever the separator (comma, semicolon as Dutch and German Excel write, or tab).
public enum CSV {
    public enum Problem: Error, Equatable, Sendable {
        /// Not text at all (a spreadsheet's own format, a picture).
        case notText
        case empty
    }

    /// The text and the name of the encoding it was read in.
    public static func decode(_ data: Data) throws(Problem) -> (text: String, encoding: String) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (String(decoding: bytes.dropFirst(3), as: UTF8.self), "UTF-8") }
        if bytes.starts(with: [0xFF, 0xFE]), let text = String(data: data.dropFirst(2), encoding: .utf16LittleEndian) { return (text, "UTF-16") }
        if bytes.starts(with: [0xFE, 0xFF]), let text = String(data: data.dropFirst(2), encoding: .utf16BigEndian) { return (text, "UTF-16") }
        // Spreadsheet files (xlsx is a ZIP, xls an OLE file) and other binaries carry NUL bytes or these marks.
        if bytes.contains(0) || bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) { throw .notText }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, "UTF-8") }
        guard let text = String(data: data, encoding: .windowsCP1252) ?? String(data: data, encoding: .isoLatin1) else { throw .notText }
        return (text, "Windows-1252")
    }

    /// The separator the header line uses: the most frequent of `;`, `,` and tab outside quotes.
    public static func separator(of headerLine: Substring) -> Character {
        var counts: [Character: Int] = [";": 0, ",": 0, "\t": 0]
        var quoted = false
        for character in headerLine {
            if character == "\"" { quoted.toggle() } else if !quoted, counts[character] != nil { counts[character, default: 0] += 1 }
        }
        return [",", ";", "\t"].max { counts[$0, default: 0] < counts[$1, default: 0] } ?? ","
    }

    /// A record of the file with the line it starts on (a quoted field may hold line breaks).
    public struct Record: Equatable, Sendable {
        public let line: Int
        public let fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// RFC 4180 records: quoted fields with doubled quotes and line breaks inside; empty lines skipped.
    public static func records(_ text: String, separator: Character) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1, start = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) { records.append(Record(line: start, fields: fields)) }
            fields = []
            field = ""
        }
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character == "\r\n" ? "\n" : character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case separator: fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                start = line
            default: field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// One line of CSV (comma separated, CRLF ended). A field a spreadsheet would run as a formula
    /// (starting with =, +, - or @) gets a leading apostrophe, so an exported complaint cannot
    /// execute anything in the reader's spreadsheet.
    public static func line(_ fields: [String]) -> String {
        fields.map { raw in
            var value = raw
            if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
            // `isNewline`: "\r\n" is one Character, equal neither to "\r" nor to "\n".
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline || $0 == ";" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }
}
