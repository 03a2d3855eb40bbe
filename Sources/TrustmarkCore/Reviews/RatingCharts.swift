import Foundation

/// The barometer: a shop's average score per month over the scheme's window, as an SVG bar chart
/// (no script, readable by screen readers through its title and a table of the same figures).
public struct RatingBarometer: Sendable {
    public struct Month: Equatable, Sendable {
        public let label: String
        public let count: Int
        /// Average in hundredths; nil for a month without ratings.
        public let average: Int?

        public init(label: String, count: Int, average: Int?) {
            self.label = label
            self.count = count
            self.average = average
        }
    }

    public let months: [Month]
    public let scale: ClosedRange<Int>
    public let title: String
    public let colour: String

    public init(months: [Month], scale: ClosedRange<Int>, title: String, colour: String) {
        self.months = months
        self.scale = scale
        self.title = title
        self.colour = colour
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    public func svg() -> String {
        let width = 36 * max(1, months.count) + 40, height = 160, base = 130, top = 20
        let span = Double(scale.upperBound - scale.lowerBound)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-labelledby=\"barometer-title\">"
        out += "<title id=\"barometer-title\">\(Self.escape(title))</title>"
        for step in scale {
            let y = base - Int(Double(step - scale.lowerBound) / max(1, span) * Double(base - top))
            out += "<line x1=\"30\" y1=\"\(y)\" x2=\"\(width - 4)\" y2=\"\(y)\" stroke=\"#d8dde3\" stroke-width=\"1\"/>"
            out += "<text x=\"24\" y=\"\(y + 4)\" font-size=\"10\" text-anchor=\"end\" fill=\"#4a5560\">\(step)</text>"
        }
        for (index, month) in months.enumerated() {
            let x = 36 + index * 36
            if let average = month.average {
                let value = Double(average) / 100 - Double(scale.lowerBound)
                let barTop = base - Int(value / max(1, span) * Double(base - top))
                out += "<rect x=\"\(x)\" y=\"\(barTop)\" width=\"24\" height=\"\(max(1, base - barTop))\" fill=\"\(Self.escape(colour))\"><title>\(Self.escape(month.label)): \(RatingFigures.text(average)) (\(month.count))</title></rect>"
            }
            out += "<text x=\"\(x + 12)\" y=\"\(base + 14)\" font-size=\"9\" text-anchor=\"middle\" fill=\"#4a5560\">\(Self.escape(month.label))</text>"
            out += "<text x=\"\(x + 12)\" y=\"\(base + 26)\" font-size=\"9\" text-anchor=\"middle\" fill=\"#4a5560\">\(month.count)</text>"
        }
        return out + "</svg>"
    }
}

/// The review widget a shop embeds: its average, count and tier in a small SVG (no script).
public struct ReviewWidget: Sendable {
    public let organisation: String
    public let shop: String
    public let average: String?
    public let outOf: Int
    public let countText: String
    public let tier: String?
    public let colour: String

    public init(organisation: String, shop: String, average: String?, outOf: Int, countText: String, tier: String?, colour: String) {
        self.organisation = organisation
        self.shop = shop
        self.average = average
        self.outOf = outOf
        self.countText = countText
        self.tier = tier
        self.colour = colour
    }

    public func svg() -> String {
        let e = RatingBarometer.escape
        let score = average.map { "\($0) / \(outOf)" } ?? "–"
        let label = [shop, score, countText, tier].compactMap { $0 }.joined(separator: " · ")
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 240 72\" width=\"240\" height=\"72\" role=\"img\" aria-label=\"\(e(organisation)): \(e(label))\">"
        out += "<rect x=\"0.5\" y=\"0.5\" width=\"239\" height=\"71\" rx=\"8\" fill=\"#fff\" stroke=\"\(e(colour))\"/>"
        out += "<text x=\"12\" y=\"20\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#4a5560\">\(e(organisation))</text>"
        out += "<text x=\"12\" y=\"44\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"bold\" fill=\"\(e(colour))\">\(e(score))</text>"
        out += "<text x=\"12\" y=\"62\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#1b2630\">\(e([countText, tier].compactMap { $0 }.joined(separator: " · ")))</text>"
        return out + "</svg>"
    }
}
