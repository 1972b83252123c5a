// A run's time limit ends the numerical phase too, not only exploration: the solvers themselves stop
// at their deadline. The deadlines here have already passed when the solvers start, so the outcome
// does not depend on the machine's speed. (The engine's side, a whole run reporting TIME_LIMIT, is
// in StaminaEngineTests.TimeLimitTests.)

import Foundation
import StaminaNumerics
import Testing

@Suite struct SolverDeadlineTests {
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
}
