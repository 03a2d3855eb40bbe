import Foundation
import TrustmarkCore

/// Who sends: the trustmark organisation, from the scheme.
struct Letterhead: Sendable {
    let organisation: String
    let legalEntity: String
    let website: String?
    let colour: String

    init(scheme: Scheme) {
        organisation = scheme.name
        legalEntity = scheme.legalEntity
        website = scheme.website
        colour = scheme.seal.defaultVariant?.colour ?? "#1d5fa8"
    }
}

/// The official documents, as PDF: letters, contracts, invoices, certificates. Every fixed word
/// comes from the locale files, every number from the caller (and so from the scheme).
struct DocumentWriter: Sendable {
    let head: Letterhead
    let localizer: Localizer
    let timeZone: TimeZone

    func t(_ key: String, _ locale: AppLocale, _ arguments: [String: String] = [:]) -> String {
        localizer.text(key, locale, arguments)
    }

    private func composer(_ title: String, _ locale: AppLocale) -> DocumentComposer {
        DocumentComposer(title: title, footer: [head.legalEntity, head.website].compactMap { $0 }.joined(separator: " · "))
    }

    private func letterhead(_ doc: inout DocumentComposer) {
        doc.seal(x: doc.right - 26, y: doc.y - 22, radius: 24, colour: PDFWriter.Colour(hex: head.colour))
        doc.space(6)
        doc.heading(head.organisation, size: 18)
        doc.paragraph(head.legalEntity, size: 9, colour: .grey)
        doc.space(18)
    }

    struct Letter: Sendable {
        var recipient: String
        var address: [String]
        var subject: String
        var paragraphs: [String]
        var registered: Bool
        var date: Date
    }

    func letter(_ letter: Letter, locale: AppLocale) -> Data {
        var doc = composer(letter.subject, locale)
        letterhead(&doc)
        if letter.registered { doc.paragraph(t("doc_registered", locale).uppercased(), size: 10, bold: true) }
        for line in [letter.recipient] + letter.address { doc.paragraph(line, size: 10.5) ; doc.space(-6) }
        doc.space(24)
        doc.paragraph(t("doc_date", locale) + ": " + DateText.day(letter.date, locale: locale, timeZone: timeZone), size: 10)
        doc.paragraph(t("doc_subject", locale) + ": " + letter.subject, size: 10.5, bold: true)
        doc.space(8)
        for paragraph in letter.paragraphs { doc.paragraph(paragraph) }
        doc.space(12)
        doc.paragraph(t("doc_regards", locale))
        doc.paragraph(head.organisation, bold: true)
        return doc.finish()
    }

    struct Contract: Sendable {
        var member: String
        var memberDetails: [String]
        var shops: [String]
        var codeVersion: String
        var terms: [String]
        var date: Date
        /// The scheme's `contract_copies`: each copy is the whole contract again.
        var copies: Int
    }

    func contract(_ contract: Contract, locale: AppLocale) -> Data {
        var doc = composer(t("doc_contract_title", locale), locale)
        for copy in 1...max(1, contract.copies) {
            if copy > 1 { doc.pageBreak() }
            letterhead(&doc)
            doc.heading(t("doc_contract_title", locale))
            doc.paragraph(t("doc_copy_of", locale, ["n": "\(copy)", "total": "\(contract.copies)"]), size: 9, colour: .grey)
            doc.facts([
                (t("doc_party_trustmark", locale), "\(head.organisation) (\(head.legalEntity))"),
                (t("doc_party_member", locale), ([contract.member] + contract.memberDetails).joined(separator: ", ")),
                (t("doc_shops", locale), contract.shops.joined(separator: ", ")),
                (t("doc_code_version", locale), contract.codeVersion),
                (t("doc_date", locale), DateText.day(contract.date, locale: locale, timeZone: timeZone)),
            ])
            for (index, term) in contract.terms.enumerated() { doc.paragraph("\(index + 1). \(term)") }
            doc.space(30)
            let signatureY = doc.y
            for (index, party) in [head.organisation, contract.member].enumerated() {
                let x = doc.left + Double(index) * doc.width / 2
                doc.pdf.line(from: (x, signatureY - 30), to: (x + doc.width / 2 - 24, signatureY - 30))
                doc.pdf.text(t("doc_signature", locale) + " " + party, x: x, y: signatureY - 44, size: 9)
            }
            doc.space(60)
        }
        return doc.finish()
    }

    struct Invoice: Sendable {
        struct Line: Sendable {
            var description: String
            var quantity: Int
            var unitPrice: Money
        }

        var number: String
        var date: Date
        var due: Date
        var buyer: String
        var buyerDetails: [String]
        var lines: [Line]
        var vatRate: Percentage
        var reference: String?
        /// Net, VAT and total as stored with the invoice; computed from the lines when absent.
        var totals: (net: Int, vat: Int, gross: Int)? = nil
        var creditNote = false
    }

    func invoice(_ invoice: Invoice, locale: AppLocale) -> Data {
        let title = t(invoice.creditNote ? "doc_credit_note" : "doc_invoice", locale) + " " + invoice.number
        var doc = composer(title, locale)
        letterhead(&doc)
        doc.heading(title)
        var facts = [
            (t("doc_invoice_to", locale), ([invoice.buyer] + invoice.buyerDetails).joined(separator: ", ")),
            (t("doc_date", locale), DateText.day(invoice.date, locale: locale, timeZone: timeZone)),
            (t("doc_due", locale), DateText.day(invoice.due, locale: locale, timeZone: timeZone)),
        ]
        if let reference = invoice.reference { facts.append((t(invoice.creditNote ? "doc_credits" : "doc_reference", locale), reference)) }
        doc.facts(facts)
        let lineTotal = invoice.lines.reduce(0) { $0 + $1.unitPrice.cents * $1.quantity }
        let currency = invoice.lines.first?.unitPrice.currency ?? "EUR"
        // VAT on the total, rounded half up to the cent, unless the invoice carries its own totals.
        let subtotal = invoice.totals?.net ?? lineTotal
        let vat = invoice.totals?.vat ?? (lineTotal * invoice.vatRate.basisPoints + 5000) / 10000
        let money = { (cents: Int) in SchemeFacts.money(Money(cents: cents, currency: currency), locale) }
        doc.table(header: [t("doc_description", locale), t("doc_quantity", locale), t("doc_unit_price", locale), t("doc_amount", locale)],
                  rows: invoice.lines.map { [$0.description, "\($0.quantity)", money($0.unitPrice.cents), money($0.unitPrice.cents * $0.quantity)] },
                  widths: [doc.width - 240, 60, 90, 90], rightAligned: [1, 2, 3])
        doc.facts([(t("doc_subtotal", locale), money(subtotal)), (t("doc_vat", locale, ["rate": invoice.vatRate.description]), money(vat)),
                   (t("doc_total", locale), money(invoice.totals?.gross ?? subtotal + vat))], labelWidth: doc.width - 90)
        if !invoice.creditNote {
            doc.paragraph(t("doc_invoice_payment", locale, ["number": invoice.number, "date": DateText.day(invoice.due, locale: locale, timeZone: timeZone)]), size: 9.5)
        }
        return doc.finish()
    }

    struct Certificate: Sendable {
        var shop: String
        var domains: [String]
        var variant: String
        var validFrom: Date
        var validUntil: Date
        var verificationURL: String
    }

    func certificate(_ certificate: Certificate, locale: AppLocale) -> Data {
        var doc = composer(t("doc_certificate_title", locale), locale)
        doc.space(40)
        doc.seal(x: PDFWriter.pageWidth / 2, y: doc.y - 80, radius: 78, colour: PDFWriter.Colour(hex: head.colour))
        doc.space(190)
        doc.heading(t("doc_certificate_title", locale), size: 26)
        doc.paragraph(t("doc_certificate_text", locale, ["shop": certificate.shop, "scheme": head.organisation]), size: 13)
        doc.facts([
            (t("doc_shops", locale), ([certificate.shop] + certificate.domains).joined(separator: ", ")),
            (t("doc_variant", locale), certificate.variant),
            (t("doc_valid", locale), DateText.day(certificate.validFrom, locale: locale, timeZone: timeZone) + " – " + DateText.day(certificate.validUntil, locale: locale, timeZone: timeZone)),
            (t("doc_verify_at", locale), certificate.verificationURL),
        ], size: 11)
        return doc.finish()
    }
}
