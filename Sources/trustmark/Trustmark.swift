import ArgumentParser
import Configuration
import Foundation
import TrustmarkCore
import Logging
import TrustmarkServer

@main
struct Trustmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustmark",
        abstract: "Runs a webshop trustmark: applications, audits, the seal, complaints, reviews and sanctions.",
        version: TrustmarkVersion.current,
        subcommands: [Serve.self, Migrate.self, Users.self, SchemeCommand.self, CalendarCommand.self, AuditLogCommand.self, BenchmarkCommand.self, GenerateCommand.self, CheckSiteCommand.self, ImportCommand.self, ExportCommand.self, BackupCommand.self, RestoreCommand.self])
}

/// Options every command that opens the database shares. Unset options fall through to the
/// environment (TRUSTMARK_PORT, DATABASE_URL, ...), then to the defaults.
struct CommonOptions: ParsableArguments {
    @Option(help: "Address to listen on (TRUSTMARK_HOSTNAME; default 127.0.0.1).")
    var hostname: String?

    @Option(help: "Port to listen on (TRUSTMARK_PORT; default 8080).")
    var port: String?

    @Option(help: "Scheme file (TRUSTMARK_SCHEME; default Schemes/default.yaml).")
    var scheme: String?

    @Option(name: .customLong("database-url"), help: "sqlite:///path.sqlite or postgres://user:pass@host:5432/db (DATABASE_URL; default data/trustmark.sqlite).")
    var databaseURL: String?

    /// Reads the configuration, or prints the one line that says what is wrong and exits 2.
    func loadConfig() throws -> AppConfig {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func put(_ key: ConfigKey, _ value: String?, secret: Bool = false) {
            if let value { values[AbsoluteConfigKey(key)] = .init(.string(value), isSecret: secret) }
        }
        put(AppConfig.Key.hostname, hostname)
        put(AppConfig.Key.port, port)
        put(AppConfig.Key.scheme, scheme)
        put(AppConfig.Key.databaseURL, databaseURL, secret: true)
        let reader = ConfigReader(providers: [InMemoryProvider(name: "arguments", values: values), EnvironmentVariablesProvider()])
        do {
            return try AppConfig.load(from: reader)
        } catch {
            stderr("trustmark: \(error)")
            throw ExitCode(2)
        }
    }
}

/// Writes a line to standard output unbuffered, so it reaches a log file or pipe at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func stderr(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Builds the application, printing a failure as one line.
func build(_ config: AppConfig, migrate: Bool = true, onReady: (@Sendable (String?) async -> Void)? = nil) async throws -> TrustmarkApp {
    do {
        return try await buildApplication(config: config, migrate: migrate, onReady: onReady)
    } catch let error as ConfigError {
        stderr("trustmark: \(error)")
        throw ExitCode(2)
    } catch let error as SchemeRefused {
        stderr("trustmark: the scheme file is not valid; nothing was started:")
        for line in error.lines { stderr(line) }
        throw ExitCode(2)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the web server (creates and migrates the database on first start).")

    @OptionGroup var options: CommonOptions

    @Flag(help: "On an empty database, fill in a demo scheme (fictitious shops in every state) and print demo logins.")
    var demo = false

    func run() async throws {
        let config = try options.loadConfig()
        let started = Date()
        let app = try await build(config) { link in
            if let link {
                say("""

                    No administrator exists yet. Create the first one by opening this one-time link:

                        \(link)

                    """)
            }
            say("Trustmark \(TrustmarkVersion.current) on \(config.baseURL) (database: \(config.database.redacted), environment: \(config.environment.rawValue), ready in \(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
        }
        if demo {
            do {
                if let logins = try await app.fillDemo() {
                    say("Demo data filled in. Sign in at \(config.baseURL)/login with (password for all: \(logins.first?.password ?? "")):")
                    for login in logins { say("    \(login.role.padding(toLength: 10, withPad: " ", startingAt: 0)) \(login.email)") }
                } else {
                    say("The database already has users; no demo data was added.")
                }
            } catch {
                stderr("trustmark: the demo data could not be filled in: \(app.describe(error))")
                await app.storage.shutdown()
                throw ExitCode(1)
            }
        }
        do {
            try await app.application.runService()
        } catch {
            stderr("trustmark: " + StartupFailure.describe(error, config: config))
            await app.storage.shutdown()
            throw ExitCode(1)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema, then exit.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.loadConfig()
        // The schema first, on the bare database: the application itself reads tables a new database lacks.
        let storage = try Storage(location: config.database, logger: Logger(label: "trustmark"))
        let ran: [String]
        do {
            try await storage.checkConnection()
            try await storage.prepareConnection()
            ran = try await storage.migrate()
        } catch {
            await storage.shutdown()
            throw error
        }
        await storage.shutdown()
        print(ran.isEmpty ? "The database at \(config.database.redacted) is up to date." : "Ran \(ran.count) migration(s): \(ran.joined(separator: ", "))")
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage user accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an active user; the password is read from standard input.")

        @Option(help: "The user's e-mail address.")
        var email: String

        @Option(help: "admin, inspector, mediator, finance or member.")
        var role: String

        @Option(help: "Display name (default: the e-mail address).")
        var name: String = ""

        @Option(help: "The member's organisation (required for --role member).")
        var organisation: String?

        @OptionGroup var options: CommonOptions

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let config = try options.loadConfig()
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                stderr("trustmark: no password on standard input (e.g. printf '%s\\n' \"$PASSWORD\" | trustmark users create ...)")
                throw ExitCode(2)
            }
            let app = try await build(config)
            do {
                let email = try await app.createUser(email: email, name: name, role: Role(rawValue: role)!, organisation: organisation, password: password)
                print("Created \(role) \(email).")
                await app.storage.shutdown()
            } catch {
                stderr("trustmark: \(app.describe(error))")
                await app.storage.shutdown()
                throw ExitCode(1)
            }
        }
    }
}
