import Foundation

/// Everything an operator can set. One value, filled from defaults, then a TOML file, then
/// `STAMINA_*` environment variables, then command-line flags (later sources win).
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./stamina-data"
    /// The shared PostgreSQL store; nil = SQLite in `dataDirectory`.
    public var database: DatabaseURL? = nil
    /// One worker per core but one, so that a 2-core VM keeps a core for HTTP and SQLite.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    public var timeLimitSeconds = 300.0
    /// CPU seconds per job (RLIMIT_CPU); 0 = the wall-clock limit times the engine threads.
    public var cpuLimitSeconds = 0.0
    public var memoryLimitBytes = 500 * 1024 * 1024
    public var engineThreads = 1
    public var maxAttempts = 2
    public var activeJobsPerOwner = 3
    public var jobsInSystem = 100
    /// QUEUED jobs per owner, so that no owner can fill the system queue.
    public var queuedJobsPerOwner = 3
    public var maxUploadBytes = 1024 * 1024
    /// Requests per second per client address; 0 switches the limiter off.
    public var rateLimit = 50.0
    public var rateBurst = 100.0
    public var retentionSeconds = 36_000.0
    public var pruneIntervalSeconds = 60.0
    public var trustedProxies: [String] = []
    /// The public web client's origins and the server's own (`self`); `*` allows every origin.
    public var corsOrigins: [String] = ["https://staminachecker.org", "https://www.staminachecker.org", "self"]
    public var allowAnonymous = true
    public var adminToken: String? = nil
    public var jobPageURL = "/job.html?id={id}"
    public var pathPrefix = "/stamina"
    /// The `stamina` binary that runs jobs; empty = this executable.
    public var enginePath = ""
    /// The user the engine runs as when the server runs as root; empty = the engine stays root.
    public var sandboxUser = "nobody"
    public var logLevel = "info"
    /// Seconds a new connection has to send a whole request head (slow clients that trickle a
    /// head hold a connection no longer).
    public var headerTimeoutSeconds = 20.0
    /// Seconds a client has to send a whole request body once its head arrived.
    public var bodyTimeoutSeconds = 60.0
    /// Seconds a kept-alive connection has, after a reply, to send the whole next request head.
    public var idleTimeoutSeconds = 30.0
    /// Open connections at most; past it a new connection is closed at once.
    public var maxConnections = 512
    /// Bearer token that may read `/metrics` (empty: only the admin token may).
    public var metricsToken: String? = nil
    /// PEM files for built-in HTTPS; both empty = plain HTTP (the usual case, behind nginx).
    public var tlsCertificate = ""
    public var tlsKey = ""
    /// A large submission is checked in a child process (`IsolatingValidator`) under these limits.
    public var checkMemoryLimitBytes = 1 << 30
    public var checkTimeLimitSeconds = 10
    public var checksAtOnce = 2
    /// What this process does: `all` (HTTP and workers), `api` (HTTP only), `worker` (workers only).
    public var role = ServerRole.all
    /// Names this process's workers in the store; empty = `<hostname>:<data-dir>`. A restarting node
    /// takes back at once the jobs its previous run held, so no two live processes may share it.
    public var nodeID = ""
    /// Seconds between a worker's lease renewals, and how long a lease lasts without one.
    public var heartbeatSeconds = 2.0
    public var leaseSeconds = 10.0
    /// Bytes of an output file (`transitions.txt`, `model.drn`) kept in the store; larger ones are dropped.
    public var maxArtifactBytes = 64 * 1024 * 1024
    /// Bytes of progress lines (stderr and engine events) kept per job; the rest is dropped with a note.
    public var maxEventBytes = 8 * 1024 * 1024

    public init() {}

    /// The worker identity in the store (see `nodeID`).
    public var resolvedNodeID: String {
        nodeID.isEmpty ? (ProcessInfo.processInfo.hostName + ":" + dataDirectory) : nodeID
    }

    public var cpuLimitEffective: Double {
        cpuLimitSeconds > 0 ? cpuLimitSeconds : timeLimitSeconds * Double(max(1, engineThreads)) + 5
    }

    public var resolvedEnginePath: String {
        enginePath.isEmpty ? Self.currentExecutable : enginePath
    }

    /// This `stamina` binary; it also runs `worker-exec` between the server and each engine run.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// A configuration key that a file, the environment or a flag may set.
public struct ConfigurationSetting: Sendable {
    public var key: String
    public var help: String
    var read: @Sendable (ServerConfiguration) -> String
    var write: @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void

    /// `data-dir` -> `STAMINA_DATA_DIR`.
    public var environmentName: String {
        "STAMINA_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension ServerConfiguration {
    public static let settings: [ConfigurationSetting] = [
        text("listen", "address and port to listen on (ADDR:PORT)", { "\($0.host):\($0.port)" }) {
            config, text throws(ConfigurationError) in
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else { throw ConfigurationError(description: "listen: expected ADDR:PORT, got '\(text)'") }
            config.host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            config.port = port
        },
        text("data-dir", "directory for the database and job files", { $0.dataDirectory }) { $0.dataDirectory = $1 },
        text(
            "database", "postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...] (empty = SQLite in data-dir)",
            { $0.database?.redacted ?? "" }
        ) { config, text throws(ConfigurationError) in
            config.database = text.isEmpty ? nil : try DatabaseURL(parsing: text)
        },
        int("workers", "jobs run at the same time (default: cores - 1, at least 1)", \.workers, min: 0),
        double("time-limit", "wall-clock seconds per job", \.timeLimitSeconds, min: 0.01),
        double("cpu-limit", "CPU seconds per job (0 = time limit x engine threads + 5)", \.cpuLimitSeconds, min: 0),
        int("memory-limit", "address-space bytes per job (RLIMIT_AS)", \.memoryLimitBytes, min: 16 * 1024 * 1024),
        int("engine-threads", "threads given to each engine run (-j)", \.engineThreads, min: 1),
        int("max-attempts", "runs of a job whose worker was lost before WORKER_LOST", \.maxAttempts, min: 1),
        int("owner-quota", "queued+running jobs per owner", \.activeJobsPerOwner, min: 1),
        int("system-quota", "queued+running jobs in the system", \.jobsInSystem, min: 1),
        int("owner-queued-quota", "queued jobs per owner", \.queuedJobsPerOwner, min: 1),
        int("max-upload", "bytes per uploaded file", \.maxUploadBytes, min: 1024),
        double("rate-limit", "requests per second per client (0 = off)", \.rateLimit, min: 0),
        double("rate-burst", "burst of requests per client", \.rateBurst, min: 1),
        double("retention", "seconds a finished job is kept before pruning", \.retentionSeconds, min: 0),
        double("prune-interval", "seconds between pruning passes", \.pruneIntervalSeconds, min: 0.05),
        list("trusted-proxies", "addresses whose X-Forwarded-For is trusted", \.trustedProxies),
        list(
            "cors-origins", "browser origins allowed (CORS, legacy writes); self = this server, * = any", \.corsOrigins),
        bool("anonymous", "allow submitting without a token (returns a token)", \.allowAnonymous),
        text(
            "admin-token", "admin bearer token (also: stamina token create --admin)",
            { $0.adminToken == nil ? "" : "(set)" }
        ) {
            $0.adminToken = $1.isEmpty ? nil : $1
        },
        text("job-page-url", "page the legacy from_web reply redirects to; {id} is replaced", { $0.jobPageURL }) {
            $0.jobPageURL = $1
        },
        text("path-prefix", "second mount point of the legacy endpoints (empty = none)", { $0.pathPrefix }) {
            config, text throws(ConfigurationError) in
            guard text.isEmpty || (text.hasPrefix("/") && !text.hasSuffix("/")) else {
                throw ConfigurationError(description: "path-prefix: expected /name, got '\(text)'")
            }
            config.pathPrefix = text
        },
        text("engine", "stamina binary that runs jobs (empty = this executable)", { $0.enginePath }) {
            $0.enginePath = $1
        },
        text("sandbox-user", "user the engine runs as when the server is root (empty = root)", { $0.sandboxUser }) {
            $0.sandboxUser = $1
        },
        text("log-level", "trace, debug, info, notice, warning, error, critical", { $0.logLevel }) {
            $0.logLevel = $1
        },
        double(
            "header-timeout", "seconds a new connection has to send a whole request head", \.headerTimeoutSeconds,
            min: 0.05),
        double("body-timeout", "seconds to send a request body after its head", \.bodyTimeoutSeconds, min: 0.05),
        double(
            "idle-timeout", "seconds a kept-alive connection has after a reply to send the next head",
            \.idleTimeoutSeconds, min: 0.05),
        int("max-connections", "open connections at most (more are closed at once)", \.maxConnections, min: 1),
        text(
            "metrics-token", "bearer token that may read /metrics (empty: admin only)",
            { $0.metricsToken == nil ? "" : "(set)" }
        ) {
            $0.metricsToken = $1.isEmpty ? nil : $1
        },
        text("tls-certificate", "PEM certificate chain for built-in HTTPS (empty = plain HTTP)", { $0.tlsCertificate })
        {
            $0.tlsCertificate = $1
        },
        text(
            "tls-key", "PEM private key for built-in HTTPS (with tls-certificate)", { $0.tlsKey }
        ) {
            $0.tlsKey = $1
        },
        int(
            "check-memory-limit", "address-space bytes of a large submission's check (a child process)",
            \.checkMemoryLimitBytes, min: 64 * 1024 * 1024),
        int(
            "check-time-limit", "CPU seconds of a large submission's check (wall: twice that)", \.checkTimeLimitSeconds,
            min: 1),
        int("checks-at-once", "large submissions checked at the same time (more: 503)", \.checksAtOnce, min: 1),
        text("role", "all (HTTP and workers), api (HTTP only) or worker (workers, no HTTP)", { $0.role.rawValue }) {
            config, text throws(ConfigurationError) in
            guard let role = ServerRole(rawValue: text.lowercased()) else {
                throw ConfigurationError(description: "role: expected all, api or worker, got '\(text)'")
            }
            config.role = role
        },
        text("node-id", "this process's worker identity in the store (empty = hostname:data-dir)", { $0.nodeID }) {
            $0.nodeID = $1
        },
        double("heartbeat-interval", "seconds between a worker's lease renewals", \.heartbeatSeconds, min: 0.05),
        double("lease", "seconds a worker's claim lasts without a heartbeat", \.leaseSeconds, min: 0.2),
        int(
            "max-artifact", "bytes of an output file kept per job (larger ones are dropped)", \.maxArtifactBytes, min: 0
        ),
        int("max-events", "bytes of progress lines kept per job", \.maxEventBytes, min: 1024),
    ]

    public static func setting(_ key: String) -> ConfigurationSetting? {
        settings.first { $0.key == key }
    }

    public mutating func set(_ key: String, _ value: String) throws(ConfigurationError) {
        guard let setting = Self.setting(key) else {
            throw ConfigurationError(description: "unknown configuration key '\(key)'")
        }
        try setting.write(&self, value)
    }

    /// Every key with its current value (for `/v1/about` and `--help`).
    public var values: [(key: String, value: String)] {
        Self.settings.map { ($0.key, $0.read(self)) }
    }

    // MARK: setting builders

    private static func text(
        _ key: String, _ help: String, _ read: @escaping @Sendable (ServerConfiguration) -> String,
        _ write: @escaping @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void
    ) -> ConfigurationSetting {
        ConfigurationSetting(key: key, help: help, read: read, write: write)
    }

    private static func int(
        _ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Int> & Sendable, min: Int
    ) -> ConfigurationSetting {
        ConfigurationSetting(key: key, help: help, read: { "\($0[keyPath: path])" }) {
            config, text throws(ConfigurationError) in
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= min else {
                throw ConfigurationError(description: "\(key): expected an integer >= \(min), got '\(text)'")
            }
            config[keyPath: path] = value
        }
    }

    private static func double(
        _ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Double> & Sendable, min: Double
    ) -> ConfigurationSetting {
        ConfigurationSetting(key: key, help: help, read: { "\($0[keyPath: path])" }) {
            config, text throws(ConfigurationError) in
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= min else {
                throw ConfigurationError(description: "\(key): expected a number >= \(min), got '\(text)'")
            }
            config[keyPath: path] = value
        }
    }

    private static func bool(
        _ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Bool> & Sendable
    ) -> ConfigurationSetting {
        ConfigurationSetting(key: key, help: help, read: { "\($0[keyPath: path])" }) {
            config, text throws(ConfigurationError) in
            switch text.lowercased() {
            case "true", "1", "yes", "on": config[keyPath: path] = true
            case "false", "0", "no", "off": config[keyPath: path] = false
            default: throw ConfigurationError(description: "\(key): expected true or false, got '\(text)'")
            }
        }
    }

    private static func list(
        _ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, [String]> & Sendable
    ) -> ConfigurationSetting {
        ConfigurationSetting(key: key, help: help, read: { $0[keyPath: path].joined(separator: ",") }) { config, text in
            config[keyPath: path] = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
    }
}
