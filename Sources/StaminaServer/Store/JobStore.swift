import Foundation

/// Where jobs, tokens and idempotency keys live. All SQL stays inside the implementations (SQLite
/// now, PostgreSQL next); every state change that races with another is one statement. Every
/// change of a job bumps its `version`: `JobDocumentCache` serves renderings by version alone.
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

    /// Takes the oldest QUEUED job: QUEUED -> RUNNING, attempts + 1, in one statement.
    func claimNext(now: Date) async throws(StoreError) -> JobRecord?
    /// RUNNING or CANCELLING -> a terminal state. False if the job was not running (deleted, or
    /// already finished), so a job reaches a terminal state exactly once.
    func finish(
        id: String, state: JobState, reason: FailureReason?, message: String?, resultJSON: String?, log: String,
        now: Date
    ) async throws(StoreError) -> Bool
    /// QUEUED -> CANCELLED (returned as such) or RUNNING -> CANCELLING; others unchanged.
    func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord?
    func rename(id: String, name: String) async throws(StoreError) -> JobRecord?
    func delete(id: String) async throws(StoreError) -> Bool
    /// After a restart: CANCELLING -> CANCELLED; RUNNING -> QUEUED while attempts remain, else
    /// FAILED/WORKER_LOST.
    func recoverInterrupted(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int)
    /// Terminal jobs finished before `cutoff` -> PRUNED (log replaced by the tombstone text).
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

    /// Proves that the store can commit a write now (for `/readyz`).
    func probeWrite(now: Date) async throws(StoreError)

    func close() async
}

extension JobStore {
    /// Without a separate limit on QUEUED jobs, the active quota bounds them.
    public func insert(_ job: NewJob, ownerQuota: Int, systemQuota: Int) async throws(StoreError) -> JobRecord {
        try await insert(job, ownerQuota: ownerQuota, queuedQuota: ownerQuota, systemQuota: systemQuota)
    }
}

public enum StoreError: Error, CustomStringConvertible, Sendable {
    case ownerQuotaExceeded(limit: Int)
    case systemQuotaExceeded(limit: Int)
    case queuedQuotaExceeded(limit: Int)
    case database(String)
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
        case .newerSchema(let database, let found, let supported):
            return """
                the database \(database) has schema version \(found), but this stamina knows versions up to \
                \(supported): a newer release wrote it. The server will not start on it (an older binary could \
                damage it); run that newer release, or restore a backup made by this one.
                """
        }
    }
}
