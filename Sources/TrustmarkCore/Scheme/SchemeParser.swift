import Foundation
import Yams

/// Reads a scheme file into a `Scheme`, or says everything that is wrong with it, each problem with
/// its line and column. It never stops at the first problem: an operator fixes a file in one go.
public enum SchemeParser {
    public static let formatVersion = 1

    public enum Result: Sendable {
        case valid(Scheme)
        case invalid([SchemeProblem])
    }

    public static func parse(_ text: String) -> Result {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .invalid([SchemeProblem(line: 1, column: 1, message: "the file is empty")])
            }
            root = node
        } catch let error as YamlError {
            return .invalid([syntaxProblem(error, text: text)])
        } catch {
            return .invalid([SchemeProblem(line: 1, column: 1, message: "not YAML: \(error)")])
        }
        let log = ProblemLog()
        let scheme = read(root, log: log)
        // Checks across sections only once every section read cleanly: a section that failed to read
        // would otherwise look absent and cause misleading follow-on messages.
        if let scheme, log.problems.isEmpty { SchemeValidation.check(scheme, root: root, log: log) }
        let problems = log.problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        if let scheme, problems.isEmpty { return .valid(scheme) }
        return .invalid(problems.isEmpty ? [SchemeProblem(line: 1, column: 1, message: "the scheme is incomplete")] : problems)
    }

    static let topKeys = ["format", "id", "name", "legal_entity", "country", "languages", "time_zone", "calendar", "currency",
                          "vat_rate", "website", "code_of_conduct", "membership", "seal", "complaints", "sanctions", "reviews", "rule_changes"]

    static func read(_ root: Node, log: ProblemLog) -> Scheme? {
        guard let top = MapReader(root, path: "", keys: topKeys, log: log) else { return nil }
        if let format = top.int("format") , format != formatVersion {
            log.add(top.position("format"), "format \(format) is not supported; this version of Trustmark reads format \(formatVersion)")
        }
        let id = top.string("id")
        if let id, id.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) == nil {
            log.add(top.position("id"), "id must be lower-case letters, digits and hyphens, not '\(id)'")
        }
        let languages = readLanguages(top, log: log)
        let timeZone = top.string("time_zone")
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            log.add(top.position("time_zone"), "time_zone '\(timeZone)' is not a known time zone such as Europe/Amsterdam")
        }
        let currency = top.string("currency")
        if let currency, currency.range(of: "^[A-Z]{3}$", options: .regularExpression) == nil {
            log.add(top.position("currency"), "currency must be a three-letter ISO 4217 code such as EUR, not '\(currency)'")
        }
        let country = top.string("country")
        if let country, country.range(of: "^[A-Z]{2}$", options: .regularExpression) == nil {
            log.add(top.position("country"), "country must be a two-letter ISO 3166 code such as NL, not '\(country)'")
        }
        var vat: Percentage?
        if let text = top.string("vat_rate") {
            vat = Percentage.parse(text)
            if vat == nil { log.add(top.position("vat_rate"), "vat_rate must be a percentage such as 21, not '\(text)'") }
        }
        let money = currency ?? "EUR"
        let texts = languages ?? []
        let calendar = readCalendar(top, log: log)
        let code = readCode(top, languages: texts, log: log)
        let membership = top.map("membership", keys: SchemeSections.membershipKeys, required: false).flatMap { SchemeSections.membership($0, languages: texts, currency: money) }
        let seal = top.map("seal", keys: ["variants", "tiers"]).flatMap { SchemeSections.seal($0, languages: texts) }
        let complaints = top.map("complaints", keys: SchemeSections.complaintKeys, required: false).flatMap { SchemeSections.complaints($0, languages: texts, currency: money) }
        let sanctions = top.map("sanctions", keys: SchemeSections.sanctionKeys, required: false).flatMap { SchemeSections.sanctions($0, languages: texts) }
        let reviews = top.map("reviews", keys: SchemeSections.reviewKeys, required: false).flatMap { SchemeSections.reviews($0, languages: texts) }
        let ruleChanges = top.map("rule_changes", keys: ["far_reaching_transition", "notify", "refusal_may_end_membership"], required: false).flatMap { map -> RuleChangeRules? in
            guard let transition = map.period("far_reaching_transition") else { return nil }
            return RuleChangeRules(farReachingTransition: transition, notify: map.strings("notify"), refusalMayEndMembership: map.bool("refusal_may_end_membership", required: false) ?? false)
        }
        let name = top.string("name"), legal = top.string("legal_entity"), website = top.string("website", required: false)
        guard let id, let name, let legal, let country, let languages, let timeZone, let calendar, let currency, let vat, let code, let seal else {
            return nil
        }
        return Scheme(id: id, name: name, legalEntity: legal, country: country, languages: languages, timeZone: timeZone, calendar: calendar,
                      currency: currency, vatRate: vat, website: website, codeOfConduct: code, membership: membership, seal: seal,
                      complaints: complaints, sanctions: sanctions, reviews: reviews, ruleChanges: ruleChanges)
    }

    static let supportedLanguages = ["nl", "en", "de", "fr"]

    static func readLanguages(_ top: MapReader, log: ProblemLog) -> [String]? {
        let items = top.list("languages")
        var languages: [String] = []
        for item in items {
            guard let code = item.scalar?.string, supportedLanguages.contains(code) else {
                log.add(item, "languages: '\(item.scalar?.string ?? "?")' is not a supported language (\(supportedLanguages.joined(separator: ", ")))")
                continue
            }
            if languages.contains(code) { log.add(item, "languages: '\(code)' is listed twice") } else { languages.append(code) }
        }
        if top.node("languages", required: false)?.sequence != nil, languages.isEmpty, items.isEmpty {
            log.add(top.position("languages"), "languages must list at least one language")
        }
        return languages.isEmpty ? nil : languages
    }

    static func readCalendar(_ top: MapReader, log: ProblemLog) -> CalendarRules? {
        guard let map = top.map("calendar", keys: ["holidays", "region", "extra_closed_days", "extra_working_days"]) else { return nil }
        let holidays = map.string("holidays")
        if let holidays, !["NL", "BE", "DE"].contains(holidays) {
            log.add(map.position("holidays"), "calendar.holidays must be NL, BE or DE, not '\(holidays)'")
        }
        var days: [String: [String]] = [:]
        for key in ["extra_closed_days", "extra_working_days"] {
            days[key] = map.list(key, required: false).compactMap { item in
                guard let text = item.scalar?.string, isDate(text) else {
                    log.add(item, "calendar.\(key): '\(item.scalar?.string ?? "?")' is not a date such as 2027-05-05")
                    return nil
                }
                return text
            }
        }
        guard let holidays else { return nil }
        return CalendarRules(holidays: holidays, region: map.string("region", required: false),
                             extraClosedDays: days["extra_closed_days"] ?? [], extraWorkingDays: days["extra_working_days"] ?? [])
    }

    static func readCode(_ top: MapReader, languages: [String], log: ProblemLog) -> CodeOfConduct? {
        guard let map = top.map("code_of_conduct", keys: ["version", "date", "articles", "criteria"]) else { return nil }
        let version = map.string("version")
        let date = map.string("date")
        if let date, !isDate(date) { log.add(map.position("date"), "code_of_conduct.date must be a date such as 2012-04-20, not '\(date)'") }
        var articles: [Article] = []
        for (index, item) in map.list("articles").enumerated() {
            guard let article = MapReader(item, path: "code_of_conduct.articles[\(index + 1)]", keys: ["number", "title", "text"], log: log) else { continue }
            let number = article.string("number")
            let title = article.localized("title", languages: languages)
            let text = article.localized("text", languages: languages)
            guard let number, let title, let text else { continue }
            if articles.contains(where: { $0.number == number }) {
                log.add(article.position("number"), "article number '\(number)' is used twice")
                continue
            }
            articles.append(Article(number: number, title: title, text: text))
        }
        if articles.isEmpty, map.node("articles", required: false) != nil { log.add(map.position("articles"), "code_of_conduct.articles must list at least one article") }
        var criteria: [Criterion] = []
        for (index, item) in map.list("criteria", required: false).enumerated() {
            guard let entry = MapReader(item, path: "code_of_conduct.criteria[\(index + 1)]", keys: ["id", "article", "question", "kind", "automated_check"], log: log) else { continue }
            let id = entry.string("id"), article = entry.string("article")
            let question = entry.localized("question", languages: languages)
            let kind = entry.choice("kind", Criterion.Kind.self)
            let check = entry.string("automated_check", required: false)
            guard let id, let article, let question, let kind else { continue }
            if criteria.contains(where: { $0.id == id }) {
                log.add(entry.position("id"), "criterion id '\(id)' is used twice")
                continue
            }
            if !articles.isEmpty, !articles.contains(where: { $0.number == article }) {
                log.add(entry.position("article"), "criterion '\(id)' points at article '\(article)', which the code of conduct does not have")
            }
            criteria.append(Criterion(id: id, article: article, question: question, kind: kind, automatedCheck: check))
        }
        guard let version, let date, !articles.isEmpty else { return nil }
        return CodeOfConduct(version: version, date: date, articles: articles, criteria: criteria)
    }

    static func isDate(_ text: String) -> Bool {
        guard text.range(of: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", options: .regularExpression) != nil else { return false }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text) != nil
    }

    static func syntaxProblem(_ error: YamlError, text: String) -> SchemeProblem {
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            // The parser names the mapping; find the key's second appearance in it, at its indentation.
            let key = duplicates.first ?? "?"
            let lines = text.components(separatedBy: "\n")
            var seen = 0
            for index in max(0, context.mark.line - 1)..<lines.count {
                let line = lines[index]
                let indent = line.prefix { $0 == " " }.count
                if indent + 1 < context.mark.column, index > context.mark.line - 1, !line.trimmingWhitespace().isEmpty { break }
                guard indent + 1 == context.mark.column, line.dropFirst(indent).hasPrefix(key + ":") else { continue }
                seen += 1
                if seen == 2 { return SchemeProblem(line: index + 1, column: indent + 1, message: "duplicate key '\(key)'; each key may appear once here") }
            }
            return SchemeProblem(line: context.mark.line, column: context.mark.column, message: "duplicate key '\(key)'; each key may appear once here")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return SchemeProblem(line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        default:
            return SchemeProblem(line: 1, column: 1, message: "not valid YAML: \(error)")
        }
    }
}
