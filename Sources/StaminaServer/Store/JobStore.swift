import Foundation

/// Where jobs, tokens and idempotency keys live. All SQL stays inside the implementations (SQLite
/// now, PostgreSQL next); every state change that races with another is one statement. Every
/// change of a job bumps its `version`: `JobDocumentCache` serves renderings by version alone
/// (lease renewals do not: no rendering shows a lease). The store holds all job data (inputs,
/// events, result, log, artifacts), so any API node answers for any job; a worker's writes carry
/// its attempt number and are refused once the attempt is no longer the job's running one.
public protocol JobStore: Sendable {
    /// Inserts the job unless its quota key (`NewJob.quotaKey`: the client address for legacy and
    /// anonymous submissions, the token's owner otherwise) already has `ownerQuota` active jobs or
    /// `queuedQuota` QUEUED ones, or the system has `systemQuota` active jobs; the checks and the
    /// insert are one statement. If the owner already has a job with `job.idempotencyKey`, nothing is
    /// inserted and that job is returned (its id is not `job.id`), also when the quotas are full:
    /// concurrent submissions with one key make exactly one job (a unique key on (owner, key)).
    func insert(_ job: NewJob, ownerQuota: Int, queuedQuota: Int, systemQuota: Int) async throws(StoreError)
        -> JobRecord
    func job(id: String) async throws(StoreError) -> JobRecord?
    /// Newest first; `before` is the sequence of the last job of the previous page.
    func jobs(owner: String?, state: JobState?, before: Int64?, limit: Int) async throws(StoreError) -> [JobRecord]
    func countByState() async throws(StoreError) -> [JobState: Int]

    /// Takes the oldest QUEUED job: QUEUED -> RUNNING, attempts + 1, held by `worker` (a node id,
    /// see `ServerConfiguration.nodeID`) until `leaseUntil`, in one statement (`SKIP LOCKED` where
    /// several nodes claim). Events of an earlier attempt are dropped with the claim.
    func claimNext(now: Date, worker: String, leaseUntil: Date) async throws(StoreError) -> JobRecord?
    /// Renews the lease of `attempt`: `.lost` when the job is no longer RUNNING/CANCELLING in that
    /// attempt (requeued after a lapsed lease, finished, deleted), else whether a cancel was asked.
    func heartbeat(id: String, attempt: Int, leaseUntil: Date) async throws(StoreError) -> LeaseStatus
    /// RUNNING or CANCELLING in `attempt` (the fencing token) -> a terminal state. False if the job
    /// was not running in that attempt (deleted, finished, requeued), so a job reaches a terminal
    /// state exactly once and a stale worker's result is never recorded.
    func finish(
        id: String, attempt: Int, state: JobState, reason: FailureReason?, message: String?, resultJSON: String?,
        log: String, now: Date
    ) async throws(StoreError) -> Bool
    /// QUEUED -> CANCELLED (returned as such) or RUNNING -> CANCELLING; others unchanged.
    func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord?
    func rename(id: String, name: String) async throws(StoreError) -> JobRecord?
    func delete(id: String) async throws(StoreError) -> Bool
    /// At a worker node's start: the jobs its previous run held (`worker == node`, that process is
    /// gone) and the jobs whose lease lapsed are recovered as `requeueExpired` does; jobs other live
    /// nodes hold are left alone.
    func recoverInterrupted(node: String, maxAttempts: Int, now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    /// The sweeper: jobs whose lease lapsed before `now`: CANCELLING -> CANCELLED; RUNNING -> QUEUED
    /// while attempts remain, else FAILED/WORKER_LOST.
    func requeueExpired(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int)
    /// Terminal jobs finished before `cutoff` -> PRUNED (log replaced by the tombstone text; inputs,
    /// events and artifacts removed). One node at a time where several share the store.
    func prune(finishedBefore cutoff: Date, tombstoneLog: String) async throws(StoreError) -> [String]

    /// The owner's job inserted with this `Idempotency-Key`, if it still exists.
    func job(owner: String, idempotencyKey: String) async throws(StoreError) -> JobRecord?

    func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError)
    func token(hash: String) async throws(StoreError) -> TokenRecord?
    /// Deletes the anonymous tokens none of whose jobs is left but as a PRUNED tombstone (or which
    /// have no job at all); returns their hashes.
    func pruneAnonymousTokens() async throws(StoreError) -> [String]

    /// Ids of the jobs of one owner, newest first, at most `limit`; the polled legacy `/myjobs`
    /// needs only these and then reads each job as `job(id:)` does.
    func jobIDs(owner: String, limit: Int) async throws(StoreError) -> [String]

    // MARK: job data (no API node keeps job files of its own)

    /// The uploaded model and properties (stored by `insert` from `NewJob`); nil once pruned or deleted.
    func inputs(id: String) async throws(StoreError) -> JobInputs?
    /// Appends progress lines of the running `attempt` (fenced as `finish`); each gets the next
    /// sequence number, increasing per job. False, and nothing stored, for a stale attempt.
    func appendEvents(id: String, attempt: Int, _ events: [NewJobEvent]) async throws(StoreError) -> Bool
    /// The job's events with a sequence above `after`, oldest first, at most `limit`.
    func events(id: String, after: Int64, limit: Int) async throws(StoreError) -> [JobEvent]
    /// Stores (or replaces) an output file of the running `attempt` (fenced as `finish`).
    func storeArtifact(id: String, attempt: Int, name: String, data: [UInt8]) async throws(StoreError) -> Bool
    /// An output file by name; nil if there is none (not written, pruned, deleted).
    func artifact(id: String, name: String) async throws(StoreError) -> [UInt8]?

    /// Ids of running jobs whose cancel was just asked on any node, pushed by the store where it can
    /// (PostgreSQL: LISTEN/NOTIFY); nil where it cannot, and the workers' polling is the way.
    func cancelRequests() async -> AsyncStream<String>?
    /// A ring whenever a job is queued on any node, pushed by the store where it can (PostgreSQL:
    /// LISTEN/NOTIFY), so an idle worker node claims at once; nil where the submitting process
    /// wakes its own workers (SQLite, in memory).
    func queuedJobs() async -> AsyncStream<Void>?

    /// Proves that the store can commit a write now (for `/readyz`).
    func probeWrite(now: Date) async throws(StoreError)

    func close() async
}

extension JobStore {
    /// One process per store (SQLite, in memory): a cancel reaches the local runner directly.
    public func cancelRequests() async -> AsyncStream<String>? { nil }
    public func queuedJobs() async -> AsyncStream<Void>? { nil }

    /// Without a separate limit on QUEUED jobs, the active quota bounds them.
    public func insert(_ job: NewJob, ownerQuota: Int, systemQuota: Int) async throws(StoreError) -> JobRecord {
        try await insert(job, ownerQuota: ownerQuota, queuedQuota: ownerQuota, systemQuota: systemQuota)
    }
}

/// What a heartbeat learns about its job.
public enum LeaseStatus: Sendable, Equatable {
    case held(cancelRequested: Bool)
    /// The attempt is over for this worker: stop the run, record nothing.
    case lost
}

public struct JobInputs: Sendable, Equatable {
    public var model: String
    public var properties: String
}

/// A progress line of a running job: a line of the engine's stderr (`log`) or of its events file.
public struct JobEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case log, engine }
    public var sequence: Int64
    public var kind: Kind
    public var line: String
}

public struct NewJobEvent: Sendable, Equatable {
    public var kind: JobEvent.Kind
    public var line: String
    public init(kind: JobEvent.Kind, line: String) {
        self.kind = kind
        self.line = line
    }
}

public enum StoreError: Error, CustomStringConvertible, Sendable {
    case ownerQuotaExceeded(limit: Int)
    case systemQuotaExceeded(limit: Int)
    case queuedQuotaExceeded(limit: Int)
    case database(String)
    /// The database did not answer in time or could not be reached (it may be back soon).
    case unavailable(String)
    /// The integrity check at start found damage; the server refuses to start on it.
    case damaged(path: String, problems: String)
    /// The database was written by a newer release (its schema version is past this binary's).
    case newerSchema(database: String, found: Int, supported: Int)

    public var description: String {
        switch self {
        case .ownerQuotaExceeded(let limit): return "this owner already has \(limit) queued or running jobs"
        case .systemQuotaExceeded(let limit): return "the server already holds \(limit) queued or running jobs"
        case .queuedQuotaExceeded(let limit):
            return "this owner already has \(limit) jobs waiting in the queue; wait until one starts"
        case .damaged(let path, let problems):
            return """
                the database \(path) is damaged (PRAGMA quick_check: \(problems)). The server will not start on \
                it. Stop every stamina process, then restore the last backup with \
                'stamina restore BACKUP --data-dir \(URL(fileURLWithPath: path).deletingLastPathComponent().path)' \
                (see README, "Backups"), or move the damaged file away to start with an empty store.
                """
        case .database(let message): return "database error: \(message)"
        case .unavailable(let message): return "database unavailable: \(message)"
        case .newerSchema(let database, let found, let supported):
            return """
                the database \(database) has schema version \(found), but this stamina knows versions up to \
                \(supported): a newer release wrote it. The server will not start on it (an older binary could \
                damage it); run that newer release, or restore a backup made by this one.
                """
        }
    }
}
