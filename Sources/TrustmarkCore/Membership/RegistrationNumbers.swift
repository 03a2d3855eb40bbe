import Foundation

/// Checks of the numbers an applicant gives: the Dutch Chamber of Commerce (KvK) number and EU VAT
/// numbers (their format per country, and the check digits where a country's numbers carry one we
/// can verify offline). Whether a number is really registered is for the register to say.
public enum RegistrationNumbers {
    public enum Problem: Equatable, Sendable {
        case kvkFormat
        case vatUnknownCountry(String)
        case vatFormat(country: String, example: String)
        case vatCheckDigits
    }

    /// Removes the spaces, dots and hyphens people type, and upper-cases.
    public static func normalise(_ raw: String) -> String {
        raw.uppercased().filter { !" .-".contains($0) }
    }

    /// A KvK number has 8 digits.
    public static func checkKvK(_ raw: String) -> Problem? {
        let number = normalise(raw)
        return number.count == 8 && number.allSatisfy(\.isASCIIDigit) ? nil : .kvkFormat
    }

    /// Formats of EU VAT identification numbers after the country prefix, with an example of each.
    static let vatFormats: [String: (pattern: String, example: String)] = [
        "AT": ("^U[0-9]{8}$", "ATU12345678"), "BE": ("^[01][0-9]{9}$", "BE0123456749"), "BG": ("^[0-9]{9,10}$", "BG123456789"),
        "CY": ("^[0-9]{8}[A-Z]$", "CY12345678X"), "CZ": ("^[0-9]{8,10}$", "CZ12345678"), "DE": ("^[0-9]{9}$", "DE123456789"),
        "DK": ("^[0-9]{8}$", "DK12345678"), "EE": ("^[0-9]{9}$", "EE123456789"), "EL": ("^[0-9]{9}$", "EL123456789"),
        "ES": ("^[0-9A-Z][0-9]{7}[0-9A-Z]$", "ESX1234567X"), "FI": ("^[0-9]{8}$", "FI12345678"), "FR": ("^[0-9A-Z]{2}[0-9]{9}$", "FR12345678901"),
        "HR": ("^[0-9]{11}$", "HR12345678901"), "HU": ("^[0-9]{8}$", "HU12345678"), "IE": ("^[0-9][0-9A-Z+*][0-9]{5}[A-Z]{1,2}$", "IE1234567X"),
        "IT": ("^[0-9]{11}$", "IT12345678901"), "LT": ("^([0-9]{9}|[0-9]{12})$", "LT123456789"), "LU": ("^[0-9]{8}$", "LU12345678"),
        "LV": ("^[0-9]{11}$", "LV12345678901"), "MT": ("^[0-9]{8}$", "MT12345678"), "NL": ("^[0-9]{9}B[0-9]{2}$", "NL123456789B01"),
        "PL": ("^[0-9]{10}$", "PL1234567890"), "PT": ("^[0-9]{9}$", "PT123456789"), "RO": ("^[0-9]{2,10}$", "RO1234567890"),
        "SE": ("^[0-9]{12}$", "SE123456789012"), "SI": ("^[0-9]{8}$", "SI12345678"), "SK": ("^[0-9]{10}$", "SK1234567890"),
    ]

    public static func checkVAT(_ raw: String) -> Problem? {
        let number = normalise(raw)
        let country = String(number.prefix(2))
        guard let format = vatFormats[country] else { return .vatUnknownCountry(country) }
        let rest = String(number.dropFirst(2))
        guard rest.range(of: format.pattern, options: .regularExpression) != nil else { return .vatFormat(country: country, example: format.example) }
        switch country {
        case "NL": return dutchCheck(number) ? nil : .vatCheckDigits
        case "BE": return belgianCheck(rest) ? nil : .vatCheckDigits
        default: return nil
        }
    }

    /// A Dutch VAT number passes if either check holds: the 11-test on its nine digits (older
    /// numbers, derived from the fiscal number) or mod 97 on the whole number with its letters as
    /// numbers (the numbers for sole traders since 2020).
    static func dutchCheck(_ number: String) -> Bool {
        let digits = number.dropFirst(2).prefix(9).compactMap(\.wholeNumberValue)
        guard digits.count == 9 else { return false }
        let weighted = zip(digits.prefix(8), (2...9).reversed()).reduce(0) { $0 + $1.0 * $1.1 } - digits[8]
        if weighted % 11 == 0 { return true }
        var remainder = 0
        for character in number {
            let value: Int
            if let digit = character.wholeNumberValue { value = digit } else if let ascii = character.asciiValue, (65...90).contains(ascii) { value = Int(ascii) - 55 } else { return false }
            for digit in String(value) { remainder = (remainder * 10 + digit.wholeNumberValue!) % 97 }
        }
        return remainder == 1
    }

    /// A Belgian enterprise number: the last two digits are 97 minus the first eight modulo 97.
    static func belgianCheck(_ digits: String) -> Bool {
        guard let head = Int(digits.prefix(8)), let check = Int(digits.suffix(2)) else { return false }
        return 97 - head % 97 == check
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
