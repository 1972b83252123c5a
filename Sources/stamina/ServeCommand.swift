import ArgumentParser
import Foundation
import Logging
import StaminaServer

/// `stamina serve`: runs the job server. Every setting is a flag, a `STAMINA_*` environment
/// variable or a key of the `--config` TOML file (flags win, then the environment, then the file).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the STAMINA job server (legacy endpoints and /v1).",
        discussion: ServeCommand.settingsHelp)

    @Option(name: .long, help: "TOML file with settings (keys as the flags, without --).")
    var config: String?

    @Option(
        name: .customLong("set"), help: ArgumentHelp("Any setting as KEY=VALUE (repeatable).", valueName: "KEY=VALUE"))
    var settings: [String] = []

    @Option(help: "Address and port to listen on (default 127.0.0.1:8080).") var listen: String?
    @Option(name: .customLong("data-dir"), help: "Directory for the database and job files (default ./stamina-data).")
    var dataDirectory: String?
    @Option(help: "PostgreSQL URL postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...] (default: SQLite).")
    var database: String?
    @Option(help: "Jobs run at the same time (default: cores - 1, at least 1).") var workers: String?
    @Option(name: .customLong("time-limit"), help: "Wall-clock seconds per job (default 300).") var timeLimit: String?
    @Option(name: .customLong("memory-limit"), help: "Address-space bytes per job (default 524288000).")
    var memoryLimit: String?
    @Option(help: "Seconds a finished job is kept (default 36000).") var retention: String?
    @Option(
        name: .customLong("trusted-proxies"), help: "Comma-separated proxy addresses whose X-Forwarded-For is trusted.")
    var trustedProxies: String?
    @Option(
        name: .customLong("cors-origins"),
        help: "Comma-separated browser origins allowed (self = this server, * = any).")
    var corsOrigins: String?
    @Option(help: "Allow submitting without a token (default true).") var anonymous: String?
    @Option(name: .customLong("admin-token"), help: "Admin bearer token.") var adminToken: String?
    @Option(name: .customLong("job-page-url"), help: "Where legacy from_web replies redirect; {id} is replaced.")
    var jobPageURL: String?
    @Option(name: .customLong("path-prefix"), help: "Second mount point of the legacy endpoints (default /stamina).")
    var pathPrefix: String?
    @Option(name: .customLong("engine"), help: "The stamina binary that runs jobs (default: this executable).")
    var engine: String?
    @Option(name: .customLong("tls-certificate"), help: "PEM certificate chain: serve HTTPS without a proxy.")
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-certificate.") var tlsKey: String?
    @Option(help: "all (HTTP and workers, default), api (HTTP only) or worker (workers; health endpoints only).")
    var role: String?

    static var settingsHelp: String {
        let defaults = ServerConfiguration()
        var lines = ["Settings (--set KEY=VALUE, environment STAMINA_KEY, or KEY in the --config file), with defaults:"]
        for setting in ServerConfiguration.settings {
            let value = defaults.values.first { $0.key == setting.key }?.value ?? ""
            lines.append("  \(setting.key) = \(value.isEmpty ? "(empty)" : value)    \(setting.help)")
        }
        return lines.joined(separator: "\n")
    }

    func run() async throws {
        var flags: [(key: String, value: String)] = []
        let named: [(String, String?)] = [
            ("listen", listen), ("data-dir", dataDirectory), ("workers", workers), ("time-limit", timeLimit),
            ("memory-limit", memoryLimit), ("retention", retention), ("trusted-proxies", trustedProxies),
            ("cors-origins", corsOrigins), ("anonymous", anonymous), ("admin-token", adminToken),
            ("job-page-url", jobPageURL), ("path-prefix", pathPrefix), ("engine", engine),
            ("tls-certificate", tlsCertificate), ("tls-key", tlsKey), ("database", database), ("role", role),
        ]
        for (key, value) in named { if let value { flags.append((key, value)) } }
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw ValidationError("--set expects KEY=VALUE, got '\(setting)'")
            }
            flags.append((String(setting[..<equals]), String(setting[setting.index(after: equals)...])))
        }
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.load(
                file: config, environment: ProcessInfo.processInfo.environment, flags: flags)
        } catch {
            throw ValidationError(error.description)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "stamina.server")
        let scheme = configuration.tlsCertificate.isEmpty ? "http" : "https"
        let application = try await buildApplication(
            configuration: configuration,
            validator: IsolatingValidator(
                executable: ServerConfiguration.currentExecutable, limits: .init(configuration), logger: logger),
            logger: logger,
            onListening: { host, port in
                FileHandle.standardOutput.write(Data("stamina serve: listening on \(scheme)://\(host):\(port)\n".utf8))
            })
        try await application.runService()
    }
}
