/// Flat string tables as JSON text, written by hand with their keys in byte order (as a general JSON
/// coder with sorted keys writes them): every record entry and every review's fraud signals are
/// written this way, one or more per request, where a general coder costs more than the statement.
public enum StringJSON {
    /// `{"key":"value",...}`
    public static func text(_ table: [String: String]) -> String {
        var text = "{"
        for (index, key) in table.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { text += "," }
            quote(key, into: &text)
            text += ":"
            quote(table[key]!, into: &text)
        }
        return text + "}"
    }

    /// `[{...},...]`
    public static func text(_ tables: [[String: String]]) -> String {
        "[" + tables.map(text).joined(separator: ",") + "]"
    }

    /// A string in quotes, escaped as JSON requires (and `/` as `\/`, as Foundation's coder does); also
    /// the keys of `NumberJSON`.
    static func quote(_ string: String, into text: inout String) {
        text += "\""
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x2F }) else {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "/": text += "\\/"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20: text += "\\u00" + Hex.string([UInt8(scalar.value)])
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
