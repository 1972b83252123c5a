// The job log: the engine's stderr, the results block rendered from the contract's result as the
// engine's text output renders it (rewards say "Reward", a property that was not computed keeps
// its block with the reason, a missed window is said), the outcome's error line and `Killed.`.

import EngineContract
import Foundation
import Testing

@testable import StaminaServer

@Suite struct JobLogTests {
    static func property(_ text: String, kind: String, pmin: Double?, pmax: Double?) -> PropertyResult {
        var property = PropertyResult(
            text: text, status: pmin == nil ? .notComputed : .computed, windowKind: .absolute,
            seconds: .init(exploration: 0, checking: 0, total: 0))
        property.kind = kind
        property.pmin = pmin
        property.pmax = pmax
        return property
    }

    static func result(_ properties: [PropertyResult], states: Int = 10) -> CheckResult {
        CheckResult(
            engine: .init(name: "stamina", version: "test"),
            model: .init(file: "m.prism", propertiesFile: "p.csl", type: "ctmc", constants: .init()),
            parameters: .init(
                kappa: 1, reduceKappa: 1.25, approxFactor: 2, window: 1e-3, maxIterations: 10, method: .iterative,
                propertyTruncation: true, exact: false, relativeWindow: false),
            properties: properties, states: states, transitions: 20, initialStates: 1, seconds: .init(total: 0),
            peakMemoryBytes: 0)
    }

    static let succeeded = JobOutcome(state: .succeeded, reason: nil, message: nil)

    @Test func resultsBlockFollowsTheEngineTextOutput() {
        var reward = Self.property("R=? [ I=1 ]", kind: "reward", pmin: 1.5, pmax: 1.75)
        reward.windowReached = false
        reward.stoppedBy = "stateLimit"
        reward.states = 5
        var refused = Self.property("S=? [ n > 3 ]", kind: "steadyState", pmin: nil, pmax: nil)
        refused.error = .init(code: "UNSUPPORTED_PROPERTY", message: "variable 'n' may grow without end")
        var probability = Self.property("P=? [ F<=1 n>=2 ]", kind: "probability", pmin: 0.25, pmax: 0.25)
        probability.windowReached = true
        let lines = JobLog.resultsBlock(Self.result([reward, refused, probability]))
        #expect(lines.contains("Reward Minimum: 1.500000000000"))
        #expect(lines.contains("Window: 0.250000000000"))  // pmax - pmin when the engine gave no window
        #expect(lines.contains("Window not reached (stopped by: stateLimit)."))
        #expect(lines.contains("Model: 5 states with 1 initial."))  // the property's own count
        #expect(lines.contains("Property: S=? [ n > 3 ]"))
        #expect(lines.contains("not computed: variable 'n' may grow without end"))
        #expect(lines.contains("Probability Maximum: 0.250000000000"))
        #expect(lines.contains("Model: 10 states with 1 initial."))  // the run's count otherwise
        #expect(lines.filter { $0.hasPrefix("Window not reached") }.count == 1)
        #expect(JobLog.resultsBlock(nil).isEmpty)
    }

    @Test func filtersKeepTheirAnswer() {
        // A forall has no Pmin/Pmax: its block still gives its answer, not "not computed".
        var forall = Self.property("filter(forall, x>0, x>=1)", kind: "stateFormula", pmin: nil, pmax: nil)
        var verdict = FilterResult(operator: "forall", states: "x>=1", matched: 4, open: false)
        verdict.verdict = "true"
        verdict.decided = true
        forall.filter = verdict
        var max = Self.property("filter(max, P=? [ F<=1 done ], x<3)", kind: "probability", pmin: 0.5, pmax: 0.75)
        var value = FilterResult(operator: "max", states: "x<3", matched: 3, open: true)
        value.value = .init(lower: 0.5, upper: 0.75)
        value.listed = [.init(state: "x=2", pmin: 0.5, pmax: 0.75, verdict: nil)]
        value.listedCount = 3
        max.filter = value
        max.stoppedBy = "roundLimit"
        let lines = JobLog.resultsBlock(Self.result([forall, max]))
        #expect(lines.contains("Filter: forall over 4 state(s) satisfying x>=1"))
        #expect(lines.contains("Result: true"))
        #expect(!lines.contains { $0.hasPrefix("not computed") })
        #expect(
            lines.contains { $0.hasPrefix("Filter: max over 3 state(s) satisfying x<3, and any states not explored") })
        #expect(lines.contains("Probability Maximum: 0.750000000000"))
        #expect(lines.contains("  (x=2): [0.500000000000, 0.750000000000]"))
        #expect(lines.contains("  ... and 2 more"))
        #expect(lines.contains("Not decided to the window (stopped by: roundLimit)."))
    }

    @Test func theResultsGoBeforeTheFinishedLine() {
        var property = Self.property("P=? [ F<=1 done ]", kind: "probability", pmin: 0.5, pmax: 0.5)
        property.windowReached = true
        let log = JobLog.compose(
            stderr: "[INFO]: Model: m.prism\n\(JobLog.finishedLine)\n", result: Self.result([property]),
            outcome: Self.succeeded)
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "[INFO]: Model: m.prism")
        #expect(lines[1] == "Property: P=? [ F<=1 done ]")
        #expect(lines.suffix(2) == [JobLog.finishedLine, ""])
        #expect(!log.contains("Killed."))
    }

    @Test func aFailureSaysWhyOnceAndAKillEndsWithKilled() {
        let failed = JobOutcome(state: .failed, reason: .engineError, message: "the engine stopped on signal 11")
        let log = JobLog.compose(stderr: "[INFO]: working\n", result: nil, outcome: failed)
        #expect(log == "[INFO]: working\n[ERROR]: the engine stopped on signal 11\n")
        // The engine's own error line is enough: no second one.
        let told = JobLog.compose(stderr: "[ERROR]: bad model\n", result: nil, outcome: failed)
        #expect(told == "[ERROR]: bad model\n")
        let timedOut = JobOutcome(state: .failed, reason: .timeLimit, message: "the job ran longer than 1.0 s")
        #expect(JobLog.compose(stderr: "", result: nil, outcome: timedOut).hasSuffix("s\nKilled.\n"))
        let cancelled = JobOutcome(state: .cancelled, reason: nil, message: "cancelled")
        #expect(JobLog.compose(stderr: "", result: nil, outcome: cancelled) == "Killed.\n")
        #expect(JobLog.compose(stderr: "", result: nil, outcome: Self.succeeded) == "")
    }

    @Test func theLegacyRenderingColoursHeadersAndEscapesAngles() {
        let rendered = LegacyLog.render("[INFO]: a <b>\nplain > text\n[ERROR]: x")
        #expect(rendered.hasPrefix(LegacyLog.headers[0].coloured + "a &lt;b&gt;\n"))
        #expect(rendered.contains("\nplain &gt; text\n"))
        #expect(rendered.hasSuffix(LegacyLog.headers[3].coloured + "x"))
    }
}
