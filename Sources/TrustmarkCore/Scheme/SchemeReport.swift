import Foundation

/// What `trustmark scheme check` prints for a valid file: the scheme on one screen.
public enum SchemeSummary {
    public static func text(_ scheme: Scheme) -> String {
        let lang = scheme.defaultLanguage
        var lines: [String] = []
        lines.append("\(scheme.name) (\(scheme.id)) - \(scheme.legalEntity), \(scheme.country)")
        lines.append("  languages \(scheme.languages.joined(separator: ", ")); time zone \(scheme.timeZone); holidays \(scheme.calendar.holidays)\(scheme.calendar.region.map { " + \($0)" } ?? ""); VAT \(scheme.vatRate)")
        let code = scheme.codeOfConduct
        let automated = code.criteria.filter { $0.automatedCheck != nil }.count
        lines.append("  code of conduct \(code.version) (\(code.date)): \(code.articles.count) articles, \(code.criteria.count) audit criteria (\(automated) checked automatically)")
        if let m = scheme.membership {
            var fees = "\(m.annualFee) per shop per \(m.term) \(m.feesIncludeVAT ? "incl." : "excl.") VAT"
            if let extra = m.extraShopFee { fees += "; extra shop \(extra)\(m.extraShopFeeRecurring ? " per term" : " once")" }
            for fee in m.oneTimeFees { fees += "; \(fee.id) \(fee.amount) when \(fee.chargedWhen)" }
            lines.append("  fees: \(fees)")
            lines.append("  membership starts \(m.starts.rawValue); seal requires \(m.sealRequires.map(\.rawValue).joined(separator: " + ")); renewal invoice \(m.renewalInvoiceBefore) before expiry; payment term \(m.paymentTerm)")
            lines.append("  inspection by \(m.inspectedBy.rawValue)\(m.inspectionBody.map { " (\($0))" } ?? "")\(m.recheckEvery.map { "; re-check every \($0)" } ?? "")\(m.recheckBeforeRenewal ? " and before renewal" : "")\(m.preCheckRequired ? "; pre-check required" : "")")
        } else {
            lines.append("  membership: not run by this scheme")
        }
        lines.append("  seal variants: " + scheme.seal.variants.map { "\($0.id) \($0.colour)\($0.isDefault ? " (default)" : "")" }.joined(separator: ", "))
        if !scheme.seal.tiers.isEmpty {
            lines.append("  tiers: " + scheme.seal.tiers.map { "\($0.id) from \($0.minimumRatings) ratings averaging \(Money(cents: $0.minimumAverage, currency: "").plain)" }.joined(separator: ", "))
        }
        if let c = scheme.complaints {
            var text = "  complaints: shop answers within \(c.shopAnswerDeadline)"
            if let wait = c.shopFirstWait { text += "; consumer first contacts the shop and waits \(wait)" }
            if let handling = c.handlingDeadline { text += "; handled within \(handling)" }
            if let dispute = c.disputeBody { text += "; disputes to \(dispute.name)\(dispute.fee.map { " (\($0))" } ?? "")" }
            lines.append(text)
        }
        if let s = scheme.sanctions {
            var parts: [String] = []
            if let p = s.improvementPeriodMax { parts.append("improvement up to \(p)") }
            if let p = s.summonsDeadline { parts.append("summons \(p)") }
            if let p = s.suspensionMax { parts.append("suspension up to \(p)") }
            parts.append("lists " + s.lists.map { scheme.text($0.name, lang) }.joined(separator: ", "))
            lines.append("  sanctions: " + parts.joined(separator: "; "))
        }
        if let r = scheme.reviews {
            lines.append("  reviews: \(r.criteria.map(\.id).joined(separator: ", ")) on \(r.scaleMinimum)-\(r.scaleMaximum) over \(r.window); flags capped at \(r.flagCapPerMonth)/month")
            if !r.ladder.isEmpty {
                lines.append("  fraud ladder: " + r.ladder.enumerated().map { "\($0.offset + 1). \($0.element.action.rawValue)\($0.element.duration.map { " \($0)" } ?? "")" }.joined(separator: ", ") + (r.staffMayDeviate ? " (staff may deviate)" : ""))
            }
        }
        if let rc = scheme.ruleChanges {
            lines.append("  rule changes: far-reaching ones get \(rc.farReachingTransition) transition; members told by \(rc.notify.joined(separator: " and "))")
        }
        return lines.joined(separator: "\n")
    }
}

/// What changed between two versions of a scheme, article by article.
public enum SchemeDiff {
    public enum Change: Equatable, Sendable {
        case added(String)
        case removed(String)
        case changed(String, fields: [String])
        case setting(String)
    }

    public static func changes(from old: Scheme, to new: Scheme) -> [Change] {
        var changes: [Change] = []
        let oldCode = old.codeOfConduct, newCode = new.codeOfConduct
        for article in newCode.articles {
            guard let before = oldCode.article(article.number) else { changes.append(.added(article.number)); continue }
            var fields: [String] = []
            if before.title != article.title { fields.append("title") }
            if before.text != article.text { fields.append("text") }
            if !fields.isEmpty { changes.append(.changed(article.number, fields: fields)) }
        }
        for article in oldCode.articles where newCode.article(article.number) == nil { changes.append(.removed(article.number)) }
        if oldCode.criteria != newCode.criteria { changes.append(.setting("audit criteria")) }
        let sections: [(String, Bool)] = [
            ("membership and fees", old.membership == new.membership), ("seal variants and tiers", old.seal == new.seal),
            ("complaints", old.complaints == new.complaints), ("sanctions", old.sanctions == new.sanctions),
            ("reviews", old.reviews == new.reviews), ("rule changes", old.ruleChanges == new.ruleChanges),
            ("calendar", old.calendar == new.calendar), ("VAT rate", old.vatRate == new.vatRate),
        ]
        for (name, same) in sections where !same { changes.append(.setting(name)) }
        return changes
    }

    /// The text `trustmark scheme diff` prints.
    public static func text(from old: Scheme, to new: Scheme) -> String {
        let lang = new.defaultLanguage
        let changes = changes(from: old, to: new)
        guard !changes.isEmpty else { return "No differences between code of conduct \(old.codeOfConduct.version) and \(new.codeOfConduct.version)." }
        var lines = ["Code of conduct \(old.codeOfConduct.version) -> \(new.codeOfConduct.version):"]
        for change in changes {
            switch change {
            case .added(let number):
                lines.append("  + article \(number) \(new.text(new.codeOfConduct.article(number)!.title, lang)) (new)")
            case .removed(let number):
                lines.append("  - article \(number) \(old.text(old.codeOfConduct.article(number)!.title, lang)) (removed)")
            case .changed(let number, let fields):
                let article = new.codeOfConduct.article(number)!
                lines.append("  ~ article \(number) \(new.text(article.title, lang)): \(fields.joined(separator: " and ")) changed")
                if fields.contains("text") {
                    lines.append("      was: \(old.text(old.codeOfConduct.article(number)!.text, lang))")
                    lines.append("      now: \(new.text(article.text, lang))")
                }
            case .setting(let name):
                lines.append("  ~ \(name) changed")
            }
        }
        return lines.joined(separator: "\n")
    }
}
