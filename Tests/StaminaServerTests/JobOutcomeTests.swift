// How an engine's end becomes a job's failure reason, where the signal alone is ambiguous.

import Foundation
import Testing

@testable import StaminaServer

@Suite struct JobOutcomeTests {
    /// Under RLIMIT_AS a stack that cannot grow ends the engine with SIGSEGV: with its address space
    /// at the limit that is the memory limit, not an engine error; far from it, it is an engine error.
    @Test func aSegfaultAtTheAddressSpaceLimitIsTheMemoryLimit() {
        var limits = ServerConfiguration()
        limits.memoryLimitBytes = 300_000_000
        func outcome(peak: Int?) -> JobOutcome {
            var child = ChildStatus(
                exitCode: nil, signal: SIGSEGV, maxRSSBytes: 100_000_000, userSeconds: 5, systemSeconds: 1)
            child.peakVirtualBytes = peak
            return JobOutcome.classify(
                intervention: .none, worker: .exited(128 + SIGSEGV), child: child, engineError: nil, stderr: "",
                limits: limits)
        }
        #expect(outcome(peak: 299_000_000).reason == .memoryLimit)
        #expect(outcome(peak: 150_000_000).reason == .engineError)
        #expect(outcome(peak: nil).reason == .engineError)
    }
}
