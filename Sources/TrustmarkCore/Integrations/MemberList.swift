import Foundation

/// The member list an organisation keeps in a spreadsheet before it runs Trustmark: one row per
/// shop, the organisation's facts repeated on each of its shops' rows. Headers may be English,
/// Dutch or German, in any order and case.
public enum MemberList {
    public enum Column: String, CaseIterable, Sendable {
        case organisation, kvk, vat
        case contactName = "contact_name"
        case contactEmail = "contact_email"
        case shop, domains, variant
        case memberSince = "member_since"
        case paidUntil = "paid_until"
        case street, postcode, city, country, phone, email, language
    }

    public static let required: [Column] = [.organisation, .kvk, .vat, .contactName, .contactEmail, .shop, .domains, .memberSince, .paidUntil]

    static let names: [String: Column] = {
        var names: [String: Column] = [:]
        for column in Column.allCases { names[column.rawValue] = column }
        let more: [Column: [String]] = [
            .organisation: ["organisatie", "bedrijf", "bedrijfsnaam", "organisation name", "organisationsname", "firma", "unternehmen", "legal name"],
            .kvk: ["kvk-nummer", "kvk nummer", "kvknummer", "chamber of commerce", "handelsregister", "handelsregisternummer", "registration number"],
            .vat: ["btw", "btw-nummer", "btw nummer", "vat number", "ust-idnr", "ust-id", "umsatzsteuer-id"],
            .contactName: ["contactpersoon", "contact", "contact name", "ansprechpartner", "kontaktperson"],
            .contactEmail: ["e-mail contactpersoon", "contact e-mail", "contact email", "e-mail ansprechpartner", "kontakt e-mail"],
            .shop: ["webwinkel", "winkel", "shop name", "webshop", "onlineshop"],
            .domains: ["domein", "domeinen", "domain", "website", "websites", "domänen", "domäne"],
            .variant: ["variant", "keurmerk", "siegel", "seal"],
            .memberSince: ["lid sinds", "lid vanaf", "member since", "mitglied seit"],
            .paidUntil: ["betaald tot", "betaald t/m", "paid until", "bezahlt bis"],
            .street: ["straat", "adres", "address", "straße", "strasse", "anschrift"],
            .postcode: ["postal code", "zip", "plz", "postleitzahl"],
            .city: ["plaats", "woonplaats", "stad", "ort", "stadt"],
            .country: ["land"],
            .phone: ["telefoon", "telefoonnummer", "telephone", "telefon"],
            .email: ["e-mail", "e-mail organisatie", "organisation email", "e-mail unternehmen"],
            .language: ["taal", "sprache"],
        ]
        for (column, words) in more { for word in words { names[word] = column } }
        return names
    }()

    /// Where each known column is, and the required ones that are missing.
    public static func columns(_ header: [String]) -> (positions: [Column: Int], missing: [Column]) {
        var positions: [Column: Int] = [:]
        for (index, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: " ")
            if let column = names[name] ?? names[name.replacingOccurrences(of: " ", with: "_")], positions[column] == nil { positions[column] = index }
        }
        return (positions, required.filter { positions[$0] == nil })
    }

    /// A date as spreadsheets write it: 2024-03-01, 1-3-2024, 01/03/2024 or 01.03.2024 (day first).
    public static func day(_ raw: String) -> Day? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let day = Day(text) { return day }
        let parts = text.split(whereSeparator: { "-/.".contains($0) }).map(String.init)
        guard parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]), parts[2].count == 4 else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// The domains of a shop's cell, as typed: separated by spaces, commas, semicolons or bars.
    public static func domains(_ raw: String) -> [String] {
        raw.split(whereSeparator: { " ,;|\n\t".contains($0) }).map(String.init)
    }
}
