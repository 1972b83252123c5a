// An expected reward whose hitting time is astronomically large (M/M/1/40 with lambda/mu = 2/3:
// the queue is full about once in 10^7 time units), where value iteration stalls. Oracle: the
// birth-death recurrence solved exactly in rational arithmetic (Python fractions, Gaussian
// elimination on the 40 unknowns) gives 66343087.92564008; it must lie inside [Pmin, Pmax], and
// the interval must be narrower than 1e-9 relative (the oracle driver's exact-mode tolerance).

import PRISM
import Testing
@testable import StaminaEngine

@Suite struct RareHittingRewardTests {
    static let model = """
        ctmc
        const int N = 40;
        module queue
          q : [0..N] init 0;
          [arrive] q < N -> 2.0 : (q' = q + 1);
          [serve]  q > 0 -> 3.0 : (q' = q - 1);
        endmodule
        rewards "queue"
          true : q;
        endrewards
        """

    @Test(arguments: [false, true])
    func expectedQueueUntilFullMatchesExactRecurrence(exact: Bool) throws {
        let report = try PRISMSource.inline(Self.model, "R{\"queue\"}=? [ F q = N ];") { $0.exact = exact }
        let result = report.properties[0]
        let truth = 66343087.92564008
        let lower = try #require(result.pmin, "\(String(describing: result.error))")
        let upper = try #require(result.pmax)
        #expect(lower <= truth && truth <= upper, "\(lower) \(truth) \(upper)")
        #expect((upper - lower) / truth < 1e-9)
    }
}
