// How a run's end is told: what the server did (cancel, wall-clock kill) wins, then what
// worker-exec saw (`ChildStatus`: signal, resources), then the engine's exit code and its JSON
// error; without a status the worker's own end decides. Each case is one the runner meets.

import EngineContract
import Foundation
import Testing

@testable import StaminaServer

@Suite struct JobOutcomeTests {
    static let limits: ServerConfiguration = {
        var configuration = ServerConfiguration()
        configuration.timeLimitSeconds = 10
        configuration.memoryLimitBytes = 1_000_000_000
        configuration.cpuLimitSeconds = 20
        return configuration
    }()

    static func status(exit: EngineExitCode? = nil, signal: Int32? = nil, rss: Int = 1_000_000, cpu: Double = 1)
        -> ChildStatus
    {
        ChildStatus(exitCode: exit?.rawValue, signal: signal, maxRSSBytes: rss, userSeconds: cpu, systemSeconds: 0)
    }

    static func classify(
        _ child: ChildStatus?, intervention: JobOutcome.Intervention = .none, worker: WorkerEnd = .exited(0),
        engine: (code: String, message: String)? = nil, stderr: String = "", directoryProblem: String? = nil
    ) -> JobOutcome {
        JobOutcome.classify(
            intervention: intervention, worker: worker, child: child, directoryProblem: directoryProblem,
            engineError: engine, stderr: stderr, limits: limits)
    }

    @Test func theServersOwnInterventionWins() {
        let crashed = Self.status(signal: SIGSEGV)
        #expect(Self.classify(crashed, intervention: .cancel).state == .cancelled)
        let timeout = Self.classify(crashed, intervention: .timeout)
        #expect(timeout.reason == .timeLimit)
        #expect(timeout.message == "the job ran longer than 10.0 s")
        #expect(timeout.endsWithKilled)
    }

    @Test func exitCodesOfTheContract() {
        #expect(Self.classify(Self.status(exit: .success)) == JobOutcome(state: .succeeded, reason: nil, message: nil))
        let input = Self.classify(Self.status(exit: .inputError), engine: ("PARSE_ERROR", "m.prism:1:1: bad"))
        #expect(input.reason == .invalidInput)
        #expect(input.message == "m.prism:1:1: bad")
        #expect(Self.classify(Self.status(exit: .inputError)).message == "the engine refused the input")
        let engine = Self.classify(Self.status(exit: .engineError), engine: ("EVALUATION_ERROR", "division by zero"))
        #expect(engine.reason == .engineError)
        #expect(engine.message == "division by zero")
        #expect(Self.classify(Self.status(exit: .engineError)).message == "the engine exited with code 2")
        // The engine's own limit codes.
        #expect(Self.classify(Self.status(exit: .engineError), engine: ("TIME_LIMIT", "t")).reason == .timeLimit)
        #expect(Self.classify(Self.status(exit: .engineError), engine: ("OUT_OF_MEMORY", "m")).reason == .memoryLimit)
    }

    @Test func signalsAreCPUMemoryOrACrash() {
        #expect(Self.classify(Self.status(signal: SIGXCPU)).reason == .timeLimit)
        // SIGKILL at the CPU limit is the hard limit; well below it, it is not.
        #expect(Self.classify(Self.status(signal: SIGKILL, cpu: 19.6)).reason == .timeLimit)
        #expect(Self.classify(Self.status(signal: SIGKILL, cpu: 2)).reason == .engineError)
        // A crash near the memory limit, or one that said it could not allocate, is the memory limit.
        #expect(Self.classify(Self.status(signal: SIGSEGV, rss: 400_000_000)).reason == .memoryLimit)
        #expect(Self.classify(Self.status(signal: SIGSEGV, rss: 399_999_999)).reason == .engineError)
        let said = Self.classify(Self.status(signal: SIGABRT), stderr: "fatal error: Could not allocate memory")
        #expect(said.reason == .memoryLimit)
        #expect(said.message?.contains("limit 1000000000 bytes") == true)
        #expect(Self.classify(Self.status(signal: SIGSEGV)).message == "the engine stopped on signal \(SIGSEGV)")
    }

    @Test func anEngineThatNeverStartedIsInternal() {
        var status = Self.status()
        status.startError = "exec: permission denied"
        let outcome = Self.classify(status)
        #expect(outcome.reason == .internal)
        #expect(outcome.message == "the engine could not be started: exec: permission denied")
    }

    @Test func withoutAStatusTheWorkersEndDecides() {
        #expect(Self.classify(nil, worker: .signalled(SIGKILL)).reason == .workerLost)
        let unwritable = Self.classify(nil, worker: .exited(3), directoryProblem: "Read-only file system")
        #expect(unwritable.reason == .internal)
        #expect(unwritable.message?.contains("Read-only file system") == true)
        #expect(Self.classify(nil, worker: .notStarted("no such file")).message?.contains("no such file") == true)
        #expect(
            Self.classify(nil, worker: .exited(3)).message == "the worker process ended with code 3 without a status")
    }

    /// Under RLIMIT_AS a stack that cannot grow ends the engine with SIGSEGV: with its address space
    /// at the limit that is the memory limit, not an engine error; far from it, it is an engine error.
    @Test func aSegfaultAtTheAddressSpaceLimitIsTheMemoryLimit() {
        func outcome(peak: Int?) -> JobOutcome {
            var child = Self.status(signal: SIGSEGV, rss: 100_000_000, cpu: 5)
            child.peakVirtualBytes = peak
            return Self.classify(child, worker: .exited(128 + SIGSEGV))
        }
        #expect(outcome(peak: 999_000_000).reason == .memoryLimit)
        #expect(outcome(peak: 150_000_000).reason == .engineError)
        #expect(outcome(peak: nil).reason == .engineError)
    }
}
