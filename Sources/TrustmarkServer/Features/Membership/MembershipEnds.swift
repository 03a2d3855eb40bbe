import FluentKit
import Foundation
import TrustmarkCore

/// How an application or a membership ends: cancellation with the scheme's listing and fee,
/// termination, bankruptcy, and the end after a refused rule change.
extension MembershipsService {
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
    func publish(event: String, organisation: UUID, shops: [Shop], delistInvoice: Invoice?, until: String? = nil, on db: any Database) async throws -> String? {
        try await publish(event: event, organisation: organisation, entries: shops.map { ($0.name, $0.domains.map(\.domain)) }, delistInvoice: delistInvoice,
                          until: until, on: db)
    }

    /// The same for names and sites that are no member's shops (a party using the seal without right).
    func publish(event: String, organisation: UUID, entries: [(name: String, domains: [String])], delistInvoice: Invoice?, until: String? = nil,
                 on db: any Database) async throws -> String? {
        guard event != MembershipEnd.voluntaryTermination.rawValue, let sanctions = desk.scheme.sanctions,
              let list = sanctions.publication[event], list != SanctionRules.never, sanctions.lists.contains(where: { $0.id == list }) else { return nil }
        let delistOnPayment = sanctions.delisting[list] == "investigation_invoice_paid"
        for entry in entries {
            let listing = PublicListing()
            listing.listID = list
            listing.$organisation.id = organisation
            listing.shopName = entry.name
            listing.domains = entry.domains.joined(separator: ", ")
            listing.event = event
            listing.listedOn = desk.today.description
            listing.delistInvoiceID = delistOnPayment ? delistInvoice?.id : nil
            listing.until = until
            try await listing.create(on: db)
        }
        return list
    }

    /// Takes the organisation's listings for `event` off their list today (only the one naming `name`,
    /// when given).
    func delist(organisation: UUID, event: String, name: String? = nil, on db: any Database) async throws {
        var query = PublicListing.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$event == event).filter(\.$delistedOn == nil)
        if let name { query = query.filter(\.$shopName == name) }
        try await query.set(\.$delistedOn, to: desk.today.description).update()
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
        let previous = membership.notifiedStanding
        membership.endedOn = desk.today.description
        membership.endReason = reason.rawValue
        membership.notifiedStanding = "ended"
        try await membership.save(on: db)
        try await WebhookEvents.statusChanged(organisation: organisation, from: previous, to: "ended", now: desk.clock.now(), on: db)
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

    /// An appeal set aside the revocation that ended the membership: it runs again as before, the
    /// shops it ended (and their domains, where no other shop took them) are back, and the listing
    /// comes down. Renewal invoices credited at the end stay credited; finance bills anew.
    func reinstate(organisation: UUID, endedBy reason: MembershipEnd, by actor: Record.Actor, on db: any Database) async throws {
        guard let membership = try await membership(of: organisation, on: db), membership.endReason == reason.rawValue, let endedOn = membership.endedOn else { return }
        membership.endedOn = nil
        membership.endReason = nil
        // The appeal's decision tells the member; no separate mail about the seal.
        membership.notifiedStanding = try desk.rules().standing(membership.facts, today: desk.today).code
        try await membership.save(on: db)
        try await WebhookEvents.statusChanged(organisation: organisation, from: "ended", to: membership.notifiedStanding, now: desk.clock.now(), on: db)
        let shops = try await Shop.query(on: db).filter(\.$organisation.$id == organisation).filter(\.$stateRaw == Shop.State.ended.rawValue)
            .filter(\.$endedOn == endedOn).filter(\.$endReason == reason.rawValue).with(\.$domains).all()
        for shop in shops {
            shop.stateRaw = (shop.approvedOn == nil ? Shop.State.applying : Shop.State.approved).rawValue
            shop.endedOn = nil
            shop.endReason = nil
            try await shop.save(on: db)
            for domain in shop.domains where domain.releasedAt != nil {
                let taken = try await ShopDomain.query(on: db).filter(\.$domain == domain.domain).filter(\.$releasedAt == nil).first() != nil
                if !taken {
                    domain.releasedAt = nil
                    try await domain.save(on: db)
                }
            }
        }
        if let org = try await Organisation.find(organisation, on: db) {
            org.membershipEndedAt = nil
            org.membershipEndReason = nil
            try await org.save(on: db)
        }
        try await delist(organisation: organisation, event: reason.rawValue, on: db)
        try await desk.note("membership.reinstated", organisation: organisation, actor: actor, detail: ["reason": reason.rawValue], on: db)
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
}
