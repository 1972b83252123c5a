import EngineContract
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a run ended, told apart from what the server did (cancel, wall-clock kill), what
/// `worker-exec` saw (`ChildStatus`) and what the engine said (exit code, JSON error, stderr).
struct JobOutcome: Sendable, Equatable {
    var state: JobState
    var reason: FailureReason?
    var message: String?

    /// Set by the runner when it killed the process group itself.
    enum Intervention: Sendable { case none, cancel, timeout }

    /// The memory heuristic. Under RLIMIT_AS an allocation fails before the resident size reaches
    /// the limit (a growing array asks for twice its size), so a signal death or error exit counts
    /// as MEMORY_LIMIT when the engine said it could not allocate, or when its peak resident size
    /// reached 40% of the limit; a crash well below that is an ENGINE_ERROR.
    static let memoryFractionThreshold = 0.4
    /// An engine killed by a signal with its address space this close to the limit ran out of it
    /// (a stack that could not grow gives SIGSEGV).
    static let addressSpaceFractionThreshold = 0.9
    static let allocationFailureTexts = [
        "could not allocate", "cannot allocate", "failed to allocate", "out of memory", "allocation failed",
        "bad_alloc", "memory limit", "memory exhausted",
    ]

    static func classify(
        intervention: Intervention, worker: WorkerEnd = .exited(0), child: ChildStatus?,
        directoryProblem: String? = nil, engineError: (code: String, message: String)?, stderr: String,
        limits: ServerConfiguration
    ) -> JobOutcome {
        switch intervention {
        case .cancel: return JobOutcome(state: .cancelled, reason: nil, message: "cancelled")
        case .timeout:
            return JobOutcome(
                state: .failed, reason: .timeLimit, message: "the job ran longer than \(limits.timeLimitSeconds) s")
        case .none: break
        }
        guard let child else { return withoutStatus(worker: worker, directoryProblem: directoryProblem) }
        if let startError = child.startError {
            return JobOutcome(
                state: .failed, reason: .internal, message: "the engine could not be started: \(startError)")
        }
        let lowered = stderr.lowercased()
        let saidNoMemory = allocationFailureTexts.contains { lowered.contains($0) }
        let nearMemoryLimit =
            Double(child.maxRSSBytes) >= memoryFractionThreshold * Double(limits.memoryLimitBytes)
            || Double(child.peakVirtualBytes ?? 0) >= addressSpaceFractionThreshold * Double(limits.memoryLimitBytes)
        let memoryFailure = JobOutcome(
            state: .failed, reason: .memoryLimit,
            message:
                "the engine ran out of memory (limit \(limits.memoryLimitBytes) bytes, peak resident \(child.maxRSSBytes) bytes)"
        )
        if let signal = child.signal {
            let cpu = child.userSeconds + child.systemSeconds
            if signal == SIGXCPU || (signal == SIGKILL && cpu >= limits.cpuLimitEffective - 0.5) {
                return JobOutcome(
                    state: .failed, reason: .timeLimit,
                    message: "the job used its \(limits.cpuLimitEffective) CPU seconds")
            }
            if saidNoMemory || nearMemoryLimit { return memoryFailure }
            return JobOutcome(state: .failed, reason: .engineError, message: "the engine stopped on signal \(signal)")
        }
        switch child.exitCode ?? -1 {
        case 0: return JobOutcome(state: .succeeded, reason: nil, message: nil)
        case 1:
            return JobOutcome(
                state: .failed, reason: .invalidInput, message: engineError?.message ?? "the engine refused the input")
        case let code:
            let errorCode = engineError?.code.uppercased() ?? ""
            if errorCode.contains("TIME") {
                return JobOutcome(state: .failed, reason: .timeLimit, message: engineError?.message)
            }
            if errorCode.contains("MEMORY") || saidNoMemory { return memoryFailure }
            return JobOutcome(
                state: .failed, reason: .engineError,
                message: engineError?.message ?? "the engine exited with code \(code)")
        }
    }

    /// worker-exec left no status: it was killed, it could not write it, or it never started.
    private static func withoutStatus(worker: WorkerEnd, directoryProblem: String?) -> JobOutcome {
        switch worker {
        case .signalled(let signal):
            return JobOutcome(
                state: .failed, reason: .workerLost,
                message: "the worker process was killed by signal \(signal); its engine was stopped with it")
        case _ where directoryProblem != nil:
            return JobOutcome(
                state: .failed, reason: .internal,
                message:
                    "the data directory is not writable (\(directoryProblem ?? "")): the job's files could not be written"
            )
        case .notStarted(let why):
            return JobOutcome(
                state: .failed, reason: .internal, message: "the worker process could not be started: \(why)")
        case .exited(let code):
            return JobOutcome(
                state: .failed, reason: .internal,
                message: "the worker process ended with code \(code) without a status")
        }
    }

    /// The last line of the legacy log is `Killed.` when the job was stopped or ran out of time or memory.
    var endsWithKilled: Bool {
        state == .cancelled || reason == .timeLimit || reason == .memoryLimit
    }
}

/// How `worker-exec` itself ended, as the server saw it.
enum WorkerEnd: Sendable, Equatable, CustomStringConvertible {
    case notStarted(String)
    case exited(Int32)
    case signalled(Int32)

    var description: String {
        switch self {
        case .notStarted(let why): return "not started (\(why))"
        case .exited(let code): return "exited \(code)"
        case .signalled(let signal): return "killed by signal \(signal)"
        }
    }
}
