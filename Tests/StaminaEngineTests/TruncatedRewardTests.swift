// Time-bounded rewards on infinite models: bounded with the reward ceiling (`RewardCeiling`) on
// the truncated chain, against closed forms; and the ceiling itself on small expressions.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct TruncatedRewardTests {
    /// M/M/infinity from empty: N_t ~ Poisson(m(t)), m(t) = lambda/mu (1 - e^{-mu t}).
    static let mmInfinity = """
        ctmc
        const double lambda = 4;
        const double mu = 1;
        module queue
          n : int init 0;
          [] true -> lambda : (n' = n + 1);
          [] n > 0 -> mu * n : (n' = n - 1);
        endmodule
        rewards "busy"
          n > 0 : 1;
        endrewards
        rewards "capped"
          true : min(n, 5);
        endrewards
        rewards "population"
          true : n;
        endrewards
        """

    static func mean(_ t: Double) -> Double { 4 * (1 - exp(-t)) }

    /// E[min(N, 5)] for N ~ Poisson(m): sum_{k<5} k p_k + 5 P(N >= 5).
    static func cappedMean(_ m: Double) -> Double {
        var below = 0.0
        var mass = 0.0
        var p = exp(-m)
        for k in 0..<5 {
            below += Double(k) * p
            mass += p
            p *= m / Double(k + 1)
        }
        return below + 5 * (1 - mass)
    }

    /// Composite Simpson's rule with 20,000 panels: error far below 1e-9 for these smooth integrands.
    static func integral(upTo t: Double, _ f: (Double) -> Double) -> Double {
        let panels = 20_000
        let h = t / Double(panels)
        var sum = f(0) + f(t)
        for i in 1..<panels { sum += (i % 2 == 1 ? 4 : 2) * f(Double(i) * h) }
        return sum * h / 3
    }

    static func check(_ property: String, window: Double, method: ExplorationMethod) throws -> PropertyReport {
        let report = try PRISMSource.inline(mmInfinity, property) {
            $0.window = window
            $0.method = method
        }
        return report.properties[0]
    }

    @Test(arguments: ExplorationMethod.allCases)
    func instantaneousRewardsContainTheClosedForm(method: ExplorationMethod) throws {
        let t = 2.0
        let cases: [(String, Double)] = [
            ("R{\"busy\"}=? [ I=2 ]", 1 - exp(-Self.mean(t))),
            ("R{\"capped\"}=? [ I=2 ]", Self.cappedMean(Self.mean(t))),
        ]
        for (property, truth) in cases {
            let report = try Self.check(property, window: 1e-6, method: method)
            let lower = try #require(report.pmin, "\(property): \(String(describing: report.error))")
            let upper = try #require(report.pmax)
            #expect(lower <= truth + 1e-12 && truth <= upper + 1e-12, "\(property) [\(lower), \(upper)] \(truth)")
            #expect(report.windowReached == true)
            #expect(upper - lower <= 1e-6)
            #expect(report.kind == .reward)
        }
    }

    @Test(arguments: ExplorationMethod.allCases)
    func cumulativeRewardsContainTheClosedForm(method: ExplorationMethod) throws {
        let t = 3.0
        let cases: [(String, Double)] = [
            ("R{\"busy\"}=? [ C<=3 ]", Self.integral(upTo: t) { 1 - exp(-Self.mean($0)) }),
            ("R{\"capped\"}=? [ C<=3 ]", Self.integral(upTo: t) { Self.cappedMean(Self.mean($0)) }),
        ]
        for (property, truth) in cases {
            let report = try Self.check(property, window: 1e-5, method: method)
            let lower = try #require(report.pmin, "\(property): \(String(describing: report.error))")
            let upper = try #require(report.pmax)
            #expect(lower <= truth + 1e-9 && truth <= upper + 1e-9, "\(property) [\(lower), \(upper)] \(truth)")
            #expect(report.windowReached == true)
        }
    }

    @Test func aRewardWithoutCeilingOnAnInfiniteModelIsRefusedByName() throws {
        let report = try PRISMSource.inline(Self.mmInfinity, "R{\"population\"}=? [ I=2 ]") { $0.maxStates = 5_000 }
        let error = try #require(report.properties[0].error)
        #expect(error.code == "UNSUPPORTED_PROPERTY")
        #expect(error.message.contains("ceiling"))
    }

    @Test func ceilingsFollowTheDeclaredRanges() throws {
        let model = """
            ctmc
            module m
              x : [0..10] init 0;
              y : int init 0;
              b : bool init false;
              [] x < 10 -> 1 : (x' = x + 1);
              [] true -> 1 : (y' = y + 1);
            endmodule
            rewards "a" x > 2 : 2 * x + 1; endrewards
            rewards "b" x > 20 : y; endrewards
            rewards "c" true : y; endrewards
            rewards "d" b : min(y, 3); x < 5 : 10 / (x + 1); endrewards
            rewards "e" true : x / (x - 5); endrewards
            """
        let program = try PRISMSource.program(model: SourceText(name: "m.prism", text: model), properties: nil)
        let ceilings = RewardCeilings(program.model).stateRewards
        let a = try #require(ceilings[0])
        #expect(a >= 21 && a < 21.000001)
        // The guard x > 20 never holds over 0..10: the unbounded value does not matter.
        #expect(ceilings[1] == 0)
        #expect(ceilings[2] == nil)
        let d = try #require(ceilings[3])
        #expect(d >= 13 && d < 13.000001)
        // x - 5 can be 0: no ceiling.
        #expect(ceilings[4] == nil)
    }
}
