// The reachable-state bound from update steps (`ReachableStateBound`) and what truncation does
// with it: a model whose declared ranges are loose but whose variables move in fixed steps (the
// genetic circuits of QVBS) is explored completely at once instead of refined round after round.
// Oracles: the exact run's state count (the bound must never be below it, and is equal here) and
// the exact run's counts and interval.

import PRISM
import Testing
@testable import StaminaEngine

@Suite struct ReachableStateBoundTests {
    static func model(_ text: String) throws -> CheckedModel {
        try PRISMSource.program(model: SourceText(name: "inline.prism", text: text), properties: nil).model
    }

    /// x moves by 20 (6 of 101 values), y by `min` (all 10), b never changes (1), c does (2).
    static let stepping = """
        ctmc
        const int STEP = 20;
        formula down = x - STEP;
        module m
          x : [0..100] init 40;
          y : [0..9] init 0;
          b : bool init false;
          c : bool init false;
          [] x < 100 -> 1 : (x' = x + STEP);
          [] x > 0 -> 2 : (x' = down) & (c' = true);
          [] true -> 1 : (y' = min(y + 1, 9));
          [] c -> 1 : (c' = false) & (b' = false);
        endmodule
        """

    @Test func stepsAndConstantsBoundTheValues() throws {
        let model = try Self.model(Self.stepping)
        let bound = try #require(ReachableStateBound.states(of: model))
        #expect(bound == 120)
        let exact = try PRISMSource.inline(Self.stepping, "P=? [ F<=1 x = 100 ];") { $0.exact = true }
        #expect(exact.properties[0].states == 120)

        // Assigning constants: 3 -> 7 is a step of 4, so 3, 7 (11 is out of range); y is untouched.
        let constants = try Self.model(
            """
            ctmc
            module m
              z : [0..10] init 3;
              y : [-5..5] init 0;
              [] z = 3 -> 1 : (z' = 7);
              [] z = 7 -> 1 : (z' = 3);
            endmodule
            """)
        #expect(try #require(ReachableStateBound.states(of: constants)) == 2)
    }

    @Test func withoutASingleStartOrWithAnUnboundedVariableThereIsNoBound() throws {
        let withInit = try Self.model(
            """
            ctmc
            module m
              x : [0..100];
              [] x < 100 -> 1 : (x' = x + 50);
            endmodule
            init x = 0 | x = 25 endinit
            """)
        #expect(ReachableStateBound.states(of: withInit) == nil)
        let unbounded = try Self.model(
            """
            ctmc
            module m
              n : int init 0;
              [] true -> 1 : (n' = n + 2);
            endmodule
            """)
        #expect(ReachableStateBound.states(of: unbounded) == nil)
        #expect(GrowthPolicy.stateBound(of: unbounded, layout: CompiledModel(unbounded).layout) == nil)
    }

    /// Three species counted in steps, as in QVBS majority: the declared ranges allow 3e8 states,
    /// 11 x 21 x 11 = 2,541 are reachable.
    static let circuit = """
        ctmc
        module speciesA
          a : [0..1000] init 500;
          [] a < 1000 -> 10 / (1 + c) : (a' = a + 100);
          [] a > 0 -> 0.01 * a : (a' = a - 100);
        endmodule
        module speciesB
          b : [0..1000] init 0;
          [] b < 1000 -> 10 / (1 + a) : (b' = b + 50);
          [] b > 0 -> 0.01 * b : (b' = b - 50);
        endmodule
        module speciesC
          c : [0..300] init 0;
          [] c < 300 -> 10 / (1 + b) : (c' = c + 30);
          [] c > 0 -> 0.01 * c : (c' = c - 30);
        endmodule
        """

    @Test func aSteppingModelIsExploredCompletelyAtOnce() throws {
        let model = try Self.model(Self.circuit)
        #expect(try #require(ReachableStateBound.states(of: model)) == 2_541)
        #expect(CompiledModel(model).layout.stateSpaceBound ?? 0 > 3e8)
        let property = "P=? [ F<=50 c >= 150 & a <= 200 ];"
        // A window no truncated round reaches: without the bound this refines to the round limit.
        let truncated = try PRISMSource.inline(Self.circuit, property) { $0.window = 1e-9 }
        let exact = try PRISMSource.inline(Self.circuit, property) { $0.exact = true }
        let mine = truncated.properties[0]
        let reference = exact.properties[0]
        #expect(mine.rounds.count == 1, "\(mine.rounds.map(\.states))")
        #expect(mine.rounds.last?.frontier == 0)
        #expect(mine.states == reference.states && mine.transitions == reference.transitions)
        let low = try #require(mine.pmin)
        let high = try #require(mine.pmax)
        let exactLow = try #require(reference.pmin)
        let exactHigh = try #require(reference.pmax)
        #expect(max(low, exactLow) <= min(high, exactHigh), "intervals must overlap")
    }
}
