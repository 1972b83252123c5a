import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the whole server from its configuration: the store, the worker pool, the pruner, the
/// router with its middleware. Tests call it directly; `stamina serve` runs what it returns.
/// `store`: a store opened by the caller (tests pass an `InMemoryJobStore`); nil opens the one
/// the configuration names.
public func buildApplication(
    configuration: ServerConfiguration, validator: any ModelValidator, logger: Logger,
    store givenStore: (any JobStore)? = nil,
    onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
) async throws -> some ApplicationProtocol {
    var configuration = configuration
    guard configuration.leaseSeconds > configuration.heartbeatSeconds else {
        throw ConfigurationError(
            description: "lease (\(configuration.leaseSeconds) s) must be longer than heartbeat-interval "
                + "(\(configuration.heartbeatSeconds) s)")
    }
    let tls = try BuiltInTLS.tlsConfiguration(configuration)
    configuration.dataDirectory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
    try FileManager.default.createDirectory(
        atPath: configuration.dataDirectory + "/jobs", withIntermediateDirectories: true)
    let store: any JobStore =
        if let givenStore { givenStore } else { try await openStore(configuration: configuration, logger: logger) }
    let metrics = ServerMetrics()
    let runner = JobRunner(store: store, configuration: configuration, logger: logger, metrics: metrics)
    let service = JobService(
        store: store, runner: runner, validator: validator, configuration: configuration, metrics: metrics,
        logger: logger)
    let tokens = TokenAuthority(store: store, adminToken: configuration.adminToken)
    let pruner = Pruner(store: store, configuration: configuration, logger: logger, tokens: tokens)
    let trustedProxies = Set(configuration.trustedProxies)

    let router = Router(context: StaminaRequestContext.self)
    let origins = OriginPolicy(origins: configuration.corsOrigins, trustedProxies: trustedProxies)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: CORSPolicyMiddleware(policy: origins))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ErrorMiddleware(legacyPrefix: configuration.pathPrefix))
    router.add(
        middleware: RateLimitMiddleware(
            limiter: RateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst),
            trustedProxies: trustedProxies))
    router.add(middleware: LegacyOriginMiddleware(policy: origins, pathPrefix: configuration.pathPrefix))

    // A worker node answers only the operations endpoints (health, readiness, metrics): no job API.
    if configuration.role.servesHTTP {
        let legacy = LegacyController(
            service: service, tokens: tokens, configuration: configuration, trustedProxies: trustedProxies)
        legacy.register(on: router)
        if !configuration.pathPrefix.isEmpty {
            legacy.register(on: router.group(RouterPath(configuration.pathPrefix)))
        }
        JobsController(service: service, tokens: tokens, configuration: configuration, trustedProxies: trustedProxies)
            .register(on: router)
        WebAppController().register(on: router)
    }
    OperationsController(service: service, configuration: configuration, metrics: metrics, tokens: tokens)
        .register(on: router)
    // Behind a proxy that keeps the prefix (nginx `location /stamina/ { proxy_pass http://up; }`),
    // the web app and `/v1` are there too; the pages' links are relative, so they stay below it.
    if configuration.role.servesHTTP && !configuration.pathPrefix.isEmpty {
        let prefixed = router.group(RouterPath(configuration.pathPrefix))
        JobsController(service: service, tokens: tokens, configuration: configuration, trustedProxies: trustedProxies)
            .register(on: prefixed)
        OperationsController(service: service, configuration: configuration, metrics: metrics, tokens: tokens)
            .register(on: prefixed)
        WebAppController().register(on: prefixed)
    }

    var services: [any Service] = [StoreClosing(store: store)]
    if configuration.role.runsWorkers {
        services.append(runner)
        services.append(
            LeaseSweeper(store: store, configuration: configuration, logger: logger) { [runner] in runner.wake() })
    }
    services.append(pruner)
    let listening = (host: configuration.host, port: configuration.port)
    let server = try BuiltInTLS.server(tls, wrapping: ConnectionGuard.server(configuration))
    return Application(
        router: router, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "stamina"),
        services: services,
        onServerRunning: { channel in
            await onListening(listening.host, channel.localAddress?.port ?? listening.port)
        },
        logger: logger)
}

/// `stamina token create`: issues a bearer token in the server's database.
public enum TokenIssuer {
    public static func create(dataDirectory: String, database: DatabaseURL? = nil, admin: Bool, logger: Logger)
        async throws -> String
    {
        let store: any JobStore
        if let database {
            store = try await PostgresJobStore.open(url: database, maximumConnections: 1, logger: logger)
        } else {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            store = try await SQLiteJobStore.open(path: dataDirectory + "/stamina.sqlite", readers: 1, logger: logger)
        }
        let token = RandomIdentifier.token()
        let record = TokenRecord(
            hash: RandomIdentifier.sha256Hex(token), owner: admin ? "admin" : RandomIdentifier.owner(), isAdmin: admin)
        try await store.insertToken(record, now: Date())
        await store.close()
        return token
    }
}

/// Accepts every model: for tests of the server alone (`InProcessServer`), which need no engine.
public struct AcceptingValidator: ModelValidator {
    public init() {}
    public func validate(model: SourceFile, properties: SourceFile, constants: String) -> [ModelDiagnostic] { [] }
}
