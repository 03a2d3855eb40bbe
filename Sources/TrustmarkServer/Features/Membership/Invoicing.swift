import Crypto
import FluentKit
import Foundation
import SQLKit
import TrustmarkCore

/// Invoices, payments and credit notes. Numbers run per year without gaps: the counter row is
/// raised inside the transaction that writes the invoice, so a failed invoice gives its number back
/// and two instances never hand out the same one (the row lock on PostgreSQL, the single writer on
/// SQLite).
struct InvoicesService: Sendable {
    let desk: MembershipDesk
    /// What happens once an invoice is settled (membership started or renewed, listing removed, ...).
    let onSettled: @Sendable (Invoice, any Database) async throws -> Void

    struct Line: Sendable {
        var description: String
        var quantity: Int
        var unitCents: Int
    }

    static func number(year: Int, sequence: Int) -> String { "\(year)-\(sequence.zeroPadded(5))" }

    /// Takes the next number of `year` in `db`'s transaction.
    static func nextSequence(year: Int, on db: any Database) async throws -> Int {
        try await YearCounter.next("invoice_counters", year: year, on: db)
    }

    /// Writes an invoice (or credit note) with its lines. The amounts come from the caller, who
    /// computed them from the scheme (`FeeCalculation`).
    func issue(kind: Invoice.Kind, organisation: UUID, membership: UUID?, application: UUID?, lines: [Line], net: Int, vat: Int, gross: Int,
               period: (Day, Day)? = nil, note: String? = nil, credits: UUID? = nil, on db: any Database) async throws -> Invoice {
        let rules = try desk.rules()
        let today = desk.today
        let sequence = try await Self.nextSequence(year: today.year, on: db)
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first()
        let contact = try await desk.contact(of: organisation, on: db)
        let invoice = Invoice()
        invoice.number = Self.number(year: today.year, sequence: sequence)
        invoice.year = today.year
        invoice.sequence = sequence
        invoice.$organisation.id = organisation
        invoice.membershipID = membership
        invoice.applicationID = application
        invoice.kindRaw = kind.rawValue
        invoice.issuedOn = today.description
        invoice.dueOn = today.adding(rules.paymentTerm, calendar: desk.calendar).description
        invoice.periodStart = period?.0.description
        invoice.periodEnd = period?.1.description
        invoice.netCents = net
        invoice.vatCents = vat
        invoice.grossCents = gross
        invoice.currency = desk.scheme.currency
        invoice.vatBasisPoints = desk.scheme.vatRate.basisPoints
        invoice.statusRaw = kind == .creditNote ? Invoice.Status.issued.rawValue : Invoice.Status.open.rawValue
        invoice.note = note
        invoice.creditsInvoiceID = credits
        invoice.buyer = registration?.legalName ?? ""
        invoice.buyerDetails = registration?.details.joined(separator: "\n") ?? ""
        invoice.locale = (contact?.locale ?? .fallback).rawValue
        invoice.createdAt = desk.clock.now()
        try await invoice.create(on: db)
        for (index, line) in lines.enumerated() {
            let row = InvoiceLine()
            row.$invoice.id = try invoice.requireID()
            row.position = index
            row.description = line.description
            row.quantity = line.quantity
            row.unitCents = line.unitCents
            try await row.create(on: db)
        }
        try await desk.note("invoice.issued", organisation: organisation, application: application, actor: .system,
                            detail: ["number": invoice.number, "kind": kind.rawValue, "gross": "\(gross)"], on: db)
        try await WebhookEvents.emit(.invoiceIssued, organisation: organisation, data: InvoiceEventData(invoice), now: invoice.createdAt, on: db)
        if kind != .creditNote {
            let number = invoice.number, due = invoice.dueOn
            try await desk.mail(organisation, subject: "mail_invoice_subject", body: "mail_invoice_body", { locale in
                ["number": number, "amount": desk.money(gross, locale), "due": desk.dayText(due, locale) ?? due]
            }, kind: "invoice", on: db)
        }
        return invoice
    }

    /// Lines of a fee calculation in the buyer's language.
    func lines(_ fees: FeeCalculation, shops: [String], locale: AppLocale, period: (Day, Day)?, oneTime: MembershipRules.OneTimeFee? = nil) -> [Line] {
        fees.lines.map { line in
            let text: String
            switch line.kind {
            case .annualFee:
                text = desk.localizer.text("invoice_line_annual", locale, ["scheme": desk.scheme.name,
                                                                         "period": period.map { "\(desk.dayText($0.0, locale)) – \(desk.dayText($0.1.adding(days: -1), locale))" } ?? ""])
            case .extraShop:
                text = desk.localizer.text("invoice_line_extra_shop", locale, ["shops": shops.dropFirst().joined(separator: ", ")])
            case .oneTime:
                text = oneTime.map { desk.active.text($0.name, locale) } ?? ""
            }
            return Line(description: text, quantity: line.quantity, unitCents: line.unitPrice.cents)
        }
    }

    // MARK: what is owed

    struct Balance: Sendable {
        let paid: Int
        let credited: Int
        let open: Int
    }

    /// The balances of a page of invoices in two queries (a list must not ask per row).
    func balances(of invoices: [Invoice], on db: any Database) async throws -> [UUID: Balance] {
        let ids = invoices.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        var paid: [UUID: Int] = [:], credited: [UUID: Int] = [:]
        for payment in try await Payment.query(on: db).filter(\.$invoice.$id ~~ ids).all() { paid[payment.$invoice.id, default: 0] += payment.amountCents }
        for note in try await Invoice.query(on: db).filter(\.$creditsInvoiceID ~~ ids).all() {
            if let original = note.creditsInvoiceID { credited[original, default: 0] -= note.grossCents }
        }
        var result: [UUID: Balance] = [:]
        for invoice in invoices {
            guard let id = invoice.id else { continue }
            let p = paid[id] ?? 0, c = credited[id] ?? 0
            result[id] = Balance(paid: p, credited: c, open: invoice.grossCents - p - c)
        }
        return result
    }

    func balance(of invoice: Invoice, on db: any Database) async throws -> Balance {
        let id = try invoice.requireID()
        let paid = try await Payment.query(on: db).filter(\.$invoice.$id == id).all().reduce(0) { $0 + $1.amountCents }
        let credited = try await Invoice.query(on: db).filter(\.$creditsInvoiceID == id).all().reduce(0) { $0 - $1.grossCents }
        return Balance(paid: paid, credited: credited, open: invoice.grossCents - paid - credited)
    }

    // MARK: payments

    struct PaymentInput: Sendable {
        var amount: String
        var paidOn: String
        var reference: String
    }

    /// Records a payment as it arrived, whatever the amount. The invoice is settled only when what
    /// was paid covers it; otherwise it stays open with the difference shown.
    func recordPayment(_ invoiceID: UUID, _ input: PaymentInput, source: String, by actor: Record.Actor) async throws -> Invoice {
        var errors = FormErrors()
        let amount = Money.parse(input.amount.trimmingWhitespace().replacingOccurrences(of: ",", with: "."), currency: desk.scheme.currency)
        if amount == nil || (amount?.cents ?? 0) <= 0 { errors.add(.invalid("amount", "validation_amount")) }
        let day = Day(input.paidOn.trimmingWhitespace())
        if day == nil { errors.add(.invalid("paidOn", "validation_day")) } else if let day, day > desk.today { errors.add(.invalid("paidOn", "validation_day_future")) }
        let reference = input.reference.trimmingWhitespace()
        if reference.count > 120 { errors.add(.invalid("reference", "validation_too_long", ["max": "120"])) }
        try errors.throwIfAny()
        guard let amount, let day else { throw AppError.notFound }
        return try await desk.storage.db.transaction { db in
            guard let invoice = try await Invoice.find(invoiceID, on: db), invoice.kind != .creditNote else { throw AppError.notFound }
            // The provider retries a call it did not see answered: the same reference is the same payment.
            if source == "webhook", try await Payment.query(on: db).filter(\.$source == "webhook").filter(\.$reference == reference).first() != nil {
                return invoice
            }
            guard invoice.status == .open else {
                throw AppError.conflict("invoice_closed", "invoice_closed", ["number": invoice.number])
            }
            let payment = Payment()
            payment.$invoice.id = invoiceID
            payment.amountCents = amount.cents
            payment.paidOn = day.description
            payment.reference = reference
            payment.source = source
            payment.recordedBy = actor.userID
            payment.createdAt = desk.clock.now()
            try await payment.create(on: db)
            let balance = try await balance(of: invoice, on: db)
            try await desk.note("payment.recorded", organisation: invoice.$organisation.id, application: invoice.applicationID, actor: actor,
                                detail: ["invoice": invoice.number, "amount": "\(amount.cents)", "open": "\(balance.open)", "source": source], on: db)
            if balance.open <= 0 {
                invoice.statusRaw = Invoice.Status.paid.rawValue
                invoice.settledOn = day.description
                try await invoice.save(on: db)
                try await onSettled(invoice, db)
            }
            return invoice
        }
    }

    /// Closes what is left to pay on an invoice with a credit note (a correction, or a fee that no
    /// longer applies). The credit note has its own number in the same series.
    func credit(_ invoiceID: UUID, reason: String, by actor: Record.Actor, on db: any Database) async throws -> Invoice {
        guard let invoice = try await Invoice.find(invoiceID, on: db), invoice.kind != .creditNote else { throw AppError.notFound }
        guard invoice.status == .open else { throw AppError.conflict("invoice_closed", "invoice_closed", ["number": invoice.number]) }
        let open = try await balance(of: invoice, on: db).open
        let vat = invoice.grossCents == 0 ? 0 : (open * invoice.vatCents * 2 + invoice.grossCents) / (invoice.grossCents * 2)
        let locale = AppLocale(rawValue: invoice.locale) ?? .fallback
        let line = Line(description: desk.localizer.text("invoice_line_credit", locale, ["number": invoice.number, "reason": reason]), quantity: 1, unitCents: -(open - vat))
        let note = try await issue(kind: .creditNote, organisation: invoice.$organisation.id, membership: invoice.membershipID, application: invoice.applicationID,
                                   lines: [line], net: -(open - vat), vat: -vat, gross: -open, note: reason, credits: invoiceID, on: db)
        invoice.statusRaw = Invoice.Status.credited.rawValue
        invoice.settledOn = desk.today.description
        try await invoice.save(on: db)
        try await desk.note("invoice.credited", organisation: invoice.$organisation.id, application: invoice.applicationID, actor: actor,
                            detail: ["invoice": invoice.number, "credit_note": note.number, "reason": reason], on: db)
        return note
    }

    // MARK: the payment provider's webhook

    /// `Trustmark-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>`.
    static func signature(_ body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.string(mac)
    }

    static func signatureIsValid(_ header: String?, body: Data, secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), case let hex = header.dropFirst(7), hex.count == 64 else { return false }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return false }
            bytes.append(byte)
            index = next
        }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    // MARK: the PDF

    func pdf(_ invoice: Invoice, on db: any Database) async throws -> Data {
        let lines = try await InvoiceLine.query(on: db).filter(\.$invoice.$id == invoice.requireID()).sort(\.$position).all()
        let locale = AppLocale(rawValue: invoice.locale) ?? .fallback
        var reference: String?
        if let credited = invoice.creditsInvoiceID, let original = try await Invoice.find(credited, on: db) { reference = original.number }
        let document = DocumentWriter.Invoice(
            number: invoice.number, date: Day(invoice.issuedOn).map { $0.midday(in: desk.timeZone) } ?? invoice.createdAt,
            due: Day(invoice.dueOn).map { $0.midday(in: desk.timeZone) } ?? invoice.createdAt,
            buyer: invoice.buyer, buyerDetails: invoice.buyerDetails.split(separator: "\n").map(String.init),
            lines: lines.map { .init(description: $0.description, quantity: $0.quantity, unitPrice: Money(cents: $0.unitCents, currency: invoice.currency)) },
            vatRate: Percentage(basisPoints: invoice.vatBasisPoints), reference: reference,
            totals: (invoice.netCents, invoice.vatCents, invoice.grossCents), creditNote: invoice.kind == .creditNote)
        return desk.writer.invoice(document, locale: locale)
    }
}
