import Foundation

/// One job as the store keeps it. Request and response shapes are built from it at the edges.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    /// `ip:<address>` for legacy submissions, `owner:<random>` for token holders.
    public var owner: String
    public var name: String
    public var state: JobState
    public var failureReason: FailureReason?
    public var failureMessage: String?
    public var parameters: JobParameters
    public var modelFileName: String
    public var propertiesFileName: String
    /// The result JSON (the engine's object plus wall/CPU seconds and peak memory), once finished.
    public var resultJSON: String?
    /// The plain log, stored when the job finishes; while it runs the log is the stderr file.
    public var log: String?
    public var attempts: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Orders listings and serves as the pagination cursor.
    public var sequence: Int64
    /// Bumped by every update, so an in-memory copy can tell which of two rows is newer.
    public var version: Int64 = 0
    /// The node whose worker holds the job (RUNNING/CANCELLING), and until when its lease runs.
    public var worker: String? = nil
    public var leaseExpiresAt: Date? = nil
}

/// What a submission hands to the store.
public struct NewJob: Sendable {
    public var id: String
    public var owner: String
    public var name: String
    public var parameters: JobParameters
    public var modelFileName: String
    public var propertiesFileName: String
    public var createdAt: Date
    /// Whom quotas count this job against; nil = its owner. Legacy and anonymous `/v1` jobs count
    /// against the client address (`ip:<address>`), so fresh anonymous tokens buy no extra jobs.
    public var quotaKey: String? = nil
    /// The client's `Idempotency-Key`: an owner's second job with the same key is not inserted, the
    /// store answers with the first (see `JobStore.insert`).
    public var idempotencyKey: String? = nil
    /// The uploaded texts, stored with the row (`JobStore.inputs`).
    public var modelText: String = ""
    public var propertiesText: String = ""
}

/// A bearer token's record; only the SHA-256 of the token is stored.
public struct TokenRecord: Sendable, Equatable {
    public var hash: String
    public var owner: String
    public var isAdmin: Bool
    /// Issued to an anonymous submission: expires once its last job is pruned or deleted.
    public var isAnonymous: Bool = false
}
