// A run's time limit ends the numerical phase too, not only exploration. The deadlines here have
// already passed when the solvers start, so the outcome does not depend on the machine's speed.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct TimeLimitTests {
    static let passed = SolverDeadline(instant: ContinuousClock.now - .seconds(1))

    @Test func transientAnalysisStopsAtThePassedDeadline() {
        let rates = rateMatrix(states: 2, [(0, 1, 1), (1, 0, 1)])
        #expect(throws: NumericsError.timeLimit) {
            try Uniformization.transient(
                rates: rates, initial: [1, 0], time: 1e5, absorbing: [false, false], accuracy: 1e-9,
                deadline: Self.passed)
        }
        // Without a deadline the same solve finishes.
        #expect(throws: Never.self) {
            try Uniformization.transient(
                rates: rates, initial: [1, 0], time: 1e3, absorbing: [false, false], accuracy: 1e-9)
        }
    }

    @Test func reachabilityIterationStopsAtThePassedDeadline() {
        // From 0: to the target 1 or to the trap 2, and back to 0 from 3; state 0 is undecided.
        let rates = rateMatrix(states: 4, [(0, 1, 1), (0, 2, 1), (0, 3, 1), (3, 0, 1), (2, 2, 1)])
        let allowed = [true, false, false, true]
        let target = [false, true, false, false]
        #expect(throws: NumericsError.timeLimit) {
            try Reachability.until(
                rates: rates, allowed: allowed, target: target, precision: 1e-12, deadline: Self.passed)
        }
    }

    @Test func aRunWhoseNumericsOutlastTheLimitReportsTimeLimit() throws {
        // Five states are explored long before the explorer first looks at the clock (every 1,024
        // expansions), so only the transient solver can notice the limit.
        let model = """
            ctmc
            module cycle
              x : [0..4] init 0;
              [] true -> 1 : (x' = mod(x + 1, 5));
            endmodule
            """
        // No round finished, so the property has no interval, only the limit that stopped it.
        let report = try PRISMSource.inline(model, "P=? [ F<=100000 x = 3 ]") { $0.timeLimit = 1e-6 }
        #expect(report.properties[0].error?.code == "TIME_LIMIT")
        #expect(report.properties[0].pmin == nil)
    }
}
