import Foundation
import Logging
import PostgresNIO

/// New jobs, as PostgreSQL notifies them to every node (`insert` sends one on the channel
/// `stamina_queued` when its row commits): an idle worker node claims a job the moment it is
/// submitted on any API node, instead of at its next periodic look. The listening connection is
/// taken from the pool and given back when the consumer stops; after an error it listens again a
/// second later (the periodic look covers the gap).
extension PostgresJobStore {
    static let queuedChannel = "stamina_queued"

    public func queuedJobs() async -> AsyncStream<Void>? {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let client = self.client
        let logger = self.logger
        let listener = Task {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.queuedChannel) { notifications in
                            for try await _ in notifications { continuation.yield() }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.notice("listening for new jobs failed; polling covers it", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listener.cancel() }
        return stream
    }
}
