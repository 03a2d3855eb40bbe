import FluentKit
import Foundation
import Testing
import TrustmarkCore
@testable import TrustmarkServer

/// The text a reader gets out of a PDF, through poppler's pdftotext (Debian's poppler-utils).
func pdfText(_ data: Data, layout: Bool = false) throws -> String {
    let path = NSTemporaryDirectory() + "doc-\(UUID().uuidString).pdf"
    try data.write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["pdftotext"] + (layout ? ["-layout"] : []) + [path, "-"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let text = output.fileHandleForReading.readDataToEndOfFile()
    return String(decoding: text, as: UTF8.self)
}

/// Pages as pdfinfo counts them.
func pdfPages(_ data: Data) throws -> Int {
    let text = try pdfText(data)
    return text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.count
}

@Suite("PDF documents")
struct DocumentTests {
    let date = ISO8601DateFormatter().date(from: "2026-12-24T10:00:00Z")!

    @Test func aLetterCarriesTheLetterheadAccentsAndTheEuroSign() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            let letter = DocumentWriter.Letter(recipient: "Fietsen B.V.", address: ["Dorpsstraat 1", "1234 AB Utrecht"], subject: "Sommatie (artikel 25)",
                                               paragraphs: ["Wij verzoeken u het logo binnen 5 werkdagen te verwijderen; de kosten van € 50,00 komen voor uw rekening. Café Müller ß."],
                                               registered: true, date: date)
            let pdf = app.documents.letter(letter, locale: .nl)
            #expect(pdf.starts(with: Data("%PDF-1.4".utf8)))
            let text = try pdfText(pdf)
            #expect(text.contains("KeurOnline"))
            #expect(text.contains("AANGETEKEND"))
            #expect(text.contains("Dorpsstraat 1"))
            #expect(text.contains("Datum: 24 december 2026"))
            #expect(text.contains("Betreft: Sommatie (artikel 25)"))
            #expect(text.contains("€ 50,00"))
            #expect(text.contains("Café Müller ß"))
        }
    }

    @Test func aContractComesInTheSchemesNumberOfCopies() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            let copies = try #require(app.scheme.scheme.membership?.contractCopies)
            let contract = DocumentWriter.Contract(member: "Fietsen B.V.", memberDetails: ["KvK 12345678"], shops: ["fietsen.nl"],
                                                   codeVersion: app.scheme.scheme.codeOfConduct.version, terms: ["Het lid houdt zich aan de gedragscode."],
                                                   date: date, copies: copies)
            let pdf = app.documents.contract(contract, locale: .de)
            let text = try pdfText(pdf)
            #expect(try pdfPages(pdf) == 2)
            #expect(text.contains("Ausfertigung 1 von 2"))
            #expect(text.contains("Ausfertigung 2 von 2"))
            #expect(text.contains("Verhaltenskodex, Version"))
            #expect(text.contains("2012-04-20"))
        }
    }

    @Test func anInvoiceAddsVATToTheCent() async throws {
        try await TestApp.with(scheme: "mkbok") { app, _ in
            let membership = try #require(app.scheme.scheme.membership)
            let invoice = DocumentWriter.Invoice(
                number: "2027-0001", date: date, due: date.addingTimeInterval(14 * 86400), buyer: "Fietsen B.V.", buyerDetails: ["Dorpsstraat 1, Utrecht"],
                lines: [.init(description: "Jaarbijdrage fietsen.nl", quantity: 1, unitPrice: membership.annualFee),
                        .init(description: "Keuringsbijdrage extra webwinkel", quantity: 2, unitPrice: try #require(membership.extraShopFee))],
                vatRate: app.scheme.scheme.vatRate, reference: nil)
            let text = try pdfText(app.documents.invoice(invoice, locale: .nl), layout: true)
            // 97.50 + 2 x 29.50 = 156.50; 21% VAT = 32.865, rounded to 32.87; total 189.37
            #expect(text.contains("Factuur 2027-0001"))
            #expect(text.contains("€ 156,50"))
            #expect(text.contains("€ 32,87"))
            #expect(text.contains("€ 189,37"))
            #expect(text.contains("Btw 21%"))
        }
    }

    @Test func aCertificateNamesShopSchemeValidityAndTheVerificationAddress() async throws {
        try await TestApp.with(scheme: "keuronline") { app, _ in
            let certificate = DocumentWriter.Certificate(shop: "Fietsen B.V.", domains: ["fietsen.nl"], variant: "Consument", validFrom: date,
                                                         validUntil: date.addingTimeInterval(365 * 86400), verificationURL: "https://keurmerk.example/shops/fietsen")
            let text = try pdfText(app.documents.certificate(certificate, locale: .en))
            #expect(text.contains("Certificate"))
            #expect(text.contains("Fietsen B.V. meets the code of conduct of KeurOnline"))
            #expect(text.contains("24 December 2026 – 24 December 2027"))
            #expect(text.contains("https://keurmerk.example/shops/fietsen"))
        }
    }

    @Test func aLongLetterFlowsOntoASecondPage() async throws {
        try await TestApp.with { app, _ in
            let paragraph = String(repeating: "Dit is een lange alinea die over meerdere regels moet lopen. ", count: 12)
            let letter = DocumentWriter.Letter(recipient: "X", address: [], subject: "Lang", paragraphs: Array(repeating: paragraph, count: 8), registered: false, date: date)
            let pdf = app.documents.letter(letter, locale: .nl)
            let pages = try pdfPages(pdf)
            let text = try pdfText(pdf)
            #expect(pages == 2)
            #expect(!text.contains("AANGETEKEND"))
        }
    }
}

@Suite("Official letters for staff")
struct LettersFlowTests {
    @Test func aTestLetterIsKeptAsSentAndItsPostingDayRecordedOnce() async throws {
        try await TestApp.with(scheme: "keuronline") { app, client in
            try await app.makeUser("boss@keuronline.test", role: .admin)
            let admin = Browser(client)
            try await admin.login("boss@keuronline.test")
            #expect(try await admin.post("/staff/letters/test", [:]).status == .seeOther)
            let row = try #require(try await LetterRow.query(on: app.storage.db).first())
            #expect(row.registered)
            let list = try await admin.get("/staff/letters")
            #expect(list.body.contains("Proefbrief"))
            #expect(list.body.contains("Op de post op"))
            let download = try await admin.get("/staff/letters/\(row.id!.uuidString)/pdf")
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.body.hasPrefix("%PDF-1.4"))
            // A date in the future is refused beside the field; today is accepted once.
            let future = try await admin.post("/staff/letters/\(row.id!.uuidString)/sent", ["sent_on": "2027-01-05"])
            #expect(future.status == .unprocessableContent)
            #expect(future.body.contains("tussen de dag van de brief en vandaag"))
            #expect(try await admin.post("/staff/letters/\(row.id!.uuidString)/sent", ["sent_on": "2026-12-24"]).status == .seeOther)
            #expect(try await admin.get("/staff/letters").body.contains("Aangetekend verstuurd op 2026-12-24"))
            let again = try await admin.post("/staff/letters/\(row.id!.uuidString)/sent", ["sent_on": "2026-12-24"])
            #expect(again.status == .conflict)
            #expect(try await AuditEntry.query(on: app.storage.db).filter(\.$action == "letter.posted").count() == 1)
        }
    }
}
