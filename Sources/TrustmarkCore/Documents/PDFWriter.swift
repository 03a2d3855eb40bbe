import Foundation

/// Writes PDF files in-process, with the 14 standard fonts (Helvetica, Helvetica-Bold) in
/// WinAnsiEncoding: every reader has them, so nothing is embedded, and the encoding covers the
/// letters of Dutch, German and English and the euro sign.
public struct PDFWriter: Sendable {
    public enum Font: String, Sendable {
        case regular = "F1", bold = "F2"
    }

    public struct Colour: Equatable, Sendable {
        public let red: Double, green: Double, blue: Double
        public init(red: Double, green: Double, blue: Double) { self.red = red; self.green = green; self.blue = blue }

        /// From `#rrggbb` (the scheme's colours); black when malformed.
        public init(hex: String) {
            let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
            let value = Int(digits, radix: 16) ?? 0
            self.init(red: Double((value >> 16) & 0xFF) / 255, green: Double((value >> 8) & 0xFF) / 255, blue: Double(value & 0xFF) / 255)
        }

        public static let black = Colour(red: 0, green: 0, blue: 0)
        public static let white = Colour(red: 1, green: 1, blue: 1)
        public static let grey = Colour(red: 0.4, green: 0.42, blue: 0.45)
    }

    /// A4 in points.
    public static let pageWidth = 595.0, pageHeight = 842.0

    private(set) var pages: [String] = []
    private var current = ""
    public var title: String

    public init(title: String) { self.title = title }

    public mutating func newPage() {
        pages.append(current)
        current = ""
    }

    public mutating func text(_ string: String, x: Double, y: Double, size: Double, font: Font = .regular, colour: Colour = .black) {
        current += "BT \(fill(colour)) /\(font.rawValue) \(n(size)) Tf \(n(x)) \(n(y)) Td (\(Self.escaped(string))) Tj ET\n"
    }

    public mutating func line(from: (Double, Double), to: (Double, Double), width: Double = 0.5, colour: Colour = .grey) {
        current += "\(stroke(colour)) \(n(width)) w \(n(from.0)) \(n(from.1)) m \(n(to.0)) \(n(to.1)) l S\n"
    }

    public mutating func rectangle(x: Double, y: Double, width: Double, height: Double, colour: Colour) {
        current += "\(fill(colour)) \(n(x)) \(n(y)) \(n(width)) \(n(height)) re f\n"
    }

    /// A filled circle (four Bézier arcs).
    public mutating func circle(centreX cx: Double, centreY cy: Double, radius r: Double, colour: Colour) {
        let k = 0.5523 * r
        current += "\(fill(colour)) \(n(cx + r)) \(n(cy)) m "
        current += "\(n(cx + r)) \(n(cy + k)) \(n(cx + k)) \(n(cy + r)) \(n(cx)) \(n(cy + r)) c "
        current += "\(n(cx - k)) \(n(cy + r)) \(n(cx - r)) \(n(cy + k)) \(n(cx - r)) \(n(cy)) c "
        current += "\(n(cx - r)) \(n(cy - k)) \(n(cx - k)) \(n(cy - r)) \(n(cx)) \(n(cy - r)) c "
        current += "\(n(cx + k)) \(n(cy - r)) \(n(cx + r)) \(n(cy - k)) \(n(cx + r)) \(n(cy)) c f\n"
    }

    /// An open polyline, e.g. the check mark of the seal.
    public mutating func polyline(_ points: [(Double, Double)], width: Double, colour: Colour) {
        guard let first = points.first else { return }
        current += "\(stroke(colour)) \(n(width)) w 1 J 1 j \(n(first.0)) \(n(first.1)) m "
        for point in points.dropFirst() { current += "\(n(point.0)) \(n(point.1)) l " }
        current += "S\n"
    }

    /// The finished file.
    public func data() -> Data {
        var allPages = pages
        if !current.isEmpty || allPages.isEmpty { allPages.append(current) }
        var objects: [String] = []
        // 1 catalog, 2 pages, 3 font regular, 4 font bold, 5 info, then per page: page + content.
        let pageIDs = allPages.indices.map { 6 + $0 * 2 }
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append("<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(allPages.count) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        objects.append("<< /Title (\(Self.escaped(title))) /Producer (Trustmark) >>")
        for content in allPages {
            let id = 6 + (objects.count - 5)
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(n(Self.pageWidth)) \(n(Self.pageHeight))] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(id + 1) 0 R >>")
            objects.append("<< /Length \(Self.winAnsi(content).count) >>\nstream\n\(content)endstream")
        }
        var output = Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.count)
            output.append(Data("\(index + 1) 0 obj\n".utf8))
            output.append(Self.winAnsi(object))
            output.append(Data("\nendobj\n".utf8))
        }
        let xref = output.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        output.append(Data(table.utf8))
        return output
    }

    private func n(_ value: Double) -> String { String(format: "%.2f", value) }
    private func fill(_ c: Colour) -> String { "\(n(c.red)) \(n(c.green)) \(n(c.blue)) rg" }
    private func stroke(_ c: Colour) -> String { "\(n(c.red)) \(n(c.green)) \(n(c.blue)) RG" }

    /// Text inside a PDF string: parentheses and backslashes escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// Windows-1252 bytes for the content: Latin-1 maps directly; a few typographic signs and the
    /// euro have their own codes; anything else becomes '?'.
    static func winAnsi(_ text: String) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80, 0xA0...0xFF: bytes.append(UInt8(scalar.value))
            default: bytes.append(Self.special[scalar.value] ?? 0x3F)
            }
        }
        return Data(bytes)
    }

    static let special: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88, 0x2030: 0x89,
        0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95,
        0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
        0x2192: 0x3E, 0x2190: 0x3C,
    ]
}
