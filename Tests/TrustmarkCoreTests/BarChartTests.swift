import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Bar charts")
struct BarChartTests {
    static let series: [BarChart.Series] = [.init(name: "betaald", colour: "#1b7a4b"), .init(name: "te laat", colour: "#b00020")]

    /// The bar segments' widths, in order of drawing.
    static func widths(_ svg: String) -> [Double] {
        svg.components(separatedBy: "<rect ").dropFirst().compactMap { rect -> Double? in
            guard rect.contains("height=\"18\""), let range = rect.range(of: "width=\"") else { return nil }
            return Double(rect[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func barsAreScaledToTheLargestTotalAndEveryFigureIsReadAloud() {
        let chart = BarChart(id: "c", title: "Facturen", series: Self.series,
                             rows: [.init(label: "jan", values: [300, 100], valueText: "€ 4,00"), .init(label: "feb", values: [200, 0], valueText: "€ 2,00")])
        let svg = chart.svg()
        #expect(Self.widths(svg) == [225, 75, 150], "jan's 400 fills the 300 px, feb's 200 half of it; a zero part draws nothing")
        #expect(svg.contains("role=\"img\" aria-labelledby=\"c-title c-desc\""))
        #expect(svg.contains("<title id=\"c-title\">Facturen</title>"))
        #expect(svg.contains("<desc id=\"c-desc\">jan: € 4,00 (betaald 300, te laat 100); feb: € 2,00 (betaald 200, te laat 0)</desc>"))
        #expect(svg.contains(">€ 4,00</text>") && svg.contains(">jan</text>"), "each bar's total and label are written beside it")
        #expect(svg.contains(">betaald</text>") && svg.contains(">te laat</text>"), "several series get a legend")
        #expect(!svg.contains("<script") && !svg.contains("style="), "no script and no inline styles: it works under a strict CSP")
    }

    @Test func emptyNegativeAndHostileInputStaySafe() {
        let empty = BarChart(id: "e", title: "Misbruik", series: [.init(name: "open", colour: "#b00020")],
                             rows: [.init(label: "Open", values: [0], valueText: "0"), .init(label: "Gesloten", values: [-5], valueText: "0")])
        #expect(Self.widths(empty.svg()).isEmpty, "nothing to draw is drawn as nothing, not as a division by zero")
        #expect(!empty.svg().contains(">open</text>"), "one series needs no legend")
        let hostile = BarChart(id: "h\"><script>", title: "<b>", series: [.init(name: "x", colour: "red;}</style>")],
                               rows: [.init(label: "<img src=x onerror=alert(1)>", values: [1], valueText: "&")])
        let svg = hostile.svg()
        #expect(!svg.contains("<script>") && !svg.contains("<img") && !svg.contains("<b>"))
        #expect(svg.contains("&lt;img src=x onerror=alert(1)&gt;") && svg.contains(">&amp;</text>"))
        #expect(!svg.contains("red;}"), "a colour that is no colour is not written")
    }
}
