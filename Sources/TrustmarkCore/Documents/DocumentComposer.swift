import Foundation

/// Widths of Helvetica's glyphs in thousandths of the font size (the standard font metrics), for
/// wrapping lines. Accented letters are as wide as their base letter.
enum HelveticaMetrics {
    static let ascii: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ... /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 ... ?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ ... O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P ... _
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` ... o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p ... ~
    ]

    static func width(_ text: String, size: Double, bold: Bool) -> Double {
        var total = 0
        for character in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let value = Int(character.value)
            if (32...126).contains(value) { total += ascii[value - 32] } else if character.properties.isDiacritic || (0x300...0x36F).contains(value) {
                continue
            } else { total += 556 }
        }
        // Helvetica-Bold runs about 6% wider; near enough for choosing line breaks.
        return Double(total) * size / 1000 * (bold ? 1.06 : 1)
    }
}

/// Lays text out top to bottom on A4 pages with margins, starting a new page when one is full.
public struct DocumentComposer: Sendable {
    public var pdf: PDFWriter
    public var y: Double
    public let left = 56.0
    public let right = PDFWriter.pageWidth - 56.0
    let top = PDFWriter.pageHeight - 56.0
    let bottom = 64.0
    /// Drawn at the foot of every page (organisation and page number, say).
    let footer: String

    public init(title: String, footer: String) {
        self.pdf = PDFWriter(title: title)
        self.footer = footer
        self.y = PDFWriter.pageHeight - 56.0
    }

    public var width: Double { right - left }

    /// Splits `text` into lines that fit `width` (words are never split unless longer than a line).
    public static func wrap(_ text: String, width: Double, size: Double, bold: Bool = false) -> [String] {
        var lines: [String] = []
        for paragraph in text.components(separatedBy: "\n") {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if HelveticaMetrics.width(candidate, size: size, bold: bold) <= width || line.isEmpty {
                    line = candidate
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
        }
        return lines
    }

    mutating func ensure(_ height: Double) {
        if y - height < bottom { pageBreak() }
    }

    public mutating func pageBreak() {
        drawFooter()
        pdf.newPage()
        y = top
    }

    private mutating func drawFooter() {
        pdf.line(from: (left, bottom - 12), to: (right, bottom - 12))
        pdf.text(footer, x: left, y: bottom - 26, size: 8, colour: .grey)
    }

    public mutating func space(_ points: Double) { y -= points }

    public mutating func heading(_ text: String, size: Double = 16) {
        for line in Self.wrap(text, width: width, size: size, bold: true) {
            ensure(size * 1.4)
            y -= size * 1.2
            pdf.text(line, x: left, y: y, size: size, font: .bold)
        }
        y -= size * 0.4
    }

    public mutating func paragraph(_ text: String, size: Double = 10.5, bold: Bool = false, indent: Double = 0, colour: PDFWriter.Colour = .black) {
        for line in Self.wrap(text, width: width - indent, size: size, bold: bold) {
            ensure(size * 1.45)
            y -= size * 1.45
            pdf.text(line, x: left + indent, y: y, size: size, font: bold ? .bold : .regular, colour: colour)
        }
        y -= size * 0.6
    }

    /// Label/value pairs in two columns.
    public mutating func facts(_ rows: [(String, String)], size: Double = 10, labelWidth: Double = 150) {
        for (label, value) in rows {
            let lines = Self.wrap(value, width: width - labelWidth, size: size)
            ensure(Double(lines.count) * size * 1.45)
            y -= size * 1.45
            pdf.text(label, x: left, y: y, size: size, font: .bold)
            for (index, line) in lines.enumerated() {
                if index > 0 { y -= size * 1.45 }
                pdf.text(line, x: left + labelWidth, y: y, size: size)
            }
        }
        y -= size * 0.8
    }

    /// A table with right-aligned amount columns: `widths` are the column widths from the left.
    public mutating func table(header: [String], rows: [[String]], widths: [Double], rightAligned: Set<Int>, size: Double = 9.5) {
        func row(_ cells: [String], bold: Bool) {
            ensure(size * 1.8)
            y -= size * 1.6
            var x = left
            for (index, cell) in cells.enumerated() {
                let cellWidth = widths[index]
                let text = Self.wrap(cell, width: cellWidth - 6, size: size, bold: bold).first ?? ""
                let textX = rightAligned.contains(index) ? x + cellWidth - 4 - HelveticaMetrics.width(text, size: size, bold: bold) : x
                pdf.text(text, x: textX, y: y, size: size, font: bold ? .bold : .regular)
                x += cellWidth
            }
        }
        row(header, bold: true)
        pdf.line(from: (left, y - 4), to: (left + widths.reduce(0, +), y - 4))
        for cells in rows { row(cells, bold: false) }
        y -= size
    }

    /// The seal drawn as vectors: a disc in the scheme's colour, a white ring and a check mark.
    public mutating func seal(x: Double, y sealY: Double, radius: Double, colour: PDFWriter.Colour) {
        pdf.circle(centreX: x, centreY: sealY, radius: radius, colour: colour)
        pdf.circle(centreX: x, centreY: sealY, radius: radius * 0.86, colour: .white)
        pdf.circle(centreX: x, centreY: sealY, radius: radius * 0.78, colour: colour)
        pdf.polyline([(x - radius * 0.38, sealY + radius * 0.02), (x - radius * 0.1, sealY - radius * 0.28), (x + radius * 0.42, sealY + radius * 0.32)],
                     width: radius * 0.16, colour: .white)
    }

    /// The finished file (with the footer on the last page).
    public mutating func finish() -> Data {
        drawFooter()
        return pdf.data()
    }
}
