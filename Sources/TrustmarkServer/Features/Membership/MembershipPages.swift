import FluentKit
import Foundation
import Hummingbird
import HTTPTypes
import TrustmarkCore

/// Helpers the membership pages and API share.
enum MembershipPages {
    static let signatureHeader = HTTPField.Name("Trustmark-Signature")!

    static func pdf(_ data: Data, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(name).pdf\"", .cacheControl: "private, no-store"],
                 body: .init(byteBuffer: .init(data: data)))
    }
}

enum ApplicationPages {
    /// What happens after applying, in the applicant's language and with the scheme's own steps.
    static func nextSteps(_ desk: MembershipDesk, _ locale: AppLocale) -> [String] {
        guard let rules = desk.scheme.membership else { return [] }
        let t = { (key: String, args: [String: String]) in desk.localizer.text(key, locale, args) }
        var steps = [t("next_confirm_email", [:]),
                     t(rules.inspectedBy == .independentBody ? "next_audit_body" : "next_audit", ["body": rules.inspectionBody ?? ""]),
                     t("next_fix_list", [:])]
        if rules.sealRequires.contains(.signedContract) { steps.append(t("next_contract", ["copies": "\(rules.contractCopies)"])) }
        if rules.sealRequires.contains(.payment) { steps.append(t("next_invoice", ["fee": SchemeFacts.money(rules.annualFee, locale)])) }
        steps.append(t("next_seal_\(rules.starts.rawValue)", [:]))
        return steps
    }
}
