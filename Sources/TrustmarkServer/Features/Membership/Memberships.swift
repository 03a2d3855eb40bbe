import Crypto
import FluentKit
import Foundation
import TrustmarkCore

/// From approval on: the contract, the first and renewal invoices, the seal right, cancellation
/// with its public listing, termination, and the daily check that moves all of it along.
struct MembershipsService: Sendable {
    let desk: MembershipDesk

    /// The daily job that runs `sweep()`.
    static let dailyKind = "membership.daily"

    var invoices: InvoicesService {
        InvoicesService(desk: desk, onSettled: { invoice, db in try await self.settled(invoice, on: db) })
    }

    func find(_ id: UUID, on db: any Database) async throws -> Membership {
        guard let membership = try await Membership.find(id, on: db) else { throw AppError.notFound }
        return membership
    }

    func membership(of organisation: UUID, on db: any Database) async throws -> Membership? {
        try await Membership.query(on: db).filter(\.$organisation.$id == organisation).first()
    }

    func standing(_ membership: Membership) throws -> SealStanding {
        try desk.rules().standing(membership.facts, today: desk.today)
    }

    /// Whether a shop may show the seal today: its membership's standing, and for an extra shop
    /// its own invoice when the scheme asks for payment.
    func mayShowSeal(_ shop: Shop, membership: Membership?, on db: any Database) async throws -> Bool {
        guard shop.state == .approved, let membership, try standing(membership).mayShowSeal else { return false }
        if let invoiceID = shop.extraInvoiceID, try desk.rules().sealRequires.contains(.payment),
           let invoice = try await Invoice.find(invoiceID, on: db), invoice.status != .paid {
            return false
        }
        return true
    }

    // MARK: approval

    func approved(_ application: MembershipApplication, shops: [Shop], on db: any Database) async throws {
        let rules = try desk.rules()
        let organisation = application.$organisation.id
        let today = desk.today
        switch application.kind {
        case .membership:
            let membership = Membership()
            membership.$organisation.id = organisation
            membership.$application.id = try application.requireID()
            membership.approvedOn = today.description
            membership.notifiedStanding = "awaiting"
            membership.createdAt = desk.clock.now()
            if let start = rules.termStart(approvedOn: today, conditionsMetOn: nil) {
                membership.termStart = start.description
                membership.paidThrough = start.adding(rules.term).description
            }
            if rules.sealRequires.contains(.signedContract) {
                let pdf = try await contractPDF(organisation: organisation, shops: shops, on: db)
                membership.contractPDF = pdf
                membership.contractSHA256 = SHA256.hash(data: pdf).map { String(format: "%02x", $0) }.joined()
                membership.contractCodeVersion = desk.scheme.codeOfConduct.version
            }
            try await membership.create(on: db)
            let fees = FeeCalculation(rules: rules, vatRate: desk.scheme.vatRate, shops: shops.count, renewal: false)
            if fees.gross.cents > 0 {
                let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
                let period = membership.termStart.flatMap(Day.init).map { ($0, $0.adding(rules.term)) }
                _ = try await invoices.issue(kind: .membership, organisation: organisation, membership: membership.id, application: application.id,
                                             lines: invoices.lines(fees, shops: shops.map(\.name), locale: locale, period: period),
                                             net: fees.net.cents, vat: fees.vat.cents, gross: fees.gross.cents, period: period, on: db)
            } else {
                membership.firstPaidOn = today.description
            }
            let needsContract = membership.contractPDF != nil, payable = fees.gross.cents > 0
            try await desk.mail(organisation, subject: "mail_approved_subject", body: "mail_approved_body", { locale in
                var steps: [String] = []
                if needsContract { steps.append(desk.localizer.text("approved_step_sign", locale)) }
                if payable { steps.append(desk.localizer.text("approved_step_pay", locale)) }
                return ["steps": steps.map { "- " + $0 }.joined(separator: "\n")]
            }, kind: "decision", on: db)
            _ = try await refresh(membership, on: db)
        case .extraShop:
            if let fee = rules.extraShopFee, fee.cents > 0 {
                let fees = FeeCalculation(lines: [.init(kind: .extraShop, quantity: shops.count, unitPrice: fee)], vatRate: desk.scheme.vatRate,
                                          pricesIncludeVAT: rules.feesIncludeVAT, currency: fee.currency)
                let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
                let invoice = try await invoices.issue(kind: .extraShop, organisation: organisation, membership: try await membership(of: organisation, on: db)?.id,
                                                       application: application.id, lines: invoices.lines(fees, shops: [""] + shops.map(\.name), locale: locale, period: nil),
                                                       net: fees.net.cents, vat: fees.vat.cents, gross: fees.gross.cents, on: db)
                for shop in shops {
                    shop.extraInvoiceID = invoice.id
                    try await shop.save(on: db)
                }
            }
            try await desk.mail(organisation, subject: "mail_shop_approved_subject", body: "mail_shop_approved_body", { _ in
                ["shops": shops.map(\.name).joined(separator: ", ")]
            }, kind: "decision", on: db)
        case .recheck:
            try await desk.mail(organisation, subject: "mail_recheck_passed_subject", body: "mail_recheck_passed_body", { _ in [:] }, kind: "decision", on: db)
        }
    }

    func contractPDF(organisation: UUID, shops: [Shop], on db: any Database) async throws -> Data {
        let rules = try desk.rules()
        guard let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first() else { throw AppError.notFound }
        let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
        let facts = SchemeFacts(localizer: desk.localizer)
        let t = { (key: String, args: [String: String]) in desk.localizer.text(key, locale, args) }
        var terms = [
            t("contract_term_code", ["version": desk.scheme.codeOfConduct.version, "scheme": desk.scheme.name]),
            t("contract_term_fee", ["fee": SchemeFacts.money(rules.annualFee, locale), "term": facts.period(rules.term, locale)]),
            t("contract_term_seal", [:]),
            t(rules.termination == .anyTime ? "contract_term_end_any_time" : "contract_term_end_after_first", ["term": facts.period(rules.term, locale)]),
        ]
        if let fee = rules.extraShopFee { terms.insert(t("contract_term_extra_shop", ["fee": SchemeFacts.money(fee, locale)]), at: 2) }
        let domains = shops.map { shop in shop.name + " (" + shop.domains.map(\.domain).joined(separator: ", ") + ")" }
        return desk.writer.contract(.init(member: registration.legalName, memberDetails: registration.details, shops: domains,
                                          codeVersion: desk.scheme.codeOfConduct.version, terms: terms, date: desk.clock.now(), copies: rules.contractCopies),
                                    locale: locale)
    }

    // MARK: the contract

    func sign(_ id: UUID, name: String, address: String, by actor: Identity) async throws -> Membership {
        let name = name.trimmingWhitespace()
        if name.isEmpty { throw AppError.invalid("name", "validation_required") }
        if name.count > 120 { throw AppError.invalid("name", "validation_too_long", ["max": "120"]) }
        return try await desk.storage.db.transaction { db in
            let membership = try await find(id, on: db)
            try desk.checkOwn(membership.$organisation.id, actor)
            guard membership.contractPDF != nil, membership.endedOn == nil else { throw AppError.conflict("no_contract", "contract_none") }
            guard membership.memberSignedAt == nil else { throw AppError.conflict("already_signed", "contract_already_signed") }
            membership.memberSignedName = name
            membership.memberSignedAt = desk.clock.now()
            membership.memberSignedIP = address
            if membership.staffSignedAt != nil { membership.contractCompletedOn = desk.today.description }
            try await desk.note("contract.signed", organisation: membership.$organisation.id, application: membership.$application.id, actor: .init(actor),
                                detail: ["name": name, "ip": address, "sha256": membership.contractSHA256 ?? ""], on: db)
            _ = try await refresh(membership, on: db)
            return membership
        }
    }

    func countersign(_ id: UUID, by actor: Identity) async throws -> Membership {
        try await desk.storage.db.transaction { db in
            let membership = try await find(id, on: db)
            guard membership.contractPDF != nil, membership.endedOn == nil else { throw AppError.conflict("no_contract", "contract_none") }
            guard membership.staffSignedAt == nil else { throw AppError.conflict("already_signed", "contract_already_signed") }
            membership.staffSignedBy = actor.userID
            membership.staffSignedAt = desk.clock.now()
            if membership.memberSignedAt != nil { membership.contractCompletedOn = desk.today.description }
            try await desk.note("contract.countersigned", organisation: membership.$organisation.id, application: membership.$application.id,
                                actor: .init(actor), detail: ["by": actor.displayName], on: db)
            _ = try await refresh(membership, on: db)
            return membership
        }
    }

    // MARK: standing

    /// Works out the standing, fixes the term once the scheme's start is known, and tells the
    /// member when the seal right starts, is lost or comes back.
    func refresh(_ membership: Membership, on db: any Database) async throws -> SealStanding {
        let rules = try desk.rules()
        if membership.termStart == nil, case .success(let met) = rules.conditionsMet(membership.facts), let approved = Day(membership.approvedOn),
           let start = rules.termStart(approvedOn: approved, conditionsMetOn: met) {
            membership.termStart = start.description
            membership.paidThrough = start.adding(rules.term).description
        }
        let standing = rules.standing(membership.facts, today: desk.today)
        let previous = membership.notifiedStanding
        if standing.code != previous {
            membership.notifiedStanding = standing.code
            let organisation = membership.$organisation.id
            switch standing {
            case .scheduled(let from):
                try await desk.mail(organisation, subject: "mail_seal_scheduled_subject", body: "mail_seal_scheduled_body", { locale in
                    ["from": desk.dayText(from, locale)]
                }, kind: "seal", on: db)
            case .active(let until):
                let key = previous == "lapsed" ? "mail_seal_restored" : "mail_seal_active"
                try await desk.mail(organisation, subject: key + "_subject", body: key + "_body", { locale in
                    ["until": desk.dayText(until.adding(days: -1), locale), "seal": desk.baseURL + "/portal/membership"]
                }, kind: "seal", on: db)
            case .lapsed(let since):
                try await desk.mail(organisation, subject: "mail_seal_lapsed_subject", body: "mail_seal_lapsed_body", { locale in
                    ["since": desk.dayText(since, locale)]
                }, kind: "seal", on: db)
            case .awaiting, .ended:
                break
            }
            try await desk.note("membership.standing", organisation: organisation, application: membership.$application.id, actor: .system,
                                detail: ["from": previous, "to": standing.code], on: db)
        }
        try await membership.save(on: db)
        return standing
    }

    /// A settled invoice moves its membership on.
    func settled(_ invoice: Invoice, on db: any Database) async throws {
        switch invoice.kind {
        case .membership:
            guard let id = invoice.membershipID, let membership = try await Membership.find(id, on: db) else { return }
            membership.firstPaidOn = invoice.settledOn
            _ = try await refresh(membership, on: db)
        case .renewal:
            guard let id = invoice.membershipID, let membership = try await Membership.find(id, on: db), let end = invoice.periodEnd.flatMap(Day.init) else { return }
            if (membership.paidThrough.flatMap(Day.init) ?? end) <= end { membership.paidThrough = end.description }
            try await desk.note("membership.renewed", organisation: membership.$organisation.id, actor: .system, detail: ["until": end.description], on: db)
            _ = try await refresh(membership, on: db)
        case .oneTime:
            let listings = try await PublicListing.query(on: db).filter(\.$delistInvoiceID == invoice.id).filter(\.$delistedOn == nil).all()
            for listing in listings {
                listing.delistedOn = desk.today.description
                try await listing.save(on: db)
                try await desk.note("listing.removed", organisation: listing.$organisation.id, actor: .system,
                                    detail: ["list": listing.listID, "shop": listing.shopName, "invoice": invoice.number], on: db)
            }
        case .extraShop, .creditNote:
            break
        }
    }

    // MARK: cancellation and listing

    /// An approved application that did not become a membership: by the applicant's or staff's
    /// cancellation, an unreturned contract or an unpaid invoice (KeurOnline article 16a). The
    /// shops go on the list the scheme names for the event and the scheme's one-time fee for it is
    /// invoiced; paying that fee takes the listing down where the scheme says so.
    func cancel(_ application: MembershipApplication, event: CancellationEvent, by actor: Record.Actor, on db: any Database) async throws {
        let rules = try desk.rules()
        guard application.state.allows(.cancelled) else {
            throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw])
        }
        let organisation = application.$organisation.id
        if application.kind == .membership, let membership = try await membership(of: organisation, on: db) {
            guard case .awaiting = try standing(membership) else { throw AppError.conflict("already_member", "cancel_already_member") }
            membership.endedOn = desk.today.description
            membership.endReason = event.rawValue
            membership.notifiedStanding = "ended"
            try await membership.save(on: db)
        }
        application.stateRaw = ApplicationState.cancelled.rawValue
        application.stateChangedAt = desk.clock.now()
        application.endEvent = event.rawValue
        try await application.save(on: db)
        for invoice in try await Invoice.query(on: db).filter(\.$applicationID == application.id).filter(\.$statusRaw == Invoice.Status.open.rawValue).all() {
            _ = try await invoices.credit(try invoice.requireID(), reason: desk.localizer.text("cancel_reason_\(event.rawValue)", AppLocale(rawValue: invoice.locale) ?? .fallback),
                                          by: actor, on: db)
        }
        var feeInvoice: Invoice?
        let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
        for fee in rules.oneTimeFees where fee.chargedWhen == CancellationEvent.applicationCancelled.rawValue {
            let fees = FeeCalculation(oneTime: fee, rules: rules, vatRate: desk.scheme.vatRate)
            feeInvoice = try await invoices.issue(kind: .oneTime, organisation: organisation, membership: nil, application: application.id,
                                                  lines: invoices.lines(fees, shops: [], locale: locale, period: nil, oneTime: fee),
                                                  net: fees.net.cents, vat: fees.vat.cents, gross: fees.gross.cents, note: fee.id, on: db)
        }
        let shops = try await Shop.query(on: db).filter(\.$application.$id == application.requireID()).with(\.$domains).all()
        let list = try await publish(event: event.rawValue, organisation: organisation, shops: shops, delistInvoice: feeInvoice, on: db)
        for shop in shops {
            shop.stateRaw = Shop.State.cancelled.rawValue
            shop.endReason = event.rawValue
            shop.endedOn = desk.today.description
            try await shop.save(on: db)
            try await releaseDomains(of: shop, on: db)
        }
        try await desk.note("application.cancelled", organisation: organisation, application: application.id, actor: actor,
                            detail: ["event": event.rawValue, "list": list ?? "-", "fee_invoice": feeInvoice?.number ?? "-"], on: db)
        let feeNumber = feeInvoice?.number, listName = list.flatMap { id in desk.scheme.sanctions?.lists.first { $0.id == id } }
        try await desk.mail(organisation, subject: "mail_cancelled_subject", body: "mail_cancelled_body", { locale in
            var lines = [desk.localizer.text("cancel_reason_\(event.rawValue)", locale)]
            if let listName { lines.append(desk.localizer.text("cancel_listed", locale, ["list": desk.active.text(listName.name, locale)])) }
            if let feeNumber { lines.append(desk.localizer.text("cancel_fee", locale, ["number": feeNumber])) }
            return ["reasons": lines.joined(separator: "\n")]
        }, kind: "cancellation", on: db)
    }

    /// Puts the shops on the list the scheme's `publication` names for `event`; returns the list id.
    func publish(event: String, organisation: UUID, shops: [Shop], delistInvoice: Invoice?, on db: any Database) async throws -> String? {
        guard event != MembershipEnd.voluntaryTermination.rawValue, let sanctions = desk.scheme.sanctions,
              let list = sanctions.publication[event], list != SanctionRules.never, sanctions.lists.contains(where: { $0.id == list }) else { return nil }
        let delistOnPayment = sanctions.delisting[list] == "investigation_invoice_paid"
        for shop in shops {
            let listing = PublicListing()
            listing.listID = list
            listing.$organisation.id = organisation
            listing.shopName = shop.name
            listing.domains = shop.domains.map(\.domain).joined(separator: ", ")
            listing.event = event
            listing.listedOn = desk.today.description
            listing.delistInvoiceID = delistOnPayment ? delistInvoice?.id : nil
            try await listing.create(on: db)
        }
        return list
    }

    func releaseDomains(of shop: Shop, on db: any Database) async throws {
        try await ShopDomain.query(on: db).filter(\.$shop.$id == shop.requireID()).filter(\.$releasedAt == nil).set(\.$releasedAt, to: desk.clock.now()).update()
    }

    // MARK: the end of a membership

    /// The member leaves: at once, or at the end of the term where the scheme allows only that;
    /// never a refund and never a listing (KeurOnline articles 21 and 24).
    func terminate(organisation: UUID, by actor: Identity) async throws -> Membership {
        let rules = try desk.rules()
        try desk.checkOwn(organisation, actor)
        return try await desk.storage.db.transaction { db in
            guard let membership = try await membership(of: organisation, on: db), membership.endedOn == nil else {
                throw AppError.conflict("not_a_member", "terminate_not_member")
            }
            guard membership.endsOn == nil else { throw AppError.conflict("already_terminated", "terminate_already") }
            if rules.termination == .endOfTermAfterFirst, let paidThrough = membership.paidThrough.flatMap(Day.init), paidThrough > desk.today,
               case .active = try standing(membership) {
                membership.endsOn = paidThrough.description
                try await membership.save(on: db)
                try await desk.note("membership.termination_announced", organisation: organisation, actor: .init(actor), detail: ["ends_on": paidThrough.description], on: db)
                try await desk.mail(organisation, subject: "mail_terminated_subject", body: "mail_terminated_later_body", { locale in
                    ["date": desk.dayText(paidThrough, locale)]
                }, kind: "termination", on: db)
                return membership
            }
            try await end(membership, reason: .voluntaryTermination, by: .init(actor), on: db)
            return membership
        }
    }

    /// Ends a membership today: the seal right goes, the shops release their domains, open
    /// renewal invoices are credited (nothing already paid is refunded), and the scheme's list for
    /// the reason is applied (never for a voluntary termination).
    func end(_ membership: Membership, reason: MembershipEnd, by actor: Record.Actor, notify: Bool = true, on db: any Database) async throws {
        let organisation = membership.$organisation.id
        membership.endedOn = desk.today.description
        membership.endReason = reason.rawValue
        membership.notifiedStanding = "ended"
        try await membership.save(on: db)
        for invoice in try await Invoice.query(on: db).filter(\.$membershipID == membership.id).filter(\.$kindRaw == Invoice.Kind.renewal.rawValue)
            .filter(\.$statusRaw == Invoice.Status.open.rawValue).all() {
            _ = try await invoices.credit(try invoice.requireID(), reason: desk.localizer.text("end_reason_\(reason.rawValue)", AppLocale(rawValue: invoice.locale) ?? .fallback),
                                          by: actor, on: db)
        }
        let shops = try await Shop.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$stateRaw ~~ [Shop.State.approved.rawValue, Shop.State.applying.rawValue])
            .with(\.$domains).all()
        let list = try await publish(event: reason.rawValue, organisation: organisation, shops: shops.filter { $0.state == .approved }, delistInvoice: nil, on: db)
        for shop in shops {
            shop.stateRaw = Shop.State.ended.rawValue
            shop.endedOn = desk.today.description
            shop.endReason = reason.rawValue
            try await shop.save(on: db)
            try await releaseDomains(of: shop, on: db)
        }
        if let org = try await Organisation.find(organisation, on: db) {
            org.membershipEndedAt = desk.clock.now()
            org.membershipEndReason = reason.rawValue
            try await org.save(on: db)
        }
        try await desk.note("membership.ended", organisation: organisation, actor: actor, detail: ["reason": reason.rawValue, "list": list ?? "-"], on: db)
        guard notify else { return }
        try await desk.mail(organisation, subject: "mail_terminated_subject", body: "mail_ended_body", { locale in
            ["reason": desk.localizer.text("end_reason_\(reason.rawValue)", locale)]
        }, kind: "termination", on: db)
    }

    /// A refused far-reaching rule change ended the membership (the rule-change feature mails the member).
    func endAfterRuleChange(organisation: UUID, on db: any Database) async throws {
        guard let membership = try await membership(of: organisation, on: db), membership.endedOn == nil else { return }
        try await end(membership, reason: .ruleChangeRefused, by: .system, notify: false, on: db)
    }

    /// Bankruptcy or the end of the business ends the membership at once (KeurOnline article 21).
    func bankruptcy(organisation: UUID, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            guard let membership = try await membership(of: organisation, on: db), membership.endedOn == nil else {
                throw AppError.conflict("not_a_member", "terminate_not_member")
            }
            try await end(membership, reason: .bankruptcy, by: .init(actor), on: db)
        }
    }

    // MARK: the daily check

    private enum SweepOutcome: Sendable { case nothing, ended, cancelled, renewed }

    struct SweepReport: Sendable, Equatable {
        var renewalInvoices = 0
        var cancellations = 0
        var reminders = 0
        var ended = 0
    }

    /// Everything that falls due with the passing of days, idempotent so it can run any number of
    /// times a day and catch up after days without a run.
    @discardableResult
    func sweep() async throws -> SweepReport {
        guard let rules = desk.scheme.membership else { return SweepReport() }
        var report = SweepReport()
        let today = desk.today
        let memberships = try await Membership.query(on: desk.storage.db).filter(\.$endedOn == nil).all()
        for id in memberships.compactMap(\.id) {
            let outcome = try await desk.storage.db.transaction { db -> SweepOutcome in
                guard let membership = try await Membership.find(id, on: db), membership.endedOn == nil else { return .nothing }
                if let endsOn = membership.endsOn.flatMap(Day.init), endsOn <= today {
                    try await end(membership, reason: .voluntaryTermination, by: .system, on: db)
                    return .ended
                }
                let standing = try standing(membership)
                if case .awaiting(let missing) = standing, let application = try await MembershipApplication.find(membership.$application.id, on: db), application.state == .approved {
                    let approved = Day(membership.approvedOn) ?? today
                    if missing.contains(.signedContract), membership.memberSignedAt == nil,
                       approved.adding(rules.contractReturnTerm, calendar: desk.calendar) < today {
                        try await cancel(application, event: .contractNotReturned, by: .system, on: db)
                        return .cancelled
                    }
                    if missing.contains(.payment), let invoice = try await Invoice.query(on: db).filter(\.$membershipID == id)
                        .filter(\.$kindRaw == Invoice.Kind.membership.rawValue).filter(\.$statusRaw == Invoice.Status.open.rawValue).first(),
                       let due = Day(invoice.dueOn), due.adding(rules.paymentTerm, calendar: desk.calendar) < today {
                        try await cancel(application, event: .invoiceNotPaid, by: .system, on: db)
                        return .cancelled
                    }
                }
                if membership.endsOn == nil, let paidThrough = membership.paidThrough.flatMap(Day.init), standing.code != "awaiting",
                   today >= paidThrough.subtracting(rules.renewalInvoiceBefore),
                   try await Invoice.query(on: db).filter(\.$membershipID == id).filter(\.$kindRaw == Invoice.Kind.renewal.rawValue)
                    .filter(\.$periodStart == paidThrough.description).first() == nil {
                    try await renew(membership, from: paidThrough, on: db)
                    _ = try await refresh(membership, on: db)
                    return .renewed
                }
                _ = try await refresh(membership, on: db)
                return .nothing
            }
            switch outcome {
            case .ended: report.ended += 1
            case .cancelled: report.cancellations += 1
            case .renewed: report.renewalInvoices += 1
            case .nothing: break
            }
        }
        report.reminders += try await remindFixes(rules, today: today)
        report.reminders += try await remindInvoices(today: today)
        return report
    }

    /// The renewal invoice for the next term; a term that costs nothing renews at once.
    func renew(_ membership: Membership, from start: Day, on db: any Database) async throws {
        let rules = try desk.rules()
        let organisation = membership.$organisation.id
        let shops = try await Shop.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$stateRaw == Shop.State.approved.rawValue).all()
        let fees = FeeCalculation(rules: rules, vatRate: desk.scheme.vatRate, shops: max(1, shops.count), renewal: true)
        let period = (start, start.adding(rules.term))
        if fees.gross.cents == 0 {
            membership.paidThrough = period.1.description
            try await desk.note("membership.renewed", organisation: organisation, actor: .system, detail: ["until": period.1.description], on: db)
            return
        }
        let locale = try await desk.contact(of: organisation, on: db)?.locale ?? .fallback
        _ = try await invoices.issue(kind: .renewal, organisation: organisation, membership: membership.id, application: nil,
                                     lines: invoices.lines(fees, shops: shops.map(\.name), locale: locale, period: period),
                                     net: fees.net.cents, vat: fees.vat.cents, gross: fees.gross.cents, period: period, on: db)
    }

    private func remindFixes(_ rules: MembershipRules, today: Day) async throws -> Int {
        var count = 0
        let waiting = try await MembershipApplication.query(on: desk.storage.db).filter(\.$stateRaw == ApplicationState.changesRequested.rawValue)
            .filter(\.$fixRemindedAt == nil).all()
        for application in waiting where Day(application.stateChangedAt, in: desk.timeZone).adding(rules.fixReminderAfter, calendar: desk.calendar) <= today {
            try await desk.storage.db.transaction { db in
                application.fixRemindedAt = desk.clock.now()
                try await application.save(on: db)
                try await desk.mail(application.$organisation.id, subject: "mail_fix_reminder_subject", body: "mail_fix_reminder_body", { _ in [:] }, kind: "reminder", on: db)
                try await desk.note("application.fix_reminder", organisation: application.$organisation.id, application: application.id, actor: .system, on: db)
            }
            count += 1
        }
        return count
    }

    private func remindInvoices(today: Day) async throws -> Int {
        var count = 0
        let open = try await Invoice.query(on: desk.storage.db).filter(\.$statusRaw == Invoice.Status.open.rawValue).filter(\.$remindedAt == nil)
            .filter(\.$dueOn < today.description).all()
        for invoice in open {
            try await desk.storage.db.transaction { db in
                invoice.remindedAt = desk.clock.now()
                try await invoice.save(on: db)
                let open = try await invoices.balance(of: invoice, on: db).open
                let number = invoice.number, due = invoice.dueOn
                try await desk.mail(invoice.$organisation.id, subject: "mail_invoice_reminder_subject", body: "mail_invoice_reminder_body", { locale in
                    ["number": number, "amount": desk.money(open, locale), "due": desk.dayText(due, locale) ?? due]
                }, kind: "reminder", on: db)
            }
            count += 1
        }
        return count
    }

    // MARK: the member's own changes

    /// Another shop for an existing member: its own inspection, and the extra-shop fee on approval.
    func addShop(organisation: UUID, _ shop: ApplicationRequest.ShopPart, applications: ApplicationsService, by actor: Identity) async throws -> MembershipApplication {
        try desk.checkOwn(organisation, actor)
        var errors = FormErrors()
        let shops = applications.checkShops([shop], errors: &errors)
        try errors.throwIfAny()
        return try await desk.storage.db.transaction { db in
            guard let membership = try await membership(of: organisation, on: db), membership.endedOn == nil, membership.endsOn == nil else {
                throw AppError.conflict("not_a_member", "terminate_not_member")
            }
            try await applications.checkDomainsFree(shops, on: db)
            let application = try await applications.create(kind: .extraShop, organisation: organisation, shops: shops, on: db)
            try await desk.note("application.submitted", organisation: organisation, application: application.id, actor: .init(actor),
                                detail: ["shops": shops.map(\.0).joined(separator: ", "), "kind": "extra_shop"], on: db)
            return application
        }
    }

    /// New registration data. The scheme judges the member again (KeurOnline article 17:
    /// "zodat KeurOnline deze opnieuw kan beoordelen"): a re-check application joins the queue.
    func updateRegistration(organisation: UUID, _ part: ApplicationRequest.OrganisationPart, applications: ApplicationsService, by actor: Identity) async throws -> MembershipApplication? {
        try desk.checkOwn(organisation, actor)
        var probe = ApplicationRequest(organisation: part, contact: .init(name: "-", email: "a@b.nl"), shops: [.init(name: "-", domains: ["example.org"], variant: nil)],
                                       codeOfConductVersion: desk.scheme.codeOfConduct.version, acceptCodeOfConduct: true)
        probe.language = nil
        let (errors, _) = applications.validate(probe, requireContact: false)
        try errors.throwIfAny()
        return try await desk.storage.db.transaction { db in
            guard let registration = try await Registration.query(on: db).filter(\.$organisation.$id == organisation).first() else { throw AppError.notFound }
            let before = registration.details.joined(separator: " | ") + " | " + registration.legalName
            applications.apply(part, contact: .init(name: registration.contactName, email: registration.contactEmail), to: registration, now: desk.clock.now())
            try await registration.save(on: db)
            try await desk.note("registration.updated", organisation: organisation, actor: .init(actor),
                                detail: ["before": before, "after": registration.details.joined(separator: " | ") + " | " + registration.legalName], on: db)
            guard let membership = try await membership(of: organisation, on: db), membership.endedOn == nil else { return nil }
            if try await MembershipApplication.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$kindRaw == ApplicationKind.recheck.rawValue)
                .filter(\.$stateRaw ~~ ApplicationState.allCases.filter(\.isOpen).map(\.rawValue)).first() != nil {
                return nil
            }
            let application = try await applications.create(kind: .recheck, organisation: organisation, shops: [], on: db)
            try await desk.note("application.submitted", organisation: organisation, application: application.id, actor: .init(actor), detail: ["kind": "recheck"], on: db)
            return application
        }
    }
}
