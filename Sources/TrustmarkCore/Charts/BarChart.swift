import Foundation

/// A horizontal bar chart as SVG, drawn on the server: one bar per row, split into the series'
/// segments (stacked), each bar's total written after it. No script and no styles, so it works under
/// the strict content-security policy and without JavaScript. Screen readers get a title and a
/// description that repeat every figure; the page shows the same figures as text or a table too.
public struct BarChart: Sendable {
    public struct Series: Equatable, Sendable {
        public let name: String
        public let colour: String

        public init(name: String, colour: String) {
            self.name = name
            self.colour = colour
        }
    }

    public struct Row: Equatable, Sendable {
        public let label: String
        /// One value per series, in the series' order; negative values count as zero.
        public let values: [Int]
        /// The total as people read it ("12", "€ 1.250,00").
        public let valueText: String

        public init(label: String, values: [Int], valueText: String) {
            self.label = label
            self.values = values
            self.valueText = valueText
        }
    }

    /// Unique on its page: the ids of the title and description derive from it.
    public let id: String
    public let title: String
    public let series: [Series]
    public let rows: [Row]

    public init(id: String, title: String, series: [Series], rows: [Row]) {
        self.id = id
        self.title = title
        self.series = series
        self.rows = rows
    }

    static let barArea = 300, rowHeight = 28, barHeight = 18, legendLine = 20

    /// The description a screen reader reads: every row with its total and, for several series, its parts.
    public var description: String {
        rows.map { row in
            guard series.count > 1 else { return "\(row.label): \(row.valueText)" }
            let parts = zip(series, row.values).map { "\($0.name) \(max(0, $1))" }.joined(separator: ", ")
            return "\(row.label): \(row.valueText) (\(parts))"
        }.joined(separator: "; ")
    }

    public func svg() -> String {
        let e = SealImage.escape
        // Columns as wide as their longest text needs (about 7.5 px a character at 13 px), labels at most 250.
        let labelWidth = min(250, max(60, (rows.map(\.label.count).max() ?? 0) * 15 / 2 + 12))
        let valueWidth = max(40, (rows.map(\.valueText.count).max() ?? 0) * 8 + 14)
        let width = labelWidth + Self.barArea + valueWidth
        // The legend (only for several series) flows over as many lines as it needs.
        var legendItems: [(x: Int, line: Int, series: Series)] = []
        var x = 0, line = 0
        for item in series where series.count > 1 {
            let span = 26 + item.name.count * 8
            if x > 0 && x + span > width { x = 0; line += 1 }
            legendItems.append((x, line, item))
            x += span
        }
        let legend = legendItems.isEmpty ? 0 : (line + 1) * Self.legendLine + 6
        let height = legend + max(1, rows.count) * Self.rowHeight + 6
        let barArea = Self.barArea
        let largest = rows.map { $0.values.reduce(0) { $0 + max(0, $1) } }.max() ?? 0
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "role=\"img\" aria-labelledby=\"\(e(id))-title \(e(id))-desc\">"
        out += "<title id=\"\(e(id))-title\">\(e(title))</title><desc id=\"\(e(id))-desc\">\(e(description))</desc>"
        out += "<g font-family=\"Helvetica,Arial,sans-serif\" font-size=\"13\" fill=\"#1f2a33\">"
        for item in legendItems {
            let y = 4 + item.line * Self.legendLine
            out += "<rect x=\"\(item.x)\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(SealImage.safeColour(item.series.colour))\"/>"
            out += "<text x=\"\(item.x + 17)\" y=\"\(y + 11)\">\(e(item.series.name))</text>"
        }
        for (index, row) in rows.enumerated() {
            let top = legend + index * Self.rowHeight + 4
            let middle = top + Self.barHeight / 2 + 5
            out += "<text x=\"\(labelWidth - 8)\" y=\"\(middle)\" text-anchor=\"end\"\(row.label.count > 34 ? " textLength=\"\(labelWidth - 12)\" lengthAdjust=\"spacingAndGlyphs\"" : "")>\(e(row.label))</text>"
            var x = Double(labelWidth)
            for (value, item) in zip(row.values, series) where value > 0 && largest > 0 {
                let length = Double(value) / Double(largest) * Double(barArea)
                out += "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(top)\" width=\"\(String(format: "%.1f", max(1, length)))\" height=\"\(Self.barHeight)\" fill=\"\(SealImage.safeColour(item.colour))\"/>"
                x += length
            }
            out += "<text x=\"\(String(format: "%.1f", x + 6))\" y=\"\(middle)\">\(e(row.valueText))</text>"
        }
        return out + "</g></svg>"
    }
}
