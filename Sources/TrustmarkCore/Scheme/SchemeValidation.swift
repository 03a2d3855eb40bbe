import Foundation
import Yams

/// Checks that need the whole scheme: rules that refer to each other across sections.
enum SchemeValidation {
    static func check(_ scheme: Scheme, root: Node, log: ProblemLog) {
        let top = root.mapping
        func node(_ path: String...) -> Node? {
            var current: Node? = root
            for key in path { current = current?.mapping?[Node(key)] }
            return current ?? top.map { _ in root }
        }
        if let tiers = scheme.seal.tiers.first, scheme.reviews == nil {
            log.add(node("seal", "tiers"), "seal.tiers ('\(tiers.id)' ...) need a reviews section to rate shops from")
        }
        if let sanctions = scheme.sanctions, let suspension = sanctions.suspensionMax, let improvement = sanctions.improvementPeriodMax,
           improvement.approximateDays > suspension.approximateDays * 4 {
            log.add(node("sanctions", "improvement_period_max"), "sanctions.improvement_period_max (\(improvement)) is far longer than suspension_max (\(suspension)); check the units")
        }
        if let membership = scheme.membership, membership.renewalInvoiceBefore.approximateDays >= membership.term.approximateDays {
            log.add(node("membership", "renewal_invoice_before"), "membership.renewal_invoice_before (\(membership.renewalInvoiceBefore)) must be shorter than the term (\(membership.term))")
        }
        if let rules = scheme.ruleChanges, rules.farReachingTransition.unit == .workingDays {
            log.add(node("rule_changes", "far_reaching_transition"), "rule_changes.far_reaching_transition must be in days, weeks, months or years")
        }
        if let rules = scheme.ruleChanges, rules.refusalMayEndMembership, scheme.membership == nil {
            log.add(node("rule_changes", "refusal_may_end_membership"), "rule_changes.refusal_may_end_membership needs a membership section")
        }
    }
}
