import FluentKit
import Foundation
import TrustmarkCore

/// The audit and the decision: assignment, the inspector's declaration, findings, the report and
/// its fix list, the re-check, and approve / request changes / reject.
extension ApplicationsService {
    // MARK: the audit

    /// Inspectors who declared a tie with an organisation are never assigned to it again.
    func isTied(_ inspector: UUID, to organisation: UUID, on db: any Database) async throws -> Bool {
        try await InspectorDeclaration.query(on: db).filter(\.$inspector.$id == inspector).filter(\.$organisation.$id == organisation)
            .filter(\.$conflict == true).first() != nil
    }

    func assign(_ id: UUID, inspector inspectorID: UUID, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            guard application.state == .submitted || application.state == .inAudit || application.state == .changesRequested else {
                throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw])
            }
            guard let inspector = try await User.find(inspectorID, on: db), inspector.role == .inspector, inspector.disabledAt == nil else {
                throw AppError.invalid("inspectorId", "application_not_an_inspector")
            }
            if try await isTied(inspectorID, to: application.$organisation.id, on: db) {
                throw AppError.conflict("inspector_tied", "application_inspector_tied", field: "inspectorId", ["inspector": inspector.displayName])
            }
            application.$inspector.id = inspectorID
            if application.state == .inAudit { application.stateRaw = ApplicationState.submitted.rawValue }
            try await application.save(on: db)
            try await desk.note("application.assigned", organisation: application.$organisation.id, application: id, actor: .init(actor),
                                detail: ["inspector": inspector.displayName], on: db)
        }
    }

    func requireInspector(_ application: MembershipApplication, _ actor: Identity) throws {
        guard actor.role == .inspector, application.$inspector.id == actor.userID else {
            throw AppError(.forbidden, code: "not_assigned", messageKey: "application_not_assigned")
        }
    }

    /// The assigned inspector states, before seeing anything else of the applicant, whether they
    /// have a tie with it. A tie takes them off the application for good.
    func declare(_ id: UUID, conflict: Bool, note: String, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try requireInspector(application, actor)
            let declaration = InspectorDeclaration()
            declaration.$application.id = id
            declaration.$organisation.id = application.$organisation.id
            declaration.$inspector.id = actor.userID
            declaration.conflict = conflict
            declaration.note = String(note.trimmingWhitespace().prefix(500))
            declaration.declaredAt = desk.clock.now()
            try await declaration.create(on: db)
            if conflict {
                application.$inspector.id = nil
                if application.state == .inAudit { application.stateRaw = ApplicationState.submitted.rawValue }
            } else if application.state == .submitted {
                try move(application, to: .inAudit)
            }
            try await application.save(on: db)
            try await desk.note(conflict ? "application.inspector_tied" : "application.no_conflict_declared", organisation: application.$organisation.id,
                                application: id, actor: .init(actor), on: db)
        }
    }

    func hasDeclared(_ application: MembershipApplication, inspector: UUID, on db: any Database) async throws -> Bool {
        try await InspectorDeclaration.query(on: db).filter(\.$application.$id == application.requireID()).filter(\.$inspector.$id == inspector)
            .filter(\.$conflict == false).first() != nil
    }

    struct FindingInput: Codable, Sendable {
        var shopId: UUID
        var criterion: String
        var result: String
        var note: String?
        var evidenceUrl: String?
    }

    func record(_ id: UUID, findings: [FindingInput], by actor: Identity) async throws {
        let criteria = Dictionary(uniqueKeysWithValues: desk.scheme.codeOfConduct.criteria.map { ($0.id, $0) })
        var errors = FormErrors()
        for (index, finding) in findings.enumerated() {
            guard let criterion = criteria[finding.criterion] else { errors.add(.invalid("findings.\(index).criterion", "validation_choice")); continue }
            guard let result = FindingResult(rawValue: finding.result) else { errors.add(.invalid("findings.\(index).result", "validation_choice")); continue }
            let note = finding.note?.trimmingWhitespace() ?? ""
            let evidence = finding.evidenceUrl?.trimmingWhitespace() ?? ""
            if result == .fail, note.isEmpty { errors.add(.invalid("findings.\(index).note", "audit_note_required")) }
            if note.count > 2000 { errors.add(.invalid("findings.\(index).note", "validation_too_long", ["max": "2000"])) }
            if !evidence.isEmpty, !(evidence.hasPrefix("https://") || evidence.hasPrefix("http://")) || evidence.count > 500 {
                errors.add(.invalid("findings.\(index).evidenceUrl", "validation_url"))
            }
            if criterion.kind == .evidenceURL, result == .pass, evidence.isEmpty { errors.add(.invalid("findings.\(index).evidenceUrl", "audit_evidence_required")) }
        }
        try errors.throwIfAny()
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try requireInspector(application, actor)
            guard application.state == .inAudit else { throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw]) }
            guard try await hasDeclared(application, inspector: actor.userID, on: db) else {
                throw AppError.conflict("declaration_missing", "audit_declare_first")
            }
            let shopIDs = Set(try await shops(of: application, on: db).compactMap(\.id))
            for finding in findings {
                guard shopIDs.contains(finding.shopId) else { throw AppError.invalid("shopId", "validation_choice") }
                let existing = try await AuditFinding.query(on: db).filter(\.$shop.$id == finding.shopId).filter(\.$round == application.round)
                    .filter(\.$criterionID == finding.criterion).first()
                let row = existing ?? AuditFinding()
                row.$application.id = id
                row.$shop.id = finding.shopId
                row.round = application.round
                row.criterionID = finding.criterion
                row.resultRaw = finding.result
                row.note = finding.note?.trimmingWhitespace() ?? ""
                row.evidenceURL = finding.evidenceUrl?.trimmingWhitespace() ?? ""
                row.inspectorID = actor.userID
                row.recordedAt = desk.clock.now()
                try await row.save(on: db)
            }
        }
    }

    /// The findings of the application's current round.
    func findings(of application: MembershipApplication, round: Int? = nil, on db: any Database) async throws -> [AuditFinding] {
        try await AuditFinding.query(on: db).filter(\.$application.$id == application.requireID()).filter(\.$round == (round ?? application.round)).all()
    }

    /// Ends the round with a report. Every criterion must be assessed for every shop; failed ones
    /// become the fix list the applicant receives.
    func completeReport(_ id: UUID, summary: String, by actor: Identity) async throws -> AuditReport {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try requireInspector(application, actor)
            guard application.state == .inAudit else { throw AppError.conflict("wrong_state", "application_wrong_state", ["state": application.stateRaw]) }
            let shops = try await shops(of: application, on: db)
            let findings = try await findings(of: application, on: db)
            let expected = shops.count * desk.scheme.codeOfConduct.criteria.count
            let assessed = Set(findings.map { "\($0.$shop.id)/\($0.criterionID)" }).count
            if assessed < expected {
                throw AppError.invalid("findings", "audit_incomplete", ["missing": "\(expected - assessed)"])
            }
            let failed = findings.filter { $0.result == .fail }
            let report = AuditReport()
            report.$application.id = id
            report.round = application.round
            report.inspectorID = actor.userID
            report.summary = String(summary.trimmingWhitespace().prefix(4000))
            report.failed = failed.count
            report.completedAt = desk.clock.now()
            try await report.create(on: db)
            try move(application, to: failed.isEmpty ? .audited : .changesRequested)
            application.fixRemindedAt = nil
            try await application.save(on: db)
            try await desk.note("audit.reported", organisation: application.$organisation.id, application: id, actor: .init(actor),
                                detail: ["round": "\(application.round)", "failed": "\(failed.count)"], on: db)
            if !failed.isEmpty {
                let list = fixList(failed, shops: shops)
                try await desk.mail(application.$organisation.id, subject: "mail_fixlist_subject", body: "mail_fixlist_body", { locale in
                    ["list": list(locale)]
                }, kind: "fix_list", on: db)
            }
            return report
        }
    }

    /// The failed criteria, per shop, as the applicant reads them.
    func fixList(_ failed: [AuditFinding], shops: [Shop]) -> @Sendable (AppLocale) -> String {
        let criteria = desk.scheme.codeOfConduct.criteria
        let names = Dictionary(uniqueKeysWithValues: shops.compactMap { shop in shop.id.map { ($0, shop.name) } })
        let items = failed.map { (shop: names[$0.$shop.id] ?? "", criterion: $0.criterionID, note: $0.note) }
        let active = desk.active
        return { locale in
            items.map { item in
                let question = criteria.first { $0.id == item.criterion }.map { active.text($0.question, locale) } ?? item.criterion
                return "- \(item.shop): \(question)\n  \(item.note)"
            }.joined(separator: "\n")
        }
    }

    /// The applicant has fixed the findings and asks for the free re-check: a new round with the
    /// same inspector, starting from the previous round's passes.
    func requestRecheck(_ id: UUID, by actor: Identity) async throws {
        try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            try desk.checkOwn(application.$organisation.id, actor)
            try move(application, to: .inAudit)
            let previous = try await findings(of: application, on: db)
            application.round += 1
            try await application.save(on: db)
            for finding in previous where finding.result != .fail {
                let copy = AuditFinding()
                copy.$application.id = id
                copy.$shop.id = finding.$shop.id
                copy.round = application.round
                copy.criterionID = finding.criterionID
                copy.resultRaw = finding.resultRaw
                copy.note = finding.note
                copy.evidenceURL = finding.evidenceURL
                copy.inspectorID = finding.inspectorID
                copy.recordedAt = finding.recordedAt
                try await copy.create(on: db)
            }
            try await desk.note("application.recheck_requested", organisation: application.$organisation.id, application: id, actor: .init(actor),
                                detail: ["round": "\(application.round)"], on: db)
        }
    }

    // MARK: the decision

    enum Decision: String, Sendable, CaseIterable {
        case approve
        case requestChanges = "request_changes"
        case reject
    }

    /// Who may decide: with an independent inspection body (mkbOK's CGD) the assigned inspector
    /// gives the permission; with the scheme's own staff an administrator decides.
    func decide(_ id: UUID, _ decision: Decision, note: String, by actor: Identity) async throws -> MembershipApplication {
        let rules = try desk.rules()
        let note = note.trimmingWhitespace()
        if note.count > 2000 { throw AppError.invalid("note", "validation_too_long", ["max": "2000"]) }
        if decision != .approve, note.isEmpty { throw AppError.invalid("note", "decision_note_required") }
        return try await desk.storage.db.transaction { db in
            let application = try await find(id, on: db)
            switch rules.inspectedBy {
            case .independentBody: try requireInspector(application, actor)
            case .ownStaff: guard actor.role == .admin else { throw AppError.forbidden }
            }
            let shops = try await shops(of: application, on: db)
            let organisation = application.$organisation.id
            switch decision {
            case .approve:
                try move(application, to: .approved)
                application.approvedOn = desk.today.description
                application.decisionNote = note
                try await application.save(on: db)
                for shop in shops where shop.state == .applying {
                    shop.stateRaw = Shop.State.approved.rawValue
                    shop.approvedOn = desk.today.description
                    try await shop.save(on: db)
                }
                try await desk.note("application.approved", organisation: organisation, application: id, actor: .init(actor), on: db)
                try await memberships.approved(application, shops: shops, on: db)
            case .requestChanges:
                try move(application, to: .changesRequested)
                application.decisionNote = note
                application.fixRemindedAt = nil
                try await application.save(on: db)
                try await desk.note("application.changes_requested", organisation: organisation, application: id, actor: .init(actor), detail: ["note": note], on: db)
                let failed = try await findings(of: application, on: db).filter { $0.result == .fail }
                let list = fixList(failed, shops: shops)
                try await desk.mail(organisation, subject: "mail_fixlist_subject", body: "mail_fixlist_body", { locale in
                    ["list": ([note] + [list(locale)]).filter { !$0.isEmpty }.joined(separator: "\n")]
                }, kind: "fix_list", on: db)
            case .reject:
                try move(application, to: .rejected)
                application.decisionNote = note
                try await application.save(on: db)
                if application.kind != .recheck {
                    for shop in shops {
                        shop.stateRaw = Shop.State.rejected.rawValue
                        try await shop.save(on: db)
                        try await memberships.releaseDomains(of: shop, on: db)
                    }
                }
                // A member that fails its re-check goes to the sanctions desk with the inspector's findings.
                if application.kind == .recheck {
                    try await SanctionProposals.raise(organisation: organisation, shop: nil, source: "recheck", reason: "proposal_reason_recheck",
                                                      evidence: [note], at: desk.clock.now(), on: db)
                }
                // Never listed publicly (KeurOnline article 20: "Hiervan komt geen melding op de site").
                try await desk.note("application.rejected", organisation: organisation, application: id, actor: .init(actor), detail: ["note": note], on: db)
                try await desk.mail(organisation, subject: "mail_rejected_subject", body: "mail_rejected_body", { _ in ["note": note] }, kind: "decision", on: db)
            }
            return application
        }
    }
}
