import FluentKit
import Foundation
import TrustmarkCore

/// What an import did (or, in a dry run, would do), and every row it refused with the reason.
struct MemberImportReport: Codable, Sendable {
    struct Refusal: Codable, Sendable {
        let line: Int
        let column: String?
        let message: String
    }

    let dryRun: Bool
    let encoding: String
    let separator: String
    let rows: Int
    let organisations: Int
    let shops: Int
    let refused: [Refusal]
}

/// Takes an existing member list and makes each organisation an active member as it is in the
/// list (member since, paid until) without a new audit: organisation, registration, a member
/// account for the contact (mailed a link to choose a password), an approved application, the
/// shops with their domains and the membership. One transaction per organisation; a refused row
/// leaves nothing behind and the other rows go in.
struct MemberImporter: Sendable {
    let applications: ApplicationsService
    var desk: MembershipDesk { applications.desk }

    /// The largest file taken (some ten thousand shops).
    static let maxBytes = 8 << 20

    struct Row: Sendable {
        let line: Int
        let organisation: String
        let kvk: String
        let vat: String
        let contactName: String
        let contactEmail: String
        let shop: String
        let domains: [String]
        let variant: String
        let since: Day
        let paidUntil: Day
        let values: [MemberList.Column: String]
    }

    /// The file as a table: refused at once when it is too large, not text, empty or lacks a required
    /// column (the import page checks this before it queues the work).
    func read(_ data: Data) throws -> (encoding: String, separator: Character, records: [CSV.Record], positions: [MemberList.Column: Int]) {
        guard data.count <= Self.maxBytes else { throw AppError.tooLarge }
        let text: String, encoding: String
        do {
            (text, encoding) = try CSV.decode(data)
        } catch {
            throw AppError(.unprocessableContent, code: "csv_not_text", messageKey: "import_not_text", field: "file")
        }
        guard let firstLine = text.split(whereSeparator: \.isNewline).first else {
            throw AppError(.unprocessableContent, code: "csv_empty", messageKey: "import_empty", field: "file")
        }
        let separator = CSV.separator(of: firstLine)
        let records = CSV.records(text, separator: separator)
        guard let header = records.first, records.count > 1 else {
            throw AppError(.unprocessableContent, code: "csv_empty", messageKey: "import_empty", field: "file")
        }
        let (positions, missing) = MemberList.columns(header.fields)
        guard missing.isEmpty else {
            var error = AppError(.unprocessableContent, code: "csv_columns_missing", messageKey: "import_missing_columns",
                                 arguments: ["columns": missing.map(\.rawValue).joined(separator: ", "), "separator": Self.name(of: separator)], field: "file")
            error.details = ["missing": missing.map(\.rawValue).joined(separator: ",")]
            throw error
        }
        return (encoding, separator, records, positions)
    }

    func run(_ data: Data, dryRun: Bool, locale: AppLocale, actor: Record.Actor,
             progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> MemberImportReport {
        let rules = try desk.rules()
        let (encoding, separator, records, positions) = try read(data)
        let t = { (key: String, arguments: [String: String]) in desk.localizer.text(key, locale, arguments) }
        var refused: [MemberImportReport.Refusal] = []
        func refuse(_ line: Int, _ column: MemberList.Column?, _ key: String, _ arguments: [String: String] = [:]) {
            refused.append(.init(line: line, column: column?.rawValue, message: t(key, arguments)))
        }
        // What the register already holds, read once.
        let db = desk.storage.db
        let takenDomains = Set(try await ShopDomain.query(on: db).filter(\.$releasedAt == nil).all().map(\.domain))
        let knownKvK = Set(try await Registration.query(on: db).all().map(\.kvk))
        let knownEmails = Set(try await User.query(on: db).all().map(\.email))
        var domainLines: [String: Int] = [:], rowLines: [String: Int] = [:], organisations: [String: Row] = [:]
        var good: [Row] = []
        for record in records.dropFirst() {
            let value = { (column: MemberList.Column) -> String in
                positions[column].flatMap { record.fields.indices.contains($0) ? record.fields[$0] : nil }?.trimmingWhitespace() ?? ""
            }
            let signature = record.fields.map { $0.trimmingWhitespace() }.joined(separator: "\u{1F}")
            if let first = rowLines[signature] {
                refuse(record.line, nil, "import_duplicate_row", ["line": "\(first)"])
                continue
            }
            rowLines[signature] = record.line
            guard let row = check(record.line, value: value, rules: rules, refuse: refuse) else { continue }
            if let clash = row.domains.first(where: { domainLines[$0] != nil }) {
                refuse(row.line, .domains, "import_domain_twice", ["domain": clash, "line": "\(domainLines[clash] ?? 0)"])
                continue
            }
            if let taken = row.domains.first(where: takenDomains.contains) {
                refuse(row.line, .domains, "application_domain_taken", ["domain": taken])
                continue
            }
            if let first = organisations[row.kvk] {
                guard first.organisation == row.organisation, first.contactEmail == row.contactEmail else {
                    refuse(row.line, .kvk, "import_kvk_conflict", ["line": "\(first.line)"])
                    continue
                }
            } else {
                if knownKvK.contains(row.kvk) {
                    refuse(row.line, .kvk, "import_already_registered", ["kvk": row.kvk])
                    continue
                }
                if knownEmails.contains(row.contactEmail) {
                    refuse(row.line, .contactEmail, "application_email_taken")
                    continue
                }
                organisations[row.kvk] = row
            }
            for domain in row.domains { domainLines[domain] = row.line }
            good.append(row)
        }
        let groups = Dictionary(grouping: good, by: \.kvk).values.sorted { $0[0].line < $1[0].line }
        if !dryRun {
            var done = 0
            for group in groups {
                try await create(group, rules: rules, actor: actor)
                done += group.count
                progress(done, good.count)
            }
        } else {
            progress(good.count, good.count)
        }
        return MemberImportReport(dryRun: dryRun, encoding: encoding, separator: Self.name(of: separator), rows: records.count - 1,
                                  organisations: groups.count, shops: good.count, refused: refused.sorted { $0.line < $1.line })
    }

    static func name(of separator: Character) -> String {
        switch separator {
        case ";": return "semicolon"
        case "\t": return "tab"
        default: return "comma"
        }
    }

    /// One row's own facts, each checked as an application checks them; `nil` when refused.
    private func check(_ line: Int, value: (MemberList.Column) -> String, rules: MembershipRules,
                       refuse: (Int, MemberList.Column?, String, [String: String]) -> Void) -> Row? {
        var problems = 0
        func fail(_ column: MemberList.Column, _ key: String, _ arguments: [String: String] = [:]) {
            problems += 1
            refuse(line, column, key, arguments)
        }
        for column in MemberList.required where value(column).isEmpty { fail(column, "import_required", ["column": column.rawValue]) }
        guard problems == 0 else { return nil }
        let country = value(.country).isEmpty ? desk.scheme.country : value(.country).uppercased()
        if country == "NL", RegistrationNumbers.checkKvK(value(.kvk)) != nil { fail(.kvk, "validation_kvk") }
        switch RegistrationNumbers.checkVAT(value(.vat)) {
        case nil: break
        case .vatUnknownCountry(let code): fail(.vat, "validation_vat_country", ["country": code])
        case .vatFormat(let code, let example): fail(.vat, "validation_vat_format", ["country": code, "example": example])
        case .vatCheckDigits, .kvkFormat: fail(.vat, "validation_vat_check")
        }
        let email = EmailAddress.normalise(value(.contactEmail))
        if !EmailAddress.isValid(email) { fail(.contactEmail, "validation_email") }
        for (column, max) in [(MemberList.Column.organisation, ApplicationsService.maxText), (.shop, 120), (.contactName, 120)] where value(column).count > max {
            fail(column, "validation_too_long", ["max": "\(max)"])
        }
        let domains = MemberList.domains(value(.domains)).map(DomainName.normalise).filter { !$0.isEmpty }
        if let bad = domains.first(where: { !DomainName.isValid($0) }) { fail(.domains, "validation_domain", ["domain": bad]) }
        if domains.count > ApplicationsService.maxDomains { fail(.domains, "validation_too_many", ["max": "\(ApplicationsService.maxDomains)"]) }
        if Set(domains).count != domains.count { fail(.domains, "validation_domain_twice", ["domain": domains.first { d in domains.filter { $0 == d }.count > 1 } ?? ""]) }
        let variants = desk.scheme.seal.variants.map(\.id)
        let variant = value(.variant).isEmpty ? (desk.scheme.seal.defaultVariant?.id ?? variants.first ?? "") : value(.variant)
        if !variants.contains(variant) { fail(.variant, "import_variant", ["variant": variant, "allowed": variants.joined(separator: ", ")]) }
        let since = MemberList.day(value(.memberSince)), paid = MemberList.day(value(.paidUntil))
        if since == nil { fail(.memberSince, "import_date", ["value": value(.memberSince)]) }
        if paid == nil { fail(.paidUntil, "import_date", ["value": value(.paidUntil)]) }
        if let since, since > desk.today { fail(.memberSince, "import_future") }
        if let since, let paid, paid < since { fail(.paidUntil, "import_paid_before_since") }
        if !value(.language).isEmpty, AppLocale(rawValue: value(.language).lowercased()) == nil { fail(.language, "validation_choice") }
        guard problems == 0, let since, let paid else { return nil }
        var values: [MemberList.Column: String] = [:]
        for column in MemberList.Column.allCases { values[column] = value(column) }
        return Row(line: line, organisation: value(.organisation), kvk: RegistrationNumbers.normalise(value(.kvk)), vat: RegistrationNumbers.normalise(value(.vat)),
                   contactName: value(.contactName), contactEmail: email, shop: value(.shop), domains: domains, variant: variant, since: since, paidUntil: paid,
                   values: values)
    }
}
