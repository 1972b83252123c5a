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
        notifications(on: Self.queuedChannel, purpose: "new jobs", bufferingPolicy: .bufferingNewest(1)) { _ in () }
    }
}
