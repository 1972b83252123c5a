import Foundation
import Logging
import ServiceLifecycle

/// Removes the logs, inputs, events and artifacts of jobs that finished more than `retention` seconds ago, keeping a
/// PRUNED tombstone so an old id still answers ("This job was pruned..."); then deletes the
/// anonymous tokens whose last job is gone (pruned or deleted), so they expire with it.
final class Pruner: Service, Sendable {
    let store: any JobStore
    let configuration: ServerConfiguration
    let logger: Logger
    let tokens: TokenAuthority?

    init(store: any JobStore, configuration: ServerConfiguration, logger: Logger, tokens: TokenAuthority? = nil) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.tokens = tokens
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pruneOnce()
                try await Task.sleep(for: .seconds(self.configuration.pruneIntervalSeconds))
            }
        }
    }

    func pruneOnce() async {
        do {
            let cutoff = Date().addingTimeInterval(-configuration.retentionSeconds)
            let pruned = try await store.prune(finishedBefore: cutoff, tombstoneLog: JobLog.prunedText)
            if !pruned.isEmpty { logger.info("pruned jobs", metadata: ["count": "\(pruned.count)"]) }
            let expired = try await store.pruneAnonymousTokens()
            tokens?.forget(hashes: expired)
            if !expired.isEmpty { logger.info("expired anonymous tokens", metadata: ["count": "\(expired.count)"]) }
        } catch {
            logger.error("pruning failed", metadata: ["error": "\(error)"])
        }
    }
}
