import Crypto
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import TrustmarkCore

/// The assembled server: the Hummingbird application plus the parts the command line and the tests
/// need to reach (storage, clock, services, the route table).
public struct TrustmarkApp: Sendable {
    public let application: Application<RouterResponder<AppRequestContext>>
    public let config: AppConfig
    public let storage: Storage
    public let clock: any TrustmarkClock
    public let routes: RouteTable
    /// The rules this server runs, as loaded and stored at start-up.
    public let scheme: ActiveScheme
    /// Signs and checks the links that let consumers prove an e-mail address.
    public let linkSigner: SignedLink
    let users: UsersService
    let accounts: AccountsService
    let ruleChanges: RuleChangesService
    let jobs: JobQueue
    let deadlines: DeadlinesService
    let documents: DocumentWriter
    let memberships: MembershipsService
    let applications: ApplicationsService
    let seals: SealService
    let register: PublicRegister
    let verificationPages: VerificationPages
    let complaints: ComplaintsService
    let reviews: ReviewsService
    let importer: MemberImporter
    let exporter: Exporter

    /// On an empty database, a one-time link for creating the first administrator.
    public func firstAdministratorLink() async throws -> String? {
        try await users.prepareFirstAdministratorLink()
    }

    /// Creates an active account (the `users create` command).
    public func createUser(email: String, name: String, role: Role, organisation: String?, password: String) async throws -> String {
        try await users.create(email: email, name: name, role: role, organisation: organisation, password: password).email
    }

    /// Walks the record's hash chain: the number of entries checked and the first broken one, if any.
    public func verifyRecord() async throws -> (checked: Int, problem: String?) {
        let result = try await RecordChain.verify(on: storage.db)
        return (result.checked, result.firstBreak?.description)
    }

    /// Imports a member list (the `import members` command): the report as JSON, and whether rows were refused.
    public func importMembers(_ data: Data, dryRun: Bool, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> (json: Data, text: String, refused: Int) {
        let report = try await importer.run(data, dryRun: dryRun, locale: .en, actor: .commandLine, progress: progress)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var lines = ["\(dryRun ? "Dry run, nothing stored" : "Imported"): \(report.organisations) organisations with \(report.shops) shops from \(report.rows) rows "
                     + "(read as \(report.encoding), \(report.separator) separated)."]
        if !report.refused.isEmpty { lines.append("Refused \(report.refused.count) rows:") }
        lines += report.refused.map { "  line \($0.line)\($0.column.map { " (\($0))" } ?? ""): \($0.message)" }
        return (try encoder.encode(report), lines.joined(separator: "\n"), report.refused.count)
    }

    /// A consistent backup of the database and the attachments into a new directory under `directory`
    /// (the `backup` command); `progress` counts the attachments copied.
    public func backup(into directory: String, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> (path: String, manifest: BackupManifest) {
        try await Backups(storage: storage, dataDirectory: config.dataDirectory, clock: clock, logger: application.logger).backup(into: directory, progress: progress)
    }

    /// Members, complaints or reviews as CSV (the `export` command).
    public func export(_ kind: String) async throws -> String? {
        guard let kind = Exporter.Kind(rawValue: kind) else { return nil }
        return try await exporter.csv(kind)
    }

    /// The message of an `AppError` or `FormErrors` in English, for the command line.
    public func describe(_ error: any Error) -> String {
        if let errors = error as? FormErrors {
            return errors.problems.map { "\($0.field ?? "input"): \(accounts.localizer.text($0.messageKey, .en, $0.arguments))" }.joined(separator: "\n")
        }
        if let error = error as? AppError {
            return (error.field.map { "\($0): " } ?? "") + accounts.localizer.text(error.messageKey, .en, error.arguments)
        }
        return String(describing: error)
    }
}

/// The process-wide metrics registry; swift-metrics can be bootstrapped only once per process.
enum MetricsRegistry {
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// Builds the whole server from a validated configuration: storage (connected and migrated), clock,
/// texts and templates, services, routes, middleware. Every dependency is passed explicitly.
///
/// `onReady` runs once the port is bound, with the first administrator's set-up link on an empty
/// database: a second instance that fails to bind must not replace the link the first one printed.
public func buildApplication(config: AppConfig, migrate: Bool = true,
                             onReady: (@Sendable (_ firstAdministratorLink: String?) async -> Void)? = nil) async throws -> TrustmarkApp {
    var logger = Logger(label: "trustmark")
    logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info

    let schemeFile: SchemeFile
    do {
        schemeFile = try SchemeFile.load(config.schemePath)
    } catch {
        throw SchemeRefused(lines: error.lines)
    }
    let storage = try Storage(location: config.database, logger: logger)
    do {
        try await storage.checkConnection()
        try await storage.prepareConnection()
        if migrate { try await storage.migrate() }
    } catch {
        await storage.shutdown()
        throw error
    }

    let secret = try await ServerSecret.loadOrCreate(on: storage.db)
    let linkSigner = SignedLink(secret: secret)
    let clock: any TrustmarkClock = config.fixedClockStart.map { SettableClock($0) } ?? SystemClock()
    let active = try await SchemeVersions.activate(schemeFile, storage: storage, at: clock.now())
    let localizer = try Localizer(directory: config.resourcesDirectory + "/Resources/Locales")
    let renderer = try await Renderer(templatesDirectory: config.resourcesDirectory + "/Resources/Templates", localizer: localizer,
                                      organisationName: active.scheme.name)
    let jobWake = JobWake()
    let outbox = MailOutbox(wake: jobWake)
    let accounts = AccountsService(storage: storage, clock: clock, outbox: outbox, localizer: localizer, baseURL: config.baseURL,
                                   bcryptCost: config.environment == .testing ? 4 : 12)
    let users = UsersService(accounts: accounts)
    let calendar = try CalendarData.calendar(for: active.scheme, resources: config.resourcesDirectory)
    let deadlines = DeadlinesService(storage: storage, clock: clock, deadlineClock: DeadlineClock(calendar: calendar))
    let documents = DocumentWriter(head: Letterhead(scheme: active.scheme), localizer: localizer, timeZone: active.timeZone)
    let letters = LettersService(storage: storage, clock: clock, writer: documents, timeZone: active.timeZone)
    let desk = MembershipDesk(storage: storage, clock: clock, active: active, outbox: outbox, localizer: localizer, baseURL: config.baseURL,
                              calendar: calendar, writer: documents, logger: logger)
    let memberships = MembershipsService(desk: desk)
    let seals = SealService(desk: desk, memberships: memberships, generation: SealCacheGeneration(storage: storage, pollInterval: 2),
                            signature: SealSignature(secret: secret), maxAge: TimeInterval(config.sealMaxAge))
    let ownHost = URL(string: config.baseURL)?.host.map(DomainName.normalise)
    let sealController = SealController(seals: seals, ownHost: ownHost)

    let apiKeys = APIKeysService(desk: desk, limiter: RateLimiter<UUID>(perMinute: config.apiKeyRatePerMinute))
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SealFastPath(controller: sealController))
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: WebMiddleware(renderer: renderer, config: config))
    router.add(middleware: FileMiddleware(config.resourcesDirectory + "/Public", urlBasePath: "/public", cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(3600)])]), searchForIndexHtml: false, logger: logger))
    router.add(middleware: FormRateLimitMiddleware(perMinute: config.formRatePerMinute, clock: clock))
    router.add(middleware: IdentityMiddleware(storage: storage, clock: clock, apiKeys: apiKeys))
    router.add(middleware: IdempotencyMiddleware(store: IdempotencyStore(storage: storage, clock: clock)))

    let routes = RouteTable(router: router, environment: config.environment)

    let accountsController = AccountsController(accounts: accounts, users: users, renderer: renderer, secureCookies: config.usesHTTPS)
    HomeController(storage: storage, renderer: renderer, timeZone: active.timeZone, charts: DashboardCharts(storage: storage, desk: desk), reviews: active.scheme.reviews != nil).register(on: routes)
    accountsController.register(on: routes)
    UsersController(users: users, renderer: renderer).register(on: routes)
    AccountsAPI(accounts: accounts, users: users).register(on: routes)
    let ruleChanges = RuleChangesService(storage: storage, clock: clock, active: active, outbox: outbox, localizer: localizer, baseURL: config.baseURL,
                                         deadlines: deadlines, letters: letters,
                                         endMembershipRecord: { organisation, db in try await memberships.endAfterRuleChange(organisation: organisation, on: db) })
    SchemeController(active: active, ruleChanges: ruleChanges, renderer: renderer).register(on: routes)
    SchemeAPI(active: active, ruleChanges: ruleChanges).register(on: routes)
    RecordController(storage: storage, renderer: renderer, timeZone: active.timeZone).register(on: routes)
    let jobs = JobQueue(storage: storage, clock: clock, logger: logger)
    jobs.register(recurring: RecurringJob(kind: MaintenanceJob.kind, hour: 3, timeZone: active.timeZone), MaintenanceJob.run)
    let delivery = MailDelivery(smtp: config.smtp, directory: config.environment == .development ? config.dataDirectory + "/mail" : nil,
                                fromAddress: config.mailFrom, fromName: active.scheme.name)
    jobs.register(MailOutbox.deliverJob, delivery.deliver)
    LettersController(letters: letters, renderer: renderer, scheme: active.scheme).register(on: routes)
    let applications = ApplicationsService(desk: desk, memberships: memberships, invoices: memberships.invoices)
    let membershipViews = MembershipViews(desk: desk, applications: applications, memberships: memberships)
    MembershipAPI(applications: applications, memberships: memberships, views: membershipViews, webhookSecret: config.paymentWebhookSecret, logger: logger).register(on: routes)
    sealController.register(on: routes)
    let publicRegister = PublicRegister(desk: desk, memberships: memberships, seals: seals, pageBudget: config.pageCacheBytes)
    let verificationPages = VerificationPages(register: publicRegister, renderer: renderer)
    ShopsController(register: publicRegister, pages: verificationPages, directory: ShopDirectory(desk: desk), renderer: renderer, ownHost: ownHost).register(on: routes)
    let sealKit = SealKitService(seals: seals, register: publicRegister)
    SealPagesController(kit: sealKit, misuse: MisuseCasesService(desk: desk, sightings: seals.sightings), renderer: renderer).register(on: routes)
    SealKitAPI(kit: sealKit).register(on: routes)
    ApplyController(applications: applications, views: membershipViews, store: IdempotencyStore(storage: storage, clock: clock), renderer: renderer).register(on: routes)
    PortalController(applications: applications, memberships: memberships, renderer: renderer).register(on: routes)
    StaffMembershipController(applications: applications, memberships: memberships, renderer: renderer).register(on: routes)
    jobs.register(recurring: RecurringJob(kind: MembershipsService.dailyKind, hour: 2, timeZone: active.timeZone)) { _ in try await memberships.sweep() }
    let complaints = ComplaintsService(desk: desk, deadlines: deadlines, files: EvidenceFiles(dataDirectory: config.dataDirectory, maxBytes: config.attachmentMaxBytes),
                                       links: linkSigner, register: publicRegister)
    ComplaintsAPI(complaints: complaints).register(on: routes)
    let sanctions = SanctionsService(desk: desk, memberships: memberships, sightings: seals.sightings)
    SanctionsAPI(sanctions: sanctions).register(on: routes)
    SanctionPages(sanctions: sanctions, renderer: renderer).register(on: routes)
    jobs.register(recurring: RecurringJob(kind: SanctionsService.dailyKind, hour: 2, timeZone: active.timeZone)) { _ in
        _ = try await sanctions.sweep()
        _ = try await sanctions.flagLegalSteps()
    }
    ComplaintPages(complaints: complaints, renderer: renderer).register(on: routes)
    ComplaintDeskPages(complaints: complaints, renderer: renderer).register(on: routes)
    jobs.register(ComplaintsService.expireJob) { context in try await complaints.expire(context.payload) }
    jobs.register(recurring: RecurringJob(kind: ComplaintsService.dailyKind, hour: 2, timeZone: active.timeZone)) { _ in
        try await complaints.slideWindow()
        try await complaints.eraseExpired()
    }
    let reviews = ReviewsService(desk: desk, register: publicRegister)
    ReviewsAPI(reviews: reviews).register(on: routes)
    ReviewPages(reviews: reviews, renderer: renderer).register(on: routes)
    ReviewModerationPages(reviews: reviews, renderer: renderer).register(on: routes)
    ReviewChartRoutes(reviews: reviews, maxAge: config.sealMaxAge).register(on: routes)
    jobs.register(ReviewsService.sendJob) { context in try await reviews.send(context.payload) }
    jobs.register(recurring: RecurringJob(kind: ReviewsService.dailyKind, hour: 2, timeZone: active.timeZone)) { _ in
        try await reviews.slideWindow()
        try await reviews.purgeRemoved()
        try await reviews.ladderSweep()
    }
    OffencePages(reviews: reviews, renderer: renderer).register(on: routes)
    TasksController(tasks: StaffTasksService(desk: desk), renderer: renderer).register(on: routes)
    let siteChecks = SiteCheckService.make(desk: desk, applications: applications, settings: config.siteChecker, sightings: seals.sightings)
    SiteCheckAPI(service: siteChecks).register(on: routes)
    SiteCheckPages(service: siteChecks, renderer: renderer).register(on: routes)
    jobs.register(SiteCheckService.runJob) { context in
        guard config.siteChecker.enabled else { return }
        try await siteChecks.runQueued(context.payload)
    }
    jobs.register(recurring: RecurringJob(kind: SiteCheckService.dailyKind, hour: 3, timeZone: active.timeZone)) { _ in
        guard config.siteChecker.enabled else { return }
        try await siteChecks.schedule()
        try await siteChecks.scanMisuse()
    }
    APIKeysAPI(keys: apiKeys).register(on: routes)
    let webhooks = WebhooksService(desk: desk, requireHTTPS: config.webhooksRequireHTTPS)
    WebhooksAPI(webhooks: webhooks).register(on: routes)
    IntegrationPages(keys: apiKeys, webhooks: webhooks, renderer: renderer).register(on: routes)
    let importer = MemberImporter(applications: applications)
    let exporter = Exporter(desk: desk)
    let progress = WorkProgress(storage: storage, clock: clock, localizer: localizer, importer: importer)
    jobs.register(WorkProgress.importJob, progress.runImport)
    ImportExportRoutes(importer: importer, exporter: exporter, progress: progress, renderer: renderer).register(on: routes)
    JobsController(queue: jobs, progress: progress, renderer: renderer, timeZone: active.timeZone).register(on: routes)
    DeskAPI(accounts: accounts, queue: jobs, letters: letters, complaints: complaints).register(on: routes)
    let privacy = PrivacyService(desk: desk, links: linkSigner, reviews: reviews,
                                 pseudonymKey: SymmetricKey(data: SHA256.hash(data: Data(("trustmark-pseudonym:" + secret).utf8))))
    PrivacyRoutes(privacy: privacy, renderer: renderer).register(on: routes)
    let sender = WebhookSender(desk: desk, timeout: .seconds(Int64(config.webhookTimeoutSeconds)))
    jobs.register(WebhooksService.deliverJob) { context in try await sender.deliver(context) }
    deadlines.registerJobs(on: jobs, actions: [RuleChangesService.transitionDeadline: ruleChanges.transitionActions].merging(complaints.deadlineActions) { first, _ in first })
    let openAPI = OpenAPIDocumentCache(routes: routes, baseURL: config.baseURL)
    OperationsController(storage: storage, clock: clock, jobs: jobs, metrics: MetricsRegistry.shared, openAPI: { openAPI.data }).register(on: routes)

    let sealCaches = SealLoopCaches(controller: sealController)
    let readyLogger = logger
    let application = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [SealChannelHandler(caches: sealCaches)])),
        configuration: .init(address: .hostname(config.hostname, port: config.port), serverName: "Trustmark"),
        // Tests drive the queue themselves (runDue, the developers' clock); everywhere else a worker
        // and the seal warmer run beside the web server.
        services: config.environment == .testing ? [storage] : [storage, JobWorker(queue: jobs, interval: .seconds(1), wake: jobWake, lane: .quick),
                                                                    JobWorker(queue: jobs, interval: .seconds(5), wake: nil, lane: .slow),
                                                                    JobWorker(queue: jobs, interval: .seconds(1), wake: nil, lane: .work), SealWarmer(seals: seals, register: publicRegister, pages: verificationPages, logger: logger)],
        onServerRunning: { _ in
            guard let onReady else { return }
            let link: String?
            do {
                link = try await users.prepareFirstAdministratorLink()
            } catch {
                readyLogger.error("could not prepare the set-up link", metadata: ["error": "\(error)"])
                link = nil
            }
            await onReady(link)
        },
        logger: logger)
    return TrustmarkApp(application: application, config: config, storage: storage, clock: clock, routes: routes, scheme: active, linkSigner: linkSigner, users: users, accounts: accounts,
                        ruleChanges: ruleChanges, jobs: jobs, deadlines: deadlines, documents: documents, memberships: memberships, applications: applications, seals: seals,
                        register: publicRegister, verificationPages: verificationPages, complaints: complaints, reviews: reviews,
                        importer: importer, exporter: exporter)
}

/// The API description, built on first request (after every route is registered) and kept.
final class OpenAPIDocumentCache: @unchecked Sendable {
    private let routes: RouteTable
    private let baseURL: String
    private let lock = NSLock()
    private var built: Data?

    init(routes: RouteTable, baseURL: String) {
        self.routes = routes
        self.baseURL = baseURL
    }

    var data: Data {
        lock.withLock {
            if let built { return built }
            let document = OpenAPIDocument.build(routes: routes.specs, baseURL: baseURL, version: TrustmarkVersion.current)
            built = document
            return document
        }
    }
}

public enum TrustmarkVersion {
    public static let current = "0.1.0"
}
