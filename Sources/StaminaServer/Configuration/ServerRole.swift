/// What one `stamina serve` process does. Several API nodes and worker nodes share one PostgreSQL
/// store; with SQLite (one machine) the default `all` runs both in one process.
public enum ServerRole: String, Sendable, CaseIterable {
    /// HTTP and workers (and the lease sweeper, the pruner).
    case all
    /// HTTP only: answers for every job from the store, runs none (and the pruner).
    case api
    /// Workers, the lease sweeper and the pruner; no HTTP listener.
    case worker

    public var runsWorkers: Bool { self != .api }
    public var servesHTTP: Bool { self != .worker }
}
