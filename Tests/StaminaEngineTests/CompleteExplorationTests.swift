// Truncation that would approach the whole model explores it completely instead
// (`GrowthPolicy.exploresCompletely`), and the round limit counts every round. Oracle: the same
// run in --exact mode (state and transition counts, and the interval, must be the same).

import PRISM
import Testing
@testable import StaminaEngine

@Suite struct CompleteExplorationTests {
    @Test func declaredRangesDecideWhenToExploreEverything() {
        #expect(GrowthPolicy.exploresCompletely(stateCount: 1, bound: 5_000, maxStates: nil))
        #expect(GrowthPolicy.exploresCompletely(stateCount: 76_000, bound: 983_040, maxStates: nil))
        #expect(!GrowthPolicy.exploresCompletely(stateCount: 11_000, bound: 983_040, maxStates: nil))
        #expect(!GrowthPolicy.exploresCompletely(stateCount: 400_000, bound: 983_040, maxStates: 500_000))
        #expect(!GrowthPolicy.exploresCompletely(stateCount: 1_000_000, bound: nil, maxStates: nil))
    }

    @Test func theLastRoundsGrowthCountsTowardsTheNext() {
        // QVBS peer2peer: 12,204 -> 46,085 of 1,048,576 states; the third round would reach ~174 k.
        let peers = 1_048_576.0
        #expect(!GrowthPolicy.exploresCompletely(stateCount: 46_085, growth: 1, bound: peers, maxStates: nil))
        #expect(GrowthPolicy.exploresCompletely(stateCount: 46_085, growth: 3.78, bound: peers, maxStates: nil))
        // The first round grows from one state: its growth counts as at most 4.
        #expect(!GrowthPolicy.exploresCompletely(stateCount: 12_204, growth: 12_204, bound: peers, maxStates: nil))
        // QVBS majority after its first round: 4,627 of 192,000 states.
        #expect(GrowthPolicy.exploresCompletely(stateCount: 4_627, growth: 4_627, bound: 192_000, maxStates: nil))
        #expect(!GrowthPolicy.exploresCompletely(stateCount: 4_627, growth: 1, bound: 192_000, maxStates: nil))
    }

    /// A tandem of two bounded queues whose declared ranges allow 121 states.
    static let finite = """
        ctmc
        module first
          a : [0..10] init 0;
          [] a < 10 -> 3 : (a' = a + 1);
          [move] a > 0 -> 2 : (a' = a - 1);
        endmodule
        module second
          b : [0..10] init 0;
          [move] b < 10 -> 1 : (b' = b + 1);
          [] b > 0 -> 4 : (b' = b - 1);
        endmodule
        """

    @Test func aSmallFiniteModelIsExploredLikeExactMode() throws {
        let properties = "P=? [ F<=0.5 b = 3 ];\nP=? [ F a = 10 & b = 10 ];"
        let truncated = try PRISMSource.inline(Self.finite, properties)
        let exact = try PRISMSource.inline(Self.finite, properties) { $0.exact = true }
        for (mine, reference) in zip(truncated.properties, exact.properties) {
            #expect(mine.states == reference.states && mine.transitions == reference.transitions, "\(mine.text)")
            #expect(mine.rounds.last?.frontier == 0)
            let low = try #require(mine.pmin)
            let high = try #require(mine.pmax)
            let exactLow = try #require(reference.pmin)
            let exactHigh = try #require(reference.pmax)
            #expect(max(low, exactLow) <= min(high, exactHigh), "\(mine.text): intervals must overlap")
            #expect(high - low <= 1e-9)
        }
    }

    @Test func aDeadlockedGoalIsCountedAsInExactMode() throws {
        // x = 5 is a deadlock (a self-loop of rate 1, as Storm adds it) and the goal: property
        // truncation leaves goal states unexpanded, which used to lose that one transition.
        let model = """
            ctmc
            module line
              x : [0..5] init 0;
              [] x < 5 -> 1 : (x' = x + 1);
            endmodule
            """
        let truncated = try PRISMSource.inline(model, "P=? [ F<=2 x = 5 ];")
        let exact = try PRISMSource.inline(model, "P=? [ F<=2 x = 5 ];") { $0.exact = true }
        #expect(truncated.properties[0].transitions == exact.properties[0].transitions)
        #expect(exact.properties[0].transitions == 6)
    }

    @Test func theRoundLimitCountsEveryRound() throws {
        // An unbounded birth process: never complete, so rounds go on until the window or the limit.
        let model = """
            ctmc
            module births
              n : int init 0;
              [] true -> 1 + n : (n' = n + 1);
            endmodule
            """
        let report = try PRISMSource.inline(model, "P=? [ F<=3 n >= 40 ];") {
            $0.window = 1e-12
            $0.maxIterations = 3
        }
        let result = report.properties[0]
        #expect(result.rounds.count <= 3, "\(result.rounds.count) rounds")
        #expect(!result.rounds.isEmpty)
    }
}
