import Foundation
import Yams

/// Readers for the optional sections of a scheme file.
enum SchemeSections {
    static let membershipKeys = [
        "annual_fee", "fees_include_vat", "extra_shop_fee", "extra_shop_fee_recurring", "one_time_fees", "includes", "guarantee_fund",
        "starts", "term", "renewal_invoice_before", "payment_term", "contract_return_term", "seal_requires", "contract_copies",
        "probation", "recheck_every", "recheck_before_renewal", "pre_check_required", "inspected_by", "inspection_body",
        "fix_reminder_after", "termination", "refund_on_termination",
    ]

    static func membership(_ map: MapReader, languages: [String], currency: String) -> MembershipRules? {
        var fees: [MembershipRules.OneTimeFee] = []
        for (index, item) in map.list("one_time_fees", required: false).enumerated() {
            guard let fee = MapReader(item, path: "membership.one_time_fees[\(index + 1)]", keys: ["id", "name", "amount", "charged_when"], log: map.log) else { continue }
            let id = fee.string("id"), name = fee.localized("name", languages: languages)
            let amount = fee.money("amount", currency: currency), when = fee.string("charged_when")
            if let id, let name, let amount, let when {
                fees.append(.init(id: id, name: name, amount: amount, chargedWhen: when))
            }
        }
        var requires: [MembershipRules.Requirement] = []
        for item in map.list("seal_requires") {
            guard let text = item.scalar?.string, let requirement = MembershipRules.Requirement(rawValue: text) else {
                map.log.add(item, "membership.seal_requires: '\(item.scalar?.string ?? "?")' is not one of \(MembershipRules.Requirement.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            requires.append(requirement)
        }
        let inspectedBy = map.choice("inspected_by", MembershipRules.Inspector.self)
        let body = map.string("inspection_body", required: inspectedBy == .independentBody)
        let copies = map.int("contract_copies", minimum: 1)
        // Every value is read before any is required, so that all problems are reported at once.
        let annual = map.money("annual_fee", currency: currency), includeVAT = map.bool("fees_include_vat")
        let starts = map.choice("starts", MembershipRules.Start.self), term = map.period("term")
        let renewal = map.period("renewal_invoice_before"), payment = map.period("payment_term")
        let contractReturn = map.period("contract_return_term"), reminder = map.period("fix_reminder_after")
        let termination = map.choice("termination", MembershipRules.Termination.self)
        guard let annual, let includeVAT, let starts, let term, let renewal, let payment, let contractReturn, let copies, let inspectedBy,
              let reminder, let termination
        else { return nil }
        if requires.isEmpty { map.log.add(map.position("seal_requires"), "membership.seal_requires must name at least one condition") }
        return MembershipRules(
            annualFee: annual, feesIncludeVAT: includeVAT, extraShopFee: map.money("extra_shop_fee", currency: currency, required: false),
            extraShopFeeRecurring: map.bool("extra_shop_fee_recurring", required: false) ?? false, oneTimeFees: fees,
            includes: map.strings("includes", required: false), guaranteeFund: map.bool("guarantee_fund", required: false) ?? false, starts: starts, term: term,
            renewalInvoiceBefore: renewal, paymentTerm: payment, contractReturnTerm: contractReturn, sealRequires: requires, contractCopies: copies,
            probation: map.period("probation", required: false), recheckEvery: map.period("recheck_every", required: false),
            recheckBeforeRenewal: map.bool("recheck_before_renewal", required: false) ?? false, preCheckRequired: map.bool("pre_check_required", required: false) ?? false,
            inspectedBy: inspectedBy, inspectionBody: body, fixReminderAfter: reminder, termination: termination,
            refundOnTermination: map.bool("refund_on_termination", required: false) ?? false)
    }

    static func seal(_ map: MapReader, languages: [String]) -> SealRules? {
        var variants: [SealRules.Variant] = []
        for (index, item) in map.list("variants").enumerated() {
            guard let entry = MapReader(item, path: "seal.variants[\(index + 1)]", keys: ["id", "name", "colour", "default", "prices_excl_vat", "consumer_notice"], log: map.log) else { continue }
            let id = entry.string("id"), name = entry.localized("name", languages: languages), colour = colour(entry, "colour")
            guard let id, let name, let colour else { continue }
            if variants.contains(where: { $0.id == id }) { map.log.add(entry.position("id"), "seal variant '\(id)' is listed twice"); continue }
            variants.append(.init(id: id, name: name, colour: colour, isDefault: entry.bool("default", required: false) ?? false,
                                  pricesExclVAT: entry.bool("prices_excl_vat", required: false) ?? false,
                                  consumerNotice: entry.localized("consumer_notice", languages: languages, required: false)))
        }
        let defaults = variants.filter(\.isDefault).count
        if !variants.isEmpty, defaults != 1 {
            map.log.add(map.position("variants"), "seal.variants must mark exactly one variant as default: true (found \(defaults))")
        }
        var tiers: [SealRules.Tier] = []
        var basedOn: String?
        if let tierMap = map.map("tiers", keys: ["based_on", "levels"], required: false) {
            basedOn = tierMap.string("based_on")
            for (index, item) in tierMap.list("levels").enumerated() {
                guard let entry = MapReader(item, path: "seal.tiers.levels[\(index + 1)]", keys: ["id", "name", "colour", "minimum_ratings", "minimum_average"], log: map.log) else { continue }
                let id = entry.string("id"), name = entry.localized("name", languages: languages), colour = colour(entry, "colour")
                let count = entry.int("minimum_ratings", minimum: 1), averageText = entry.string("minimum_average")
                guard let id, let name, let colour, let count, let averageText else { continue }
                guard let average = Money.parse(averageText, currency: ""), average.cents > 0 else {
                    map.log.add(entry.position("minimum_average"), "seal.tiers.levels[\(index + 1)].minimum_average must be a number such as 3.5, not '\(averageText)'")
                    continue
                }
                if let previous = tiers.last, count < previous.minimumRatings || average.cents <= previous.minimumAverage {
                    map.log.add(item, "tier '\(id)' must ask more than tier '\(previous.id)' below it (levels go from lowest to highest)")
                }
                tiers.append(.init(id: id, name: name, colour: colour, minimumRatings: count, minimumAverage: average.cents))
            }
        }
        guard !variants.isEmpty else { return nil }
        return SealRules(variants: variants, tiers: tiers, tiersBasedOn: basedOn)
    }

    static func colour(_ map: MapReader, _ key: String) -> String? {
        guard let text = map.string(key) else { return nil }
        guard text.range(of: "^#[0-9a-fA-F]{6}$", options: .regularExpression) != nil else {
            map.log.add(map.position(key), "\(map.name(key)) must be a colour such as #c8102e, not '\(text)'")
            return nil
        }
        return text.lowercased()
    }

    static func referral(_ map: MapReader, _ key: String, languages: [String], required: Bool = false) -> Referral? {
        guard let entry = map.map(key, keys: ["name", "url"], required: required), let name = entry.localized("name", languages: languages) else { return nil }
        return Referral(name: name, url: entry.string("url", required: false))
    }

    static let complaintKeys = [
        "contact_shop_first", "shop_first_wait", "shop_answer_deadline", "handling_deadline", "anonymous_allowed", "non_member_referral",
        "sector_routes", "cross_border_route", "dispute_body", "sanction_threshold", "sanction_window", "statistics_public",
        "confirm_within", "reminder_before", "consumer_reply_deadline", "statistics_window", "retention",
    ]

    static func complaints(_ map: MapReader, languages: [String], currency: String) -> ComplaintRules? {
        var routes: [ComplaintRules.SectorRoute] = []
        for (index, item) in map.list("sector_routes", required: false).enumerated() {
            guard let entry = MapReader(item, path: "complaints.sector_routes[\(index + 1)]", keys: ["sector", "name", "url"], log: map.log) else { continue }
            let sector = entry.string("sector"), name = entry.localized("name", languages: languages)
            guard let sector, let name else { continue }
            routes.append(.init(sector: sector, referral: Referral(name: name, url: entry.string("url", required: false))))
        }
        var dispute: ComplaintRules.DisputeBody?
        if let body = map.map("dispute_body", keys: ["name", "url", "fee", "binding"], required: false), let name = body.string("name") {
            dispute = .init(name: name, url: body.string("url", required: false), fee: body.money("fee", currency: currency, required: false),
                            binding: body.bool("binding", required: false) ?? false)
        }
        let contactFirst = map.bool("contact_shop_first")
        let wait = map.period("shop_first_wait", required: contactFirst == true)
        let threshold = map.int("sanction_threshold", required: false, minimum: 1)
        let window = map.period("sanction_window", required: threshold != nil)
        let answer = map.period("shop_answer_deadline"), anonymous = map.bool("anonymous_allowed")
        let handling = map.period("handling_deadline", required: false)
        let nonMember = referral(map, "non_member_referral", languages: languages), crossBorder = referral(map, "cross_border_route", languages: languages)
        let statistics = map.bool("statistics_public", required: false) ?? false
        let confirm = map.period("confirm_within"), reminder = map.period("reminder_before", required: false)
        let reply = map.period("consumer_reply_deadline", required: false)
        let statisticsWindow = map.period("statistics_window", required: statistics || threshold != nil)
        let retention = map.period("retention", required: false)
        guard let contactFirst, let answer, let anonymous, let confirm else { return nil }
        return ComplaintRules(
            contactShopFirst: contactFirst, shopFirstWait: wait, shopAnswerDeadline: answer, handlingDeadline: handling,
            anonymousAllowed: anonymous, nonMemberReferral: nonMember, sectorRoutes: routes, crossBorderRoute: crossBorder, disputeBody: dispute,
            sanctionThreshold: threshold, sanctionWindow: window, statisticsPublic: statistics,
            confirmWithin: confirm, reminderBefore: reminder, consumerReplyDeadline: reply, statisticsWindow: statisticsWindow, retention: retention)
    }

    static let sanctionKeys = [
        "improvement_period_max", "summons_deadline", "summons_channels", "suspension_max", "appeal_period", "four_eyes_for", "legal_step",
        "lists", "publication", "delisting", "articles",
    ]

    static func sanctions(_ map: MapReader, languages: [String]) -> SanctionRules? {
        var lists: [SanctionRules.PublicList] = []
        for (index, item) in map.list("lists").enumerated() {
            guard let entry = MapReader(item, path: "sanctions.lists[\(index + 1)]", keys: ["id", "name"], log: map.log) else { continue }
            let id = entry.string("id"), name = entry.localized("name", languages: languages)
            guard let id, let name else { continue }
            lists.append(.init(id: id, name: name))
        }
        var publication: [String: String] = [:]
        if let pub = map.node("publication", required: true), let mapping = pub.mapping {
            for (key, value) in mapping {
                let event = key.scalar?.string ?? "", target = value.scalar?.string ?? ""
                if target != SanctionRules.never, !lists.contains(where: { $0.id == target }) {
                    map.log.add(value, "sanctions.publication.\(event) names the list '\(target)', which sanctions.lists does not define (or use 'never')")
                }
                publication[event] = target
            }
        } else if let pub = map.node("publication", required: false) {
            map.log.add(pub, "sanctions.publication must be a mapping of events to lists")
        }
        var delisting: [String: String] = [:]
        if let node = map.node("delisting", required: false), let mapping = node.mapping {
            for (key, value) in mapping {
                let list = key.scalar?.string ?? ""
                if !lists.contains(where: { $0.id == list }) { map.log.add(key, "sanctions.delisting names the list '\(list)', which sanctions.lists does not define") }
                delisting[list] = value.scalar?.string ?? ""
            }
        }
        let fourEyes = map.strings("four_eyes_for", required: false)
        for kind in fourEyes where SanctionKind(rawValue: kind) == nil {
            map.log.add(map.node("four_eyes_for", required: false), "sanctions.four_eyes_for names '\(kind)', which is not a sanction kind (\(SanctionKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var articles: [String: String] = [:]
        if let node = map.node("articles", required: false) {
            if let mapping = node.mapping {
                for (key, value) in mapping {
                    let kind = key.scalar?.string ?? ""
                    if SanctionKind(rawValue: kind) == nil {
                        map.log.add(key, "sanctions.articles names '\(kind)', which is not a sanction kind (\(SanctionKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    articles[kind] = value.scalar?.string ?? ""
                }
            } else {
                map.log.add(node, "sanctions.articles must be a mapping of sanction kinds to the articles they rest on")
            }
        }
        return SanctionRules(
            improvementPeriodMax: map.period("improvement_period_max", required: false), summonsDeadline: map.period("summons_deadline", required: false),
            summonsChannels: map.strings("summons_channels", required: false), suspensionMax: map.period("suspension_max", required: false),
            appealPeriod: map.period("appeal_period", required: false), fourEyesFor: fourEyes,
            legalStep: map.string("legal_step", required: false), lists: lists, publication: publication, delisting: delisting, articles: articles)
    }

    static let reviewKeys = [
        "criteria", "scale", "window", "praise_and_fault_form", "invited_only", "flag_cap_per_month", "removed_retention", "fraud_hold_score",
        "fraud_ladder", "confirm_within",
    ]

    static func reviews(_ map: MapReader, languages: [String]) -> ReviewRules? {
        var criteria: [ReviewRules.RatingCriterion] = []
        for (index, item) in map.list("criteria").enumerated() {
            guard let entry = MapReader(item, path: "reviews.criteria[\(index + 1)]", keys: ["id", "name"], log: map.log) else { continue }
            let id = entry.string("id"), name = entry.localized("name", languages: languages)
            guard let id, let name else { continue }
            criteria.append(.init(id: id, name: name))
        }
        let scale = map.map("scale", keys: ["minimum", "maximum"])
        let low = scale?.int("minimum"), high = scale?.int("maximum")
        if let low, let high, high <= low { map.log.add(scale?.node, "reviews.scale.maximum must be above reviews.scale.minimum") }
        var steps: [ReviewRules.LadderStep] = []
        var deviate: Bool?
        var notice: Period?
        if let ladder = map.map("fraud_ladder", keys: ["staff_may_deviate", "public_notice", "steps"], required: false) {
            deviate = ladder.bool("staff_may_deviate")
            notice = ladder.period("public_notice")
            let items = ladder.list("steps")
            if items.isEmpty, ladder.node("steps", required: false) != nil { map.log.add(ladder.position("steps"), "reviews.fraud_ladder.steps must list at least one step") }
            for (index, item) in items.enumerated() {
                let path = "reviews.fraud_ladder.steps[\(index + 1)]"
                guard let entry = MapReader(item, path: path, keys: ["action", "duration", "letter", "remove_reviews", "phone_task", "automatic_return"], log: map.log),
                      let action = entry.choice("action", ReviewRules.LadderAction.self) else { continue }
                let duration = entry.period("duration", required: action == .offline)
                steps.append(.init(action: action, duration: duration, letter: entry.bool("letter", required: false) ?? false,
                                   removeReviews: entry.bool("remove_reviews", required: false) ?? false, phoneTask: entry.bool("phone_task", required: false) ?? false,
                                   automaticReturn: entry.bool("automatic_return", required: false) ?? false))
            }
        }
        let scoreText = map.string("fraud_hold_score")
        let score = scoreText.flatMap(Int.init)
        if let scoreText, score == nil || !(1...100).contains(score!) {
            map.log.add(map.position("fraud_hold_score"), "reviews.fraud_hold_score must be a whole number from 1 to 100, not '\(scoreText)'")
        }
        let window = map.period("window"), cap = map.int("flag_cap_per_month", minimum: 1)
        let retention = map.period("removed_retention"), invited = map.bool("invited_only")
        let confirm = map.period("confirm_within")
        guard !criteria.isEmpty, let low, let high, let window, let cap, let retention, let score, let invited, let confirm else { return nil }
        return ReviewRules(criteria: criteria, scaleMinimum: low, scaleMaximum: high, window: window,
                           praiseAndFaultForm: map.bool("praise_and_fault_form", required: false) ?? false, invitedOnly: invited,
                           flagCapPerMonth: cap, removedRetention: retention, fraudHoldScore: score, ladder: steps, staffMayDeviate: deviate ?? false, publicNotice: notice,
                           confirmWithin: confirm)
    }
}
