import Foundation

/// A ZIP archive of stored (uncompressed) files: pictures and PDFs are compressed already, and every
/// unzip program reads stored entries. Names are UTF-8 (general purpose flag bit 11).
public struct ZipWriter: Sendable {
    private var output: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0
    private var names: Set<String> = []

    public init() {}

    /// Adds a file; a name already used gets ` (2)`, ` (3)`, ... before its extension.
    public mutating func add(_ name: String, _ data: [UInt8], modified: Date) {
        let unique = uniqueName(name)
        let nameBytes = Array(unique.utf8)
        let crc = Self.crc32(data)
        let (time, date) = Self.dosTime(modified)
        let offset = UInt32(output.count)
        var local: [UInt8] = []
        local.append32(0x0403_4B50)
        local.append16(20)              // version needed
        local.append16(0x0800)          // UTF-8 names
        local.append16(0)               // stored
        local.append16(time); local.append16(date)
        local.append32(crc); local.append32(UInt32(data.count)); local.append32(UInt32(data.count))
        local.append16(UInt16(nameBytes.count)); local.append16(0)
        output += local + nameBytes + data

        central.append32(0x0201_4B50)
        central.append16(0x0314)        // made by: version 20, Unix
        central.append16(20)
        central.append16(0x0800)
        central.append16(0)
        central.append16(time); central.append16(date)
        central.append32(crc); central.append32(UInt32(data.count)); central.append32(UInt32(data.count))
        central.append16(UInt16(nameBytes.count)); central.append16(0); central.append16(0)
        central.append16(0); central.append16(0)
        central.append32(0o100644 << 16) // a regular file, rw-r--r--
        central.append32(offset)
        central += nameBytes
        count += 1
    }

    private mutating func uniqueName(_ name: String) -> String {
        var candidate = name
        var number = 2
        while names.contains(candidate) {
            if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                candidate = "\(name[..<dot]) (\(number))\(name[dot...])"
            } else {
                candidate = "\(name) (\(number))"
            }
            number += 1
        }
        names.insert(candidate)
        return candidate
    }

    /// The finished archive.
    public func finish() -> [UInt8] {
        var end: [UInt8] = []
        end.append32(0x0605_4B50)
        end.append16(0); end.append16(0)
        end.append16(UInt16(count)); end.append16(UInt16(count))
        end.append32(UInt32(central.count)); end.append32(UInt32(output.count))
        end.append16(0)
        return output + central + end
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static func dosTime(_ date: Date) -> (UInt16, UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = max(1980, parts.year ?? 1980)
        let time = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
        let day = UInt16((year - 1980) << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        return (time, day)
    }
}

private extension Array where Element == UInt8 {
    mutating func append16(_ value: UInt16) {
        append(UInt8(value & 0xFF)); append(UInt8(value >> 8))
    }

    mutating func append32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
