import Foundation
import Logging
import ServiceLifecycle

/// Runs on every node with workers: requeues the jobs whose worker stopped renewing its lease (a
/// killed process, a lost machine), up to `max-attempts`, then FAILED/WORKER_LOST. Several
/// sweepers may run at once: each recovery is one store statement, so a job is recovered once.
final class LeaseSweeper: Service, Sendable {
    let store: any JobStore
    let configuration: ServerConfiguration
    let logger: Logger
    let onRequeued: @Sendable () -> Void

    init(
        store: any JobStore, configuration: ServerConfiguration, logger: Logger,
        onRequeued: @escaping @Sendable () -> Void
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.onRequeued = onRequeued
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(self.configuration.heartbeatSeconds))
                await self.sweepOnce()
            }
        }
    }

    func sweepOnce() async {
        do {
            let swept = try await store.requeueExpired(maxAttempts: configuration.maxAttempts, now: Date())
            guard swept.requeued + swept.failed > 0 else { return }
            logger.notice(
                "jobs whose lease lapsed", metadata: ["requeued": "\(swept.requeued)", "failed": "\(swept.failed)"])
            if swept.requeued > 0 { onRequeued() }
        } catch {
            logger.error("sweeping lapsed leases failed", metadata: ["error": "\(error)"])
        }
    }
}
