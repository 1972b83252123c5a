import Foundation
import Hummingbird

/// `/v1/about`, `/v1/openapi.json`, `/healthz`, `/readyz`, `/metrics`. Filesystem paths and the
/// configuration are shown to the admin only (and `/metrics` to the admin or the metrics token):
/// they tell an attacker where things are and which limits to aim at.
struct OperationsController: Sendable {
    let service: JobService
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let tokens: TokenAuthority

    func register(on router: some RouterMethods<StaminaRequestContext>) {
        router.get("v1/about") { request, _ in
            Reply.json(self.about(admin: try await self.tokens.principal(request)?.isAdmin == true))
        }
        router.get("v1/openapi.json") { _, _ in
            Reply.text(OpenAPIDocument.json, contentType: "application/json; charset=utf-8")
        }
        router.get("healthz") { _, _ in Reply.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            // Ready means a job submitted now can be stored: a write to the database and a file
            // written and removed in the job directory, not only a read.
            if let reason = await self.service.unreadiness() { throw APIError.unavailable(reason) }
            return Reply.json(["status": "ready"])
        }
        router.get("metrics") { request, _ in
            try await self.authorizeMetrics(request)
            let counts = try await self.service.countByState()
            return Reply.text(
                self.metrics.render(counts: counts), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    private func authorizeMetrics(_ request: Request) async throws {
        if let expected = configuration.metricsToken, TokenAuthority.bearer(request) == expected { return }
        guard let principal = try await tokens.principal(request) else {
            throw APIError.unauthorized("/metrics needs the admin token or the metrics token")
        }
        guard principal.isAdmin else { throw APIError.forbidden("/metrics needs the admin token or the metrics token") }
    }

    /// What any client may know (versions, methods, the limits a job runs under); the admin also
    /// sees every setting, the defaults, the engine's path and which sandbox layers are active.
    func about(admin: Bool) -> [String: Any] {
        var about: [String: Any] = [
            "name": "stamina-server",
            "version": ServerVersion.server,
            "apiVersion": ServerVersion.apiVersion,
            "limits": [
                "timeLimitSeconds": configuration.timeLimitSeconds, "memoryLimitBytes": configuration.memoryLimitBytes,
                "activeJobsPerOwner": configuration.activeJobsPerOwner,
                "queuedJobsPerOwner": configuration.queuedJobsPerOwner,
                "maxUploadBytes": configuration.maxUploadBytes,
            ] as [String: Any],
            "methods": JobParameters.Method.allCases.map(\.rawValue),
            "parameterDefaults": [
                "kappa": JobParameters().kappa, "reduceKappa": JobParameters().reduceKappa,
                "approxFactor": JobParameters().approxFactor, "window": JobParameters().window,
                "maxIterations": JobParameters().maxIterations, "method": JobParameters().method.rawValue,
            ] as [String: Any],
        ]
        if admin {
            var settings: [String: String] = [:]
            for (key, value) in configuration.values { settings[key] = value }
            var defaults: [String: String] = [:]
            for (key, value) in ServerConfiguration().values { defaults[key] = value }
            about["engine"] = ["path": configuration.resolvedEnginePath]
            about["configuration"] = settings
            about["defaults"] = defaults
            about["sandbox"] = service.sandboxLayers.aboutDocument
        }
        return about
    }
}
