import Foundation
import Hummingbird

/// `/v1/about`, `/v1/openapi.json`, `/healthz`, `/readyz`, `/metrics`.
struct OperationsController: Sendable {
    let service: JobService
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    func register(on router: some RouterMethods<StaminaRequestContext>) {
        router.get("v1/about") { _, _ in Reply.json(self.about()) }
        router.get("v1/openapi.json") { _, _ in
            Reply.text(OpenAPIDocument.json, contentType: "application/json; charset=utf-8")
        }
        router.get("healthz") { _, _ in Reply.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            do {
                _ = try await self.service.store.countActive(owner: nil)
            } catch {
                throw APIError.unavailable("the database does not answer")
            }
            guard !self.service.runner.isStopping else { throw APIError.unavailable("the server is stopping") }
            return Reply.json(["status": "ready"])
        }
        router.get("metrics") { _, _ in
            let counts = try await self.service.store.countByState()
            return Reply.text(
                self.metrics.render(counts: counts), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    func about() -> [String: Any] {
        var settings: [String: String] = [:]
        for (key, value) in configuration.values { settings[key] = value }
        var defaults: [String: String] = [:]
        for (key, value) in ServerConfiguration().values { defaults[key] = value }
        return [
            "name": "stamina-server",
            "version": ServerVersion.server,
            "apiVersion": ServerVersion.apiVersion,
            "engine": ["path": configuration.resolvedEnginePath],
            "sandbox": service.runner.sandboxLayers.aboutDocument,
            "configuration": settings,
            "defaults": defaults,
            "methods": JobParameters.Method.allCases.map(\.rawValue),
            "parameterDefaults": [
                "kappa": JobParameters().kappa, "reduceKappa": JobParameters().reduceKappa,
                "approxFactor": JobParameters().approxFactor, "window": JobParameters().window,
                "maxIterations": JobParameters().maxIterations, "method": JobParameters().method.rawValue,
            ] as [String: Any],
        ]
    }
}
