import Foundation
import Testing
@testable import TrustmarkCore

@Suite("Kept ratings as text")
struct NumberJSONTests {
    @Test func tablesAndListsReadBackAsAGeneralJSONCoderWritesThem() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let keys = ["service", "delivery", "reachability", "response_time", "a1"].filter { _ in Bool.random(using: &random) }
            let table = Dictionary(uniqueKeysWithValues: keys.map { ($0, Int.random(in: -1_000_000...1_000_000, using: &random)) })
            let list = (0..<Int.random(in: 0...7, using: &random)).map { _ in Int.random(in: 0...99_999, using: &random) }
            // Written by hand, the text is what the general coder writes, and either text reads back the same.
            #expect(NumberJSON.text(table) == String(decoding: try encoder.encode(table), as: UTF8.self))
            #expect(NumberJSON.text(list) == String(decoding: try encoder.encode(list), as: UTF8.self))
            #expect(NumberJSON.table(NumberJSON.text(table)) == table)
            #expect(NumberJSON.list(NumberJSON.text(list)) == list)
        }
        #expect(NumberJSON.table(" { \"service\" : 4 ,\n\"delivery\":5 } ") == ["service": 4, "delivery": 5])
        #expect(NumberJSON.list("[ 1, 2 ,3 ]") == [1, 2, 3])
        #expect(NumberJSON.table("{}") == [:])
        #expect(NumberJSON.list("[]") == [])
    }

    @Test func anythingElseIsLeftToTheGeneralDecoder() {
        for text in ["", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":\"1\"}", "{\"a\\\"b\":1}", "{\"a\":1} x",
                     "{\"a\":99999999999999999999}", "[1,2", "[1,,2]", "[1.0]", "{\"a\":{}}", "null"] {
            #expect(NumberJSON.table(text) == nil, "\(text)")
        }
        for text in ["", "[", "[1,2", "[1,,2]", "[1.0]", "[\"1\"]", "[1] x", "{}"] {
            #expect(NumberJSON.list(text) == nil, "\(text)")
        }
    }

    @Test func numbersArePaddedAsPrintfPadsThem() {
        for value in [0, 7, 42, 999, 12_345, 123_456] {
            for width in [1, 2, 3, 5, 8] {
                #expect(value.zeroPadded(width) == String(format: "%0\(width)d", value))
            }
        }
        #expect((-7).zeroPadded(3) == String(format: "%03d", -7))
    }

    @Test func stringTablesReadBackAndMatchAGeneralJSONCoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let samples = ["", "plain", "with \"quotes\"", "back\\slash", "a/b", "line\nbreak\ttab\r", "bell\u{07}", "é ü ß ñ 日本", "emoji 🙂",
                       "https://shop.example/page?x=1&y=2", "B", "a", "Z"]
        for (index, value) in samples.enumerated() {
            let table = [samples[(index + 1) % samples.count]: value, "id": "burst", "points": "\(index)", "Zeta": value]
            let text = StringJSON.text(table)
            #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == table, "\(text)")
            if !value.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                #expect(text == String(decoding: try encoder.encode(table), as: UTF8.self))
            }
        }
        let list = [["id": "burst", "count": "7"], [:], ["id": "same_address"]]
        #expect(try JSONDecoder().decode([[String: String]].self, from: Data(StringJSON.text(list).utf8)) == list)
        #expect(StringJSON.text([[String: String]]()) == "[]")
    }
}
