import Foundation

/// Where jobs, tokens and idempotency keys live. All SQL stays inside the implementations (SQLite
/// now, PostgreSQL next); every state change that races with another is one statement. Every
/// change of a job bumps its `version`: `JobDocumentCache` serves renderings by version alone.
public protocol JobStore: Sendable {
    /// Inserts the job unless its owner already has `ownerQuota` active jobs or the system has
    /// `systemQuota`; the check and the insert are one statement.
    func insert(_ job: NewJob, ownerQuota: Int, systemQuota: Int) async throws(StoreError) -> JobRecord
    func job(id: String) async throws(StoreError) -> JobRecord?
    /// Newest first; `before` is the sequence of the last job of the previous page.
    func jobs(owner: String?, state: JobState?, before: Int64?, limit: Int) async throws(StoreError) -> [JobRecord]
    func countActive(owner: String?) async throws(StoreError) -> Int
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

    func idempotentJobID(owner: String, key: String) async throws(StoreError) -> String?
    func rememberIdempotency(owner: String, key: String, jobID: String, now: Date) async throws(StoreError)

    func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError)
    func token(hash: String) async throws(StoreError) -> TokenRecord?

    func close() async
}

public enum StoreError: Error, CustomStringConvertible, Sendable {
    case ownerQuotaExceeded(limit: Int)
    case systemQuotaExceeded(limit: Int)
    case database(String)

    public var description: String {
        switch self {
        case .ownerQuotaExceeded(let limit): return "this owner already has \(limit) queued or running jobs"
        case .systemQuotaExceeded(let limit): return "the server already holds \(limit) queued or running jobs"
        case .database(let message): return "database error: \(message)"
        }
    }
}
