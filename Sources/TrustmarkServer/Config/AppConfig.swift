import Configuration
import Foundation
import TrustmarkCore

/// How this instance runs. `production` hides developer helpers such as the settable clock.
public enum RunEnvironment: String, Sendable, CaseIterable {
    case development, production, testing
}

/// Every setting the server needs, read once at start-up and validated there, so that a wrong value
/// stops the server with one line instead of surfacing later in a request.
public struct AppConfig: Sendable {
    public var hostname: String
    public var port: Int
    public var database: DatabaseLocation
    public var schemePath: String
    public var environment: RunEnvironment
    public var baseURL: String
    /// `nil`: the system clock. A date: a settable clock starting there (never in production).
    public var fixedClockStart: Date?
    /// The project directory holding `Resources/`, `Public/` and `Schemes/`.
    public var resourcesDirectory: String
    /// Where files the server writes live (SQLite file, mail copies).
    public var dataDirectory: String
    public var logLevel: String
    /// Where mail is delivered; without it, development writes .eml files instead.
    public var smtp: SMTPSettings?
    public var mailFrom: String
    /// The shared secret the payment provider signs its webhook calls with; without it the
    /// webhook is off.
    public var paymentWebhookSecret: String? = nil
    /// How long consumers' browsers and the in-memory cache may keep a seal or verification page.
    public var sealMaxAge: Int = 60
    /// The largest file a consumer, shop or mediator may attach to a complaint, in bytes.
    public var attachmentMaxBytes: Int = 5 * 1024 * 1024
    /// The memory kept verification pages may take, in bytes.
    public var pageCacheBytes: Int = 512 << 20
    /// Requests a minute one API key may make (and as many at once); beyond that 429 with Retry-After.
    public var apiKeyRatePerMinute: Int = 120
    /// Whether webhook endpoints must be HTTPS (always in production; development and tests may use
    /// plain HTTP on loopback).
    public var webhooksRequireHTTPS = true
    /// Submissions a minute one address may make to each public form (complaint, review, report,
    /// application, password reset); 0 is no limit. On in production, off elsewhere unless set.
    public var formRatePerMinute = 0
    /// Seconds a webhook receiver has to answer before the attempt counts as failed.
    public var webhookTimeoutSeconds = 10
    /// The website checker: whether it runs, where a shop's home page is, and its politeness.
    public var siteChecker = SiteCheckerSettings()

    public var isProduction: Bool { environment == .production }
    public var usesHTTPS: Bool { baseURL.lowercased().hasPrefix("https://") }

    /// The configuration key for each setting; with the environment provider `trustmark.port`
    /// reads `TRUSTMARK_PORT`, `database.url` reads `DATABASE_URL`.
    public enum Key {
        public static let hostname: ConfigKey = "trustmark.hostname"
        public static let port: ConfigKey = "trustmark.port"
        public static let databaseURL: ConfigKey = "database.url"
        public static let scheme: ConfigKey = "trustmark.scheme"
        public static let environment: ConfigKey = "trustmark.env"
        public static let baseURL: ConfigKey = "trustmark.base.url"
        public static let clock: ConfigKey = "trustmark.clock"
        public static let resources: ConfigKey = "trustmark.resources"
        public static let data: ConfigKey = "trustmark.data"
        public static let logLevel: ConfigKey = "log.level"
        public static let smtpURL: ConfigKey = "smtp.url"
        public static let mailFrom: ConfigKey = "trustmark.mail.from"
        public static let paymentWebhookSecret: ConfigKey = "trustmark.payment.webhook.secret"
        public static let sealMaxAge: ConfigKey = "trustmark.seal.max.age"
        public static let apiKeyRate: ConfigKey = "trustmark.api.key.rate"
        public static let webhooksHTTPS: ConfigKey = "trustmark.webhooks.https"
        public static let webhookTimeout: ConfigKey = "trustmark.webhook.timeout"
        public static let formRate: ConfigKey = "trustmark.form.rate"
        public static let attachmentMaxKB: ConfigKey = "trustmark.attachment.max.kb"
        public static let pageCacheMB: ConfigKey = "trustmark.page.cache.mb"
        public static let siteChecker: ConfigKey = "trustmark.site.checker"
        public static let siteCheckerURL: ConfigKey = "trustmark.site.checker.url"
        public static let siteCheckerResolve: ConfigKey = "trustmark.site.checker.resolve"
        public static let siteCheckerIntervalMS: ConfigKey = "trustmark.site.checker.interval.ms"
    }

    /// Reads and validates every setting. Relative paths are taken from the current directory.
    public static func load(from reader: ConfigReader, workingDirectory: String = FileManager.default.currentDirectoryPath) throws(ConfigError) -> AppConfig {
        let environmentText = reader.string(forKey: Key.environment, default: "development")
        guard let environment = RunEnvironment(rawValue: environmentText.lowercased()) else {
            throw ConfigError(setting: "TRUSTMARK_ENV", message: "'\(environmentText)' is not one of development, production, testing")
        }
        let hostname = reader.string(forKey: Key.hostname, default: "127.0.0.1")
        guard !hostname.isEmpty, !hostname.contains(" ") else {
            throw ConfigError(setting: "--hostname / TRUSTMARK_HOSTNAME", message: "'\(hostname)' is not a host name or address")
        }
        let portText = reader.string(forKey: Key.port, default: "8080")
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigError(setting: "--port / TRUSTMARK_PORT", message: "'\(portText)' is not a port number (0-65535)")
        }
        let resources = try resolveResources(reader.string(forKey: Key.resources), workingDirectory: workingDirectory)
        let dataDirectory = DatabaseLocation.absolute(reader.string(forKey: Key.data, default: "data"), base: workingDirectory)
        let database = try DatabaseLocation.parse(reader.string(forKey: Key.databaseURL, isSecret: true), relativeTo: workingDirectory)

        let schemeRaw = reader.string(forKey: Key.scheme) ?? (resources as NSString).appendingPathComponent("Schemes/default.yaml")
        let schemePath = DatabaseLocation.absolute(schemeRaw, base: workingDirectory)
        guard FileManager.default.isReadableFile(atPath: schemePath) else {
            throw ConfigError(setting: "--scheme / TRUSTMARK_SCHEME", message: "cannot read scheme file \(schemePath)")
        }

        let baseURL = reader.string(forKey: Key.baseURL) ?? "http://\(hostname):\(port)"
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigError(setting: "TRUSTMARK_BASE_URL", message: "'\(baseURL)' is not an http:// or https:// address")
        }

        var fixedClockStart: Date?
        if let clock = reader.string(forKey: Key.clock), clock != "system" {
            guard clock.hasPrefix("fixed:") else {
                throw ConfigError(setting: "TRUSTMARK_CLOCK", message: "use 'system' or 'fixed:2026-12-24T10:00:00Z'")
            }
            guard environment != .production else {
                throw ConfigError(setting: "TRUSTMARK_CLOCK", message: "a fixed clock is not allowed when TRUSTMARK_ENV=production")
            }
            guard let date = ISO8601DateFormatter().date(from: String(clock.dropFirst("fixed:".count))) else {
                throw ConfigError(setting: "TRUSTMARK_CLOCK", message: "'\(clock.dropFirst(6))' is not an ISO 8601 time such as 2026-12-24T10:00:00Z")
            }
            fixedClockStart = date
        }
        let logLevel = reader.string(forKey: Key.logLevel, default: environment == .testing ? "warning" : "info").lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigError(setting: "LOG_LEVEL", message: "'\(logLevel)' is not a log level (trace, debug, info, notice, warning, error, critical)")
        }
        let smtp = try reader.string(forKey: Key.smtpURL, isSecret: true).map { text throws(ConfigError) in try SMTPSettings.parse(text) }
        let mailFrom = reader.string(forKey: Key.mailFrom) ?? "no-reply@\(url.host ?? "localhost")"
        guard EmailAddress.isValid(mailFrom) else {
            throw ConfigError(setting: "TRUSTMARK_MAIL_FROM", message: "'\(mailFrom)' is not an e-mail address")
        }
        let webhookSecret = reader.string(forKey: Key.paymentWebhookSecret, isSecret: true)
        if let webhookSecret, webhookSecret.utf8.count < 16 {
            throw ConfigError(setting: "TRUSTMARK_PAYMENT_WEBHOOK_SECRET", message: "the secret must be at least 16 characters")
        }
        var config = AppConfig(
            hostname: hostname, port: port, database: database, schemePath: schemePath,
            environment: environment, baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            fixedClockStart: fixedClockStart, resourcesDirectory: resources, dataDirectory: dataDirectory, logLevel: logLevel,
            smtp: smtp, mailFrom: mailFrom)
        config.paymentWebhookSecret = webhookSecret
        let maxAgeText = reader.string(forKey: Key.sealMaxAge, default: "60")
        guard let maxAge = Int(maxAgeText), (1...3600).contains(maxAge) else {
            throw ConfigError(setting: "TRUSTMARK_SEAL_MAX_AGE", message: "'\(maxAgeText)' is not a number of seconds from 1 to 3600")
        }
        config.sealMaxAge = maxAge
        let attachmentText = reader.string(forKey: Key.attachmentMaxKB, default: "5120")
        guard let attachmentKB = Int(attachmentText), (16...51_200).contains(attachmentKB) else {
            throw ConfigError(setting: "TRUSTMARK_ATTACHMENT_MAX_KB", message: "'\(attachmentText)' is not a number of kilobytes from 16 to 51200")
        }
        config.attachmentMaxBytes = attachmentKB * 1024
        let pageCacheText = reader.string(forKey: Key.pageCacheMB, default: "512")
        guard let pageCacheMB = Int(pageCacheText), (0...65_536).contains(pageCacheMB) else {
            throw ConfigError(setting: "TRUSTMARK_PAGE_CACHE_MB", message: "'\(pageCacheText)' is not a number of megabytes from 0 to 65536")
        }
        config.pageCacheBytes = pageCacheMB << 20
        config.siteChecker = try SiteCheckerSettings.load(reader, testing: environment == .testing)
        let rateText = reader.string(forKey: Key.apiKeyRate, default: "120")
        guard let rate = Int(rateText), (1...100_000).contains(rate) else {
            throw ConfigError(setting: "TRUSTMARK_API_KEY_RATE", message: "'\(rateText)' is not a number of requests a minute from 1 to 100000")
        }
        config.apiKeyRatePerMinute = rate
        let httpsText = reader.string(forKey: Key.webhooksHTTPS, default: environment == .production ? "required" : "optional")
        guard ["required", "optional"].contains(httpsText), environment != .production || httpsText == "required" else {
            throw ConfigError(setting: "TRUSTMARK_WEBHOOKS_HTTPS", message: "'\(httpsText)' must be 'required' (always in production) or 'optional'")
        }
        config.webhooksRequireHTTPS = httpsText == "required"
        let timeoutText = reader.string(forKey: Key.webhookTimeout, default: "10")
        guard let timeout = Int(timeoutText), (1...60).contains(timeout) else {
            throw ConfigError(setting: "TRUSTMARK_WEBHOOK_TIMEOUT", message: "'\(timeoutText)' is not a number of seconds from 1 to 60")
        }
        config.webhookTimeoutSeconds = timeout
        let formRateText = reader.string(forKey: Key.formRate, default: environment == .production ? "10" : "0")
        guard let formRate = Int(formRateText), (0...10_000).contains(formRate) else {
            throw ConfigError(setting: "TRUSTMARK_FORM_RATE", message: "'\(formRateText)' is not a number of submissions a minute from 0 (no limit) to 10000")
        }
        config.formRatePerMinute = formRate
        return config
    }

    /// The project directory: the one given, else the working directory if it holds the templates,
    /// else the checkout this binary was built from (so `swift run` and `swift test` work anywhere).
    public static func resolveResources(_ given: String?, workingDirectory: String) throws(ConfigError) -> String {
        let marker = "Resources/Templates"
        func holdsTemplates(_ dir: String) -> Bool {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(marker), isDirectory: &isDir) && isDir.boolValue
        }
        if let given {
            let path = DatabaseLocation.absolute(given, base: workingDirectory)
            guard holdsTemplates(path) else {
                throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "\(path) holds no \(marker) directory")
            }
            return path
        }
        if holdsTemplates(workingDirectory) { return workingDirectory }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        if holdsTemplates(checkout) { return checkout }
        throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "no \(marker) directory in \(workingDirectory); run from the project directory or set TRUSTMARK_RESOURCES")
    }
}

/// The website checker's settings: TRUSTMARK_SITE_CHECKER (`on` or `off`; off while testing unless a
/// test turns it on), TRUSTMARK_SITE_CHECKER_URL (a shop's home page from its domain, default
/// `https://{domain}/`), TRUSTMARK_SITE_CHECKER_RESOLVE (connect every site to this address: tests and
/// benchmarks on loopback) and TRUSTMARK_SITE_CHECKER_INTERVAL_MS (at least this long between two
/// requests to one host, default 1000: one request per second).
public struct SiteCheckerSettings: Sendable {
    public var enabled = true
    public var urlTemplate = "https://{domain}/"
    public var resolve: String?
    public var intervalMilliseconds = 1000

    public init() {}

    static func load(_ reader: ConfigReader, testing: Bool) throws(ConfigError) -> SiteCheckerSettings {
        var settings = SiteCheckerSettings()
        let switchText = reader.string(forKey: AppConfig.Key.siteChecker, default: testing ? "off" : "on").lowercased()
        guard ["on", "off"].contains(switchText) else { throw ConfigError(setting: "TRUSTMARK_SITE_CHECKER", message: "'\(switchText)' is neither on nor off") }
        settings.enabled = switchText == "on"
        settings.urlTemplate = reader.string(forKey: AppConfig.Key.siteCheckerURL, default: settings.urlTemplate)
        guard settings.urlTemplate.contains("{domain}"), settings.urlTemplate.hasPrefix("http://") || settings.urlTemplate.hasPrefix("https://") else {
            throw ConfigError(setting: "TRUSTMARK_SITE_CHECKER_URL", message: "'\(settings.urlTemplate)' must be an http(s) address with {domain} in it")
        }
        settings.resolve = reader.string(forKey: AppConfig.Key.siteCheckerResolve)
        let intervalText = reader.string(forKey: AppConfig.Key.siteCheckerIntervalMS, default: "1000")
        guard let interval = Int(intervalText), (0...60_000).contains(interval) else {
            throw ConfigError(setting: "TRUSTMARK_SITE_CHECKER_INTERVAL_MS", message: "'\(intervalText)' is not a number of milliseconds from 0 to 60000")
        }
        settings.intervalMilliseconds = interval
        return settings
    }
}
