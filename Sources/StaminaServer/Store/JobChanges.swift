import Foundation

/// What a store shared by several nodes tells each node about changes made on any of them, so the
/// node may keep copies of job rows (`CachingJobStore`) and wake event streams without polling.
/// PostgreSQL delivers them with LISTEN/NOTIFY, sent by triggers (schema version 3), so no write
/// path can forget one. A store that one process owns (SQLite, in memory) has no such feed.
public enum JobChange: Sendable, Equatable {
    /// The node hears every change from now on. Changes made while it was not listening were
    /// missed: whatever it learnt before this may be stale.
    case listening
    /// The job's row changed (its `version`) or was deleted.
    case job(String)
    /// Progress lines were appended to the job (its row, and so its version, stay as they were).
    case events(String)
    /// The node no longer hears changes (the listening connection was lost or stopped answering).
    case lost
}

/// A store that can report changes made by any node (see `JobChange`).
public protocol JobChangeNotifying: JobStore {
    /// A stream that starts not listening, reports `.listening` once it hears changes, `.lost` when
    /// it stops, and keeps trying again until the consumer stops.
    func jobChanges() async -> AsyncStream<JobChange>
}
extension PostgresJobStore: JobChangeNotifying {}
