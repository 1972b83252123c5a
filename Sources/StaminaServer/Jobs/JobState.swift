/// The life of a job: `QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED`, `CANCELLING` while a
/// running job is being stopped, `PRUNED` once retention has removed its files.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued = "QUEUED"
    case running = "RUNNING"
    case cancelling = "CANCELLING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
    case pruned = "PRUNED"

    /// Counted against quotas: the job holds or waits for a worker.
    public var isActive: Bool { self == .queued || self == .running || self == .cancelling }
    public var isTerminal: Bool { !isActive }
}

/// Why a job FAILED. Tool failures and limit violations are final; only WORKER_LOST is retried.
public enum FailureReason: String, Codable, Sendable, CaseIterable {
    case timeLimit = "TIME_LIMIT"
    case memoryLimit = "MEMORY_LIMIT"
    case invalidInput = "INVALID_INPUT"
    case engineError = "ENGINE_ERROR"
    case workerLost = "WORKER_LOST"
    case `internal` = "INTERNAL"
}

extension JobState {
    /// The first server's status words: `created`, `running`, `exited`, `killed`, `pruned`.
    public func legacyStatus(reason: FailureReason?) -> String {
        switch self {
        case .queued: return "created"
        case .running: return "running"
        case .cancelling, .cancelled: return "killed"
        case .succeeded: return "exited"
        case .failed: return reason == .timeLimit || reason == .memoryLimit ? "killed" : "exited"
        case .pruned: return "pruned"
        }
    }
}
