/// The small JSON texts that ratings are kept in: scores and sums as `{"delivery":4,"service":5}`
/// (keys sorted) and distributions as `[0,1,4,9,2]`. Every review read, published or counted passes
/// through these, and a general JSON coder costs more there than the database does, so they are read
/// and written by hand. Anything else (escapes, fractions, nesting) is refused with `nil`, and the
/// caller falls back to a general decoder.
public enum NumberJSON {
    /// `{"key":1,...}` to a table; `nil` for any other text.
    public static func table(_ text: String) -> [String: Int]? {
        var bytes = Array(text.utf8)[...]
        var result: [String: Int] = [:]
        skipSpace(&bytes)
        guard bytes.popFirst() == UInt8(ascii: "{") else { return nil }
        skipSpace(&bytes)
        if bytes.first == UInt8(ascii: "}") { bytes.removeFirst(); return rest(bytes) ? result : nil }
        while true {
            skipSpace(&bytes)
            guard bytes.popFirst() == UInt8(ascii: "\""), let end = bytes.firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            let key = bytes[bytes.startIndex..<end]
            guard !key.contains(UInt8(ascii: "\\")) else { return nil }
            bytes = bytes[(end + 1)...]
            skipSpace(&bytes)
            guard bytes.popFirst() == UInt8(ascii: ":"), let value = number(&bytes) else { return nil }
            result[String(decoding: key, as: UTF8.self)] = value
            skipSpace(&bytes)
            switch bytes.popFirst() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return rest(bytes) ? result : nil
            default: return nil
            }
        }
    }

    /// `[1,2,...]` to a list; `nil` for any other text.
    public static func list(_ text: String) -> [Int]? {
        var bytes = Array(text.utf8)[...]
        var result: [Int] = []
        skipSpace(&bytes)
        guard bytes.popFirst() == UInt8(ascii: "[") else { return nil }
        skipSpace(&bytes)
        if bytes.first == UInt8(ascii: "]") { bytes.removeFirst(); return rest(bytes) ? result : nil }
        while true {
            guard let value = number(&bytes) else { return nil }
            result.append(value)
            skipSpace(&bytes)
            switch bytes.popFirst() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return rest(bytes) ? result : nil
            default: return nil
            }
        }
    }

    /// A table as text, keys sorted (keys are the scheme's plain identifiers; others are escaped).
    public static func text(_ table: [String: Int]) -> String {
        let keys = table.keys.sorted()
        return text(keys: keys, values: keys.map { table[$0]! })
    }

    /// A table as text from its keys, in the order given, and their values: for callers that keep
    /// values in a fixed order of keys instead of a dictionary.
    public static func text(keys: [String], values: [Int]) -> String {
        var text = "{"
        for (index, key) in keys.enumerated() {
            if index > 0 { text += "," }
            StringJSON.quote(key, into: &text)
            text += ":" + String(values[index])
        }
        return text + "}"
    }

    public static func text(_ list: [Int]) -> String {
        "[" + list.map(String.init).joined(separator: ",") + "]"
    }

    private static func number(_ bytes: inout ArraySlice<UInt8>) -> Int? {
        skipSpace(&bytes)
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes.removeFirst() }
        var value = 0, digits = 0
        while let byte = bytes.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow, digits < 18 else { return nil }
            value = times + Int(byte - UInt8(ascii: "0"))
            digits += 1
            bytes.removeFirst()
        }
        guard digits > 0 else { return nil }
        if let byte = bytes.first, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }

    private static func skipSpace(_ bytes: inout ArraySlice<UInt8>) {
        while let byte = bytes.first, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { bytes.removeFirst() }
    }

    private static func rest(_ bytes: ArraySlice<UInt8>) -> Bool {
        var bytes = bytes
        skipSpace(&bytes)
        return bytes.isEmpty
    }
}
