public extension Int {
    /// The number's decimal digits with leading zeros up to `width` ("%05d" without going through
    /// `String(format:)`, whose Foundation formatting costs more than building the rest of a row: days,
    /// references and invoice numbers are written millions of times by the generator).
    func zeroPadded(_ width: Int) -> String {
        let digits = String(magnitude)
        let padding = width - digits.utf8.count - (self < 0 ? 1 : 0)
        return (self < 0 ? "-" : "") + (padding > 0 ? String(repeating: "0", count: padding) : "") + digits
    }
}
