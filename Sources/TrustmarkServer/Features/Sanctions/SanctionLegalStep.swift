import FluentKit
import Foundation
import TrustmarkCore

/// After a summons: when its deadline passed and the seal is still seen on the shop's (or the
/// party's) site, the sanction is flagged for the scheme's legal step, a staff task is opened and the
/// administrators are told. The dossier (PDF) gathers what the legal step needs: the parties, the
/// decision and its article, every step of the record, the member's evidence and objection, and
/// where the seal was seen.
extension SanctionsService {
    /// Flags every passed summons whose seal was seen after its deadline; returns how many.
    func flagLegalSteps() async throws -> Int {
        guard let sightings else { return 0 }
        try await sightings.flush()
        let db = desk.storage.db
        let passed = try await Sanction.query(on: db).filter(\.$kindRaw ~~ [SanctionKind.summons.rawValue, SanctionKind.unauthorisedUseSummons.rawValue])
            .filter(\.$stateRaw == SanctionState.escalated.rawValue).filter(\.$legalStepOn == nil).all()
        var flagged = 0
        for sanction in passed {
            guard let deadline = sanction.deadline.flatMap(Day.init) else { continue }
            guard let last = try await seen(of: sanction, on: db)?.filter(\.$lastSeen >= deadline.end(in: desk.timeZone))
                .sort(\.$lastSeen, .descending).first() else { continue }
            try await db.transaction { db in
                sanction.legalStepOn = desk.today.description
                sanction.updatedAt = desk.clock.now()
                try await sanction.save(on: db)
                try await record("sanction.legal_step", sanction, actor: .system,
                                 extra: ["seen_on": last.lastPage, "seen_at": DateText.moment(last.lastSeen, timeZone: desk.timeZone),
                                         "legal_step": desk.scheme.sanctions?.legalStep ?? "-"], on: db)
                try await StaffTask(.legalStep, shop: sanction.$shop.id, subjectType: "sanction", subjectID: try sanction.requireID().uuidString,
                                    due: desk.today.description, at: desk.clock.now()).create(on: db)
                let name = try await subject(of: sanction, on: db), page = last.lastPage
                let link = desk.baseURL + "/staff/sanctions/\(try sanction.requireID().uuidString)"
                try await desk.mailAdmins(subject: "mail_sanction_legal_step_subject", body: "mail_sanction_legal_step_body", { _ in
                    ["shop": name, "page": page, "link": link, "step": desk.scheme.sanctions?.legalStep ?? ""]
                }, kind: "sanction.legal_step", on: db)
            }
            flagged += 1
        }
        return flagged
    }

    /// Where the sanction's seal was seen (a member's shop), or any seal on the party's site; nil when
    /// the sanction names neither.
    private func seen(of sanction: Sanction, on db: any Database) -> QueryBuilder<SealSighting>? {
        if let shop = sanction.$shop.id { return SealSighting.query(on: db).filter(\.$shop.$id == shop) }
        guard let domain = sanction.partyDomain else { return nil }
        return SealSighting.query(on: db).filter(\.$host ~~ [domain, "www." + domain])
    }

    /// Everything the legal step needs, as one PDF in the scheme's language.
    func dossier(_ id: String?) async throws -> (filename: String, pdf: Data) {
        let db = desk.storage.db
        let sanction = try await load(id, on: db)
        let sanctionID = try sanction.requireID()
        let locale = partyLocale
        func t(_ key: String, _ values: [String: String] = [:]) -> String { desk.localizer.text(key, locale, values) }
        let shop = try await shop(of: sanction, on: db)
        let registration = try await Registration.query(on: db).filter(\.$organisation.$id == sanction.organisationID).first()
        let steps = try await AuditEntry.query(on: db).filter(\.$subjectType == "sanction").filter(\.$subjectID == sanctionID.uuidString).sort(\.$at).all()
        let evidence = try await SanctionEvidence.query(on: db).filter(\.$sanction.$id == sanctionID).sort(\.$submittedAt).all()
        let spotted = try await seen(of: sanction, on: db)?.sort(\.$lastSeen, .descending).limit(50).all() ?? []

        let title = t("sanction_dossier_title", ["kind": t("sanction_kind_\(sanction.kindRaw)")])
        var doc = DocumentComposer(title: title, footer: [desk.scheme.legalEntity, desk.scheme.website].compactMap { $0 }.joined(separator: " · "))
        doc.heading(desk.scheme.name, size: 18)
        doc.heading(title)
        var facts: [(String, String)] = [
            (t("dossier_shop"), [shop?.name ?? sanction.partyName, registration?.legalName,
                                 registration.map { "\($0.street), \($0.postcode) \($0.city), \($0.country)" } ?? sanction.partyAddress?.replacingOccurrences(of: "\n", with: ", ")]
                .compactMap { $0 }.joined(separator: ", ")),
            (t("sanction_dossier_sites"), shop.map { $0.domains.map(\.domain).joined(separator: ", ") } ?? sanction.partyDomain ?? "-"),
            (t("sanction_dossier_decided"), desk.dayText(sanction.decidedOn, locale) ?? sanction.decidedOn),
            (t("sanction_dossier_state"), t("sanction_state_\(sanction.stateRaw)")),
            (t("sanction_dossier_reason"), sanction.reason),
        ]
        if let article = sanction.article { facts.append((t("sanction_dossier_article"), article)) }
        if let deadline = sanction.deadline { facts.append((t("sanction_dossier_deadline"), desk.dayText(deadline, locale) ?? deadline)) }
        if let step = desk.scheme.sanctions?.legalStep { facts.append((t("sanction_dossier_legal_step"), step)) }
        doc.facts(facts)
        doc.heading(t("dossier_timeline"), size: 13)
        for step in steps {
            let after = step.after.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            let said = [after["resolution"], after["dismissal_reason"], after["appeal"], after["appeal_reason"], after["evidence"], after["seen_on"]]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ")
            let name = t("sanction_step_" + step.action.replacingOccurrences(of: "sanction.", with: ""))
            doc.paragraph([DateText.moment(step.at, timeZone: desk.timeZone), name, step.actorRole].joined(separator: " · ") + (said.isEmpty ? "" : " — \(said)"),
                          size: 9.5)
        }
        if !evidence.isEmpty {
            doc.heading(t("sanction_evidence"), size: 13)
            for row in evidence {
                doc.paragraph(DateText.moment(row.submittedAt, timeZone: desk.timeZone), size: 9, bold: true, colour: .grey)
                doc.paragraph(row.text, indent: 12)
            }
        }
        if let appeal = sanction.appealText {
            doc.heading(t("sanction_appeal_heading"), size: 13)
            doc.paragraph(appeal)
            if let decision = sanction.appealDecision { doc.paragraph(t("sanction_appeal_\(decision)") + ": " + (sanction.appealReason ?? ""), bold: true) }
        }
        doc.heading(t("sanction_dossier_sightings"), size: 13)
        if spotted.isEmpty { doc.paragraph(t("sanction_dossier_no_sightings")) } else {
            doc.table(header: [t("sanction_dossier_page"), t("misuse_last_seen"), t("misuse_count")],
                      rows: spotted.map { [$0.lastPage, DateText.moment($0.lastSeen, timeZone: desk.timeZone), "\($0.count)"] },
                      widths: [doc.width - 200, 140, 60], rightAligned: [2])
        }
        return ("sanction-\(sanctionID.uuidString.prefix(8).lowercased()).pdf", doc.finish())
    }
}
