import Foundation
import Testing
import TrustmarkCore

@Suite("CSV as spreadsheets write it")
struct CSVTests {
    @Test func quotedFieldsKeepSeparatorsQuotesAndLineBreaks() {
        let text = "naam;opmerking\r\n\"Jansen; Zn\";\"zei \"\"ja\"\"\r\nen nee\"\r\n\r\nKlaas;\n"
        let records = CSV.records(text, separator: ";")
        #expect(records == [
            CSV.Record(line: 1, fields: ["naam", "opmerking"]),
            CSV.Record(line: 2, fields: ["Jansen; Zn", "zei \"ja\"\nen nee"]),
            CSV.Record(line: 5, fields: ["Klaas", ""]),
        ])
    }

    @Test func theSeparatorIsTheHeadersMostFrequentOutsideQuotes() {
        #expect(CSV.separator(of: "a;b;\"c,d,e\"") == ";")
        #expect(CSV.separator(of: "a,b,c") == ",")
        #expect(CSV.separator(of: "a\tb\tc") == "\t")
    }

    @Test func encodingsAreReadOrRefused() throws {
        #expect(try CSV.decode(Data([0xEF, 0xBB, 0xBF]) + Data("Café".utf8)) == ("Café", "UTF-8"))
        #expect(try CSV.decode(Data([0x43, 0x61, 0x66, 0xE9])) == ("Café", "Windows-1252"))
        #expect(try CSV.decode(Data([0x80, 0x20, 0x35])).text == "€ 5", "Windows-1252, not Latin-1: 0x80 is the euro sign")
        #expect(throws: CSV.Problem.notText) { try CSV.decode(Data([0x50, 0x4B, 0x03, 0x04])) }
        #expect(throws: CSV.Problem.notText) { try CSV.decode(Data([0x61, 0x00, 0x62])) }
    }

    @Test func writtenFieldsAreQuotedAndFormulasDefused() {
        #expect(CSV.line(["a", "b,c", "say \"hi\"", "=HYPERLINK(\"x\")", "-5", "@SUM(A1)"])
            == "a,\"b,c\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",-5,'@SUM(A1)\r\n")
        // What is written reads back the same (but for the defused formula's apostrophe).
        let fields = ["Jansen, Zn", "twee\nregels", "\"quoted\""]
        #expect(CSV.records(CSV.line(fields), separator: ",").first?.fields == fields)
    }

    @Test func memberListHeadersInThreeLanguagesAndDatesDayFirst() {
        let (positions, missing) = MemberList.columns(["Organisatie", "KvK-nummer", "USt-IdNr", "Contactpersoon", "contact_email", "Webwinkel", "Domeinen",
                                                       "Mitglied seit", "Paid until", "Whatever"])
        #expect(missing.isEmpty)
        #expect(positions[.vat] == 2 && positions[.memberSince] == 7)
        #expect(MemberList.columns(["organisation"]).missing.contains(.kvk))
        #expect(MemberList.day("01-03-2024")?.description == "2024-03-01")
        #expect(MemberList.day("1.3.2024")?.description == "2024-03-01")
        #expect(MemberList.day("2024-03-01")?.description == "2024-03-01")
        #expect(MemberList.day("31-02-2024") == nil && MemberList.day("03/01/24") == nil)
        #expect(MemberList.domains("a.nl, www.b.nl | c.de") == ["a.nl", "www.b.nl", "c.de"])
    }
}
