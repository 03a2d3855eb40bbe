import FluentKit
import Foundation
import TrustmarkCore

/// What a member gets to show the seal: the embed code per domain (signed), where the seal was
/// seen lately, the certificate (PDF) and the seal as a file (SVG, and PNG through librsvg).
struct SealKitService: Sendable {
    let seals: SealService
    let register: PublicRegister
    /// `rsvg-convert`, when the server has it.
    let rasteriser: String?

    var desk: MembershipDesk { seals.desk }

    init(seals: SealService, register: PublicRegister, rasteriser: String? = SealKitService.findRasteriser()) {
        self.seals = seals
        self.register = register
        self.rasteriser = rasteriser
    }

    static func findRasteriser() -> String? {
        ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Embed: Sendable {
        let domain: String
        let snippet: String
    }

    /// The `<a><img></a>` for each of the shop's domains: no script, so it works under a strict CSP
    /// (the shop's `img-src` must allow this server).
    func embeds(_ shop: Shop, locale: AppLocale) -> [Embed] {
        guard let slug = shop.slug else { return [] }
        let alt = desk.localizer.text("embed_alt", locale, ["scheme": desk.scheme.name, "shop": shop.name])
        // The seal speaks the owner's language, like its alt text; the scheme's own language needs no parameter.
        let lang = locale.rawValue == desk.scheme.languages.first ? "" : "&amp;lang=\(locale.rawValue)"
        return shop.domains.filter { $0.releasedAt == nil }.map(\.domain).sorted().map { domain in
            let src = desk.baseURL + seals.signedPath(slug: slug, domain: domain).replacingOccurrences(of: "&", with: "&amp;") + lang
            return Embed(domain: domain, snippet: "<a href=\"\(desk.baseURL)/shops/\(slug)\" rel=\"noopener\"><img src=\"\(src)\" "
                + "width=\"\(SealImage.width)\" height=\"\(SealImage.height)\" alt=\"\(SealImage.escape(alt))\"></a>")
        }
    }

    /// Where the shop's seal was seen on its own domains, newest first (written every few seconds).
    func sightings(of shop: Shop) async throws -> [SealSighting] {
        try await SealSighting.query(on: desk.storage.db).filter(\.$shop.$id == shop.requireID()).filter(\.$ownDomain == true)
            .sort(\.$lastSeen, .descending).limit(20).all()
    }

    /// A member's own shop, or 404 (never another organisation's).
    func ownShop(_ id: String?, actor: Identity) async throws -> Shop {
        guard let id = id.flatMap(UUID.init(uuidString:)),
              let shop = try await Shop.query(on: desk.storage.db).filter(\.$id == id).with(\.$domains).first() else { throw AppError.notFound }
        try desk.checkOwn(shop.$organisation.id, actor)
        return shop
    }

    /// The facts a certificate or seal file states; refused while the seal is not valid.
    private func validRecord(_ shop: Shop) async throws -> ShopRecord {
        guard let slug = shop.slug, let record = try await register.record(slug: slug), record.seal.status.isValid,
              record.memberSince != nil, record.validUntil != nil else {
            throw AppError.conflict("seal_not_valid", "certificate_not_valid")
        }
        return record
    }

    func certificate(_ shop: Shop, locale: AppLocale) async throws -> Data {
        let record = try await validRecord(shop)
        let zone = desk.timeZone
        let variant = desk.variantName(record.variant, locale)
        return desk.writer.certificate(.init(shop: record.name, domains: record.domains, variant: variant,
                                             validFrom: (record.memberSince ?? desk.today).midday(in: zone),
                                             validUntil: (record.validUntil ?? desk.today).midday(in: zone),
                                             verificationURL: "\(desk.baseURL)/shops/\(record.slug)"), locale: locale)
    }

    /// The seal as a file: the drawing with its validity and verification address.
    func sealFile(_ shop: Shop, locale: AppLocale, width: Int) async throws -> String {
        let record = try await validRecord(shop)
        let image = seals.render(record.seal, slug: record.slug, status: record.seal.status, site: nil, locale: locale)
        let validity = desk.localizer.text("seal_file_validity", locale, ["from": desk.dayText(record.memberSince ?? desk.today, locale),
                                                                          "until": desk.dayText(record.validUntil ?? desk.today, locale)])
        return image.fileSVG(width: width, validity: validity, url: "\(desk.baseURL)/shops/\(record.slug)")
    }

    /// The same file as PNG, drawn by `rsvg-convert` from the SVG.
    func png(_ svg: String) throws -> Data {
        guard let rasteriser else { throw AppError(.serviceUnavailable, code: "png_unavailable", messageKey: "seal_png_unavailable") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rasteriser)
        process.arguments = ["--format", "png"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(svg.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            throw AppError(.internalServerError, code: "png_failed", messageKey: "seal_png_failed")
        }
        return data
    }
}
