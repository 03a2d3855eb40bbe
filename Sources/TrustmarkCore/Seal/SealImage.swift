import Foundation

/// What a seal says about a shop. The membership standing gives the first answer; sanctions and the
/// domain check (a seal shown on a site that is not the shop's) override it.
public enum SealStatus: Equatable, Sendable {
    /// The shop may show the seal; `since` is the first day of its membership.
    case valid(since: Day)
    case suspended
    case revoked
    /// Not (or no longer) a member, an unknown shop, or a seal right that lapsed.
    case notAMember
    /// Valid for its own domains, but shown on another site.
    case notValidHere

    public var isValid: Bool { if case .valid = self { return true } else { return false } }

    /// The membership standing as a seal status (sanctions plug in before this, domain checks after).
    public init(_ standing: SealStanding, memberSince: Day?) {
        switch standing {
        case .active: self = .valid(since: memberSince ?? Day(julian: 0))
        case .awaiting, .scheduled, .lapsed, .ended: self = .notAMember
        }
    }
}

/// A seal as an SVG image: the scheme's mark and name, the shop's name, and its status in words.
/// The drawing is fixed in its own coordinates (`viewBox`), so it stays sharp at any size; only
/// the width and height attributes change. Colours come from the scheme (variant, tier); anything
/// not valid is drawn in grey or red so a copied image can never pass for a valid one. Long text is
/// narrowed to fit (`textLength`); the status is never shortened, names only when very long.
public struct SealImage: Sendable {
    public struct Tier: Sendable, Equatable {
        public let name: String
        public let colour: String
        public init(name: String, colour: String) {
            self.name = name
            self.colour = colour
        }
    }

    public let schemeName: String
    public let shopName: String
    /// The variant's colour, e.g. `#0b5e4f`.
    public let colour: String
    public let status: SealStatus
    /// The status in the reader's language ("Geldig lid sinds 2027", "Niet geldig op deze website").
    public let statusText: String
    /// The long description for screen readers.
    public let description: String
    public let tier: Tier?
    /// The one domain a signed seal is valid on, named beside the shop.
    public let site: String?

    public static let width = 200
    public static let height = 72
    public static let sizes = 80...800
    static let invalidColour = "#6b6f76"
    static let warningColour = "#b00020"

    public init(schemeName: String, shopName: String, colour: String, status: SealStatus, statusText: String, description: String, tier: Tier? = nil, site: String? = nil) {
        self.schemeName = schemeName
        self.shopName = shopName
        self.colour = colour
        self.status = status
        self.statusText = statusText
        self.description = description
        self.tier = tier
        self.site = site
    }

    /// The SVG document, `width` pixels wide (clamped to `sizes`).
    public func svg(width requested: Int = SealImage.width) -> String {
        let width = min(max(requested, Self.sizes.lowerBound), Self.sizes.upperBound)
        let height = width * Self.height / Self.width
        let background: String
        switch status {
        case .valid: background = Self.safeColour(colour)
        case .notValidHere, .revoked: background = Self.warningColour
        case .suspended, .notAMember: background = Self.invalidColour
        }
        let mark = status.isValid
            ? "<path d=\"M14 37l8 8 16-18\" fill=\"none\" stroke=\"#fff\" stroke-width=\"5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"
            : "<path d=\"M16 26l20 20M36 26l-20 20\" stroke=\"#fff\" stroke-width=\"5\" stroke-linecap=\"round\"/>"
        var tierBadge = ""
        if let tier, status.isValid {
            tierBadge = "<circle cx=\"184\" cy=\"16\" r=\"11\" fill=\"\(Self.safeColour(tier.colour))\" stroke=\"#fff\" stroke-width=\"2\"/>"
                + "<text x=\"184\" y=\"20\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\" font-weight=\"700\">\(Self.escape(String(tier.name.prefix(1))))</text>"
        }
        // The status is never shortened; a long one is narrowed to the space there is.
        // Text that would run past the edge is narrowed to the space there is (the tier badge takes
        // the top right corner); only the shop's name is ever shortened, and only when very long.
        let scheme = Self.fit(schemeName, 28)
        let shop = site.map { Self.fit(shopName, 24) + " · " + Self.fit($0, 30) } ?? Self.fit(shopName, 30)
        let schemeFit = Self.narrowed(scheme.count > 12, to: tier == nil ? 138 : 112)
        let shopFit = Self.narrowed(shop.count > 22, to: 138)
        let statusFit = Self.narrowed(statusText.count > 24, to: 138)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(Self.width) \(Self.height)" role="img" aria-labelledby="t d">\
        <title id="t">\(Self.escape(schemeName)): \(Self.escape(statusText))</title><desc id="d">\(Self.escape(description))</desc>\
        <rect width="200" height="72" rx="10" fill="\(background)"/><circle cx="26" cy="36" r="19" fill="none" stroke="#fff" stroke-width="3"/>\(mark)\
        <g font-family="Helvetica,Arial,sans-serif" fill="#fff"><text x="54" y="24" font-size="14" font-weight="700"\(schemeFit)>\(Self.escape(scheme))</text>\
        <text x="54" y="43" font-size="11"\(shopFit)>\(Self.escape(shop))</text>\
        <text x="54" y="60" font-size="10" font-weight="700"\(statusFit)>\(Self.escape(statusText))</text></g>\(tierBadge)</svg>
        """
    }

    static func narrowed(_ needed: Bool, to width: Int) -> String {
        needed ? " textLength=\"\(width)\" lengthAdjust=\"spacingAndGlyphs\"" : ""
    }

    /// Shortens text that would run out of the seal, with an ellipsis.
    static func fit(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: if !character.isASCII || character.asciiValue.map({ $0 >= 32 }) == true { out.append(character) }
            }
        }
        return out
    }

    /// Only `#rgb` / `#rrggbb` colours reach the image; anything else falls back to grey.
    static func safeColour(_ text: String) -> String {
        let hex = text.dropFirst()
        guard text.hasPrefix("#"), hex.count == 3 || hex.count == 6, hex.allSatisfy(\.isHexDigit) else { return invalidColour }
        return text
    }
}

extension SealImage {
    /// The seal as a file to download (and the source of its PNG): the live drawing above two lines
    /// of small print, the validity and the verification address, so a printed or saved copy still
    /// says how far it may be trusted and where to check it.
    public func fileSVG(width requested: Int, validity: String, url: String) -> String {
        let width = min(max(requested, Self.sizes.lowerBound), Self.sizes.upperBound)
        let height = width * 100 / Self.width
        let seal = svg(width: Self.width).replacingOccurrences(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.width)\" height=\"\(Self.height)\"",
                                                               with: "<svg x=\"0\" y=\"0\" width=\"\(Self.width)\" height=\"\(Self.height)\"")
        let validityFit = Self.narrowed(validity.count > 42, to: 196)
        let urlFit = Self.narrowed(url.count > 46, to: 196)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 200 100">\
        <rect width="200" height="100" rx="10" fill="#fff"/>\(seal)\
        <g font-family="Helvetica,Arial,sans-serif" fill="#1f2328" text-anchor="middle">\
        <text x="100" y="84" font-size="8"\(validityFit)>\(Self.escape(validity))</text>\
        <text x="100" y="95" font-size="7"\(urlFit)>\(Self.escape(url))</text></g></svg>
        """
    }
}
