import FluentKit
import Foundation
import TrustmarkCore

/// The daily check that moves memberships along, and the member's own changes (another shop, new
/// registration data).
extension MembershipsService {
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
        try await proposeForUnpaid(rules, today: today)
        return report
    }

    /// A running member's invoice still open the scheme's payment term after its reminder goes to
    /// the sanctions desk (a first membership invoice cancels the application instead).
    private func proposeForUnpaid(_ rules: MembershipRules, today: Day) async throws {
        let open = try await Invoice.query(on: desk.storage.db).filter(\.$statusRaw == Invoice.Status.open.rawValue).filter(\.$remindedAt != nil)
            .filter(\.$kindRaw != Invoice.Kind.membership.rawValue).filter(\.$dueOn < today.description).all()
        for invoice in open {
            guard let reminded = invoice.remindedAt, Day(reminded, in: desk.timeZone).adding(rules.paymentTerm, calendar: desk.calendar) < today else { continue }
            try await desk.storage.db.transaction { db in
                guard let membership = try await membership(of: invoice.$organisation.id, on: db), membership.endedOn == nil else { return }
                let open = try await invoices.balance(of: invoice, on: db).open
                let locale = AppLocale(rawValue: desk.scheme.defaultLanguage) ?? .fallback
                try await SanctionProposals.raise(organisation: invoice.$organisation.id, shop: nil, source: "invoices", reason: "proposal_reason_invoice",
                                                  evidence: [desk.localizer.text("proposal_evidence_invoice", locale, ["number": invoice.number, "amount": desk.money(open, locale),
                                                                                                                    "due": desk.dayText(invoice.dueOn, locale) ?? invoice.dueOn])], at: desk.clock.now(), on: db)
            }
        }
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
