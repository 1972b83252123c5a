// What can be known before exploring is refused before exploring, and limits keep the sound
// interval reached so far. Oracles: closed forms of pure-birth and birth-death chains.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct DecideBeforeExploringTests {
    /// Pure birth at rate 2 from 0: N_1 ~ Poisson(2), P(N_1 >= 3) = 1 - 5 e^-2.
    static let pureBirth = """
        ctmc
        module arrivals
          n : int init 0;
          [] true -> 2 : (n'=n+1);
        endmodule
        rewards "n" true : n; endrewards
        """
    static let birthThree = 1 - 5 * exp(-2.0)

    @Test func wholeModelPropertiesOnAnInfiniteModelAreRefusedBeforeExploring() throws {
        let report = try PRISMSource.inline(
            Self.pureBirth, "S=? [ n > 3 ]\nR=? [ F n = 5 ]\nR=? [ S ]\nP=? [ F<=1 n >= 3 ]")
        for index in 0..<3 {
            let error = try #require(report.properties[index].error)
            #expect(error.code == "UNSUPPORTED_PROPERTY")
            #expect(error.message.contains("variable 'n'"), "\(error.message)")
            #expect(report.properties[index].pmin == nil)
        }
        // Nothing was explored for them: the P property's own model is small (its window of 1e-3
        // needs about 15 states), not the 10 million states of a full exploration.
        let p = report.properties[3]
        let states = try #require(p.states)
        #expect(states < 1_000)
        #expect(report.states == states)
        let lower = try #require(p.pmin)
        let upper = try #require(p.pmax)
        #expect(lower <= Self.birthThree + 1e-12 && Self.birthThree <= upper + 1e-12)
        #expect(p.windowReached == true && p.stoppedBy == .window)
    }

    @Test func rangeInferenceBoundsAnIntCounterFromItsGuards() throws {
        // n : int behaves like [0..10]: birth and death at rate 1 give the uniform stationary
        // distribution on 0..10, so S=? [ n = 0 ] = 1/11 (closed form), computed, not refused.
        let model = """
            ctmc
            module walk
              n : int init 0;
              [] n < 10 -> 1 : (n'=n+1);
              [] n > 0 -> 1 : (n'=n-1);
            endmodule
            """
        let checked = try PRISMSource.program(model: SourceText(name: "w.prism", text: model), properties: nil)
        let ranges = VariableRanges.infer(checked.model)
        #expect(
            ranges.lower == [0] && ranges.upper == [10],
            "\(ranges) \(checked.model.variables) \(checked.model.commands.map(\.guardExpression))")
        let report = try PRISMSource.inline(model, "S=? [ n = 0 ]")
        let lower = try #require(report.properties[0].pmin, "\(String(describing: report.properties[0].error))")
        let upper = try #require(report.properties[0].pmax)
        #expect(lower - 1e-9 <= 1.0 / 11 && 1.0 / 11 <= upper + 1e-9)
        #expect(report.states == 11)
    }

    @Test func rangeInferenceWidensWhatGrowsAndKeepsSidesApart() throws {
        let model = """
            ctmc
            module m
              a : int init 3;
              b : int init 0;
              c : int init 5;
              [] true -> 1 : (a'=a+1);
              [] b > -4 -> 1 : (b'=b-1);
              [] c >= 5 & c < 8 -> 1 : (c'=2*c);
            endmodule
            """
        let checked = try PRISMSource.program(model: SourceText(name: "m.prism", text: model), properties: nil)
        let ranges = VariableRanges.infer(checked.model)
        // a grows without end above 3; b goes down to -4; c doubles from 5 or 6 or 7 at most once
        // more than the guard allows: 5..14.
        #expect(ranges.lower[0] == 3 && ranges.upper[0] == nil)
        #expect(ranges.lower[1] == -4 && ranges.upper[1] == 0)
        #expect(ranges.lower[2] == 5 && ranges.upper[2] == 14)
        #expect(ranges.unbounded(checked.model.variables) == ["a"])
    }

    @Test func stateLimitKeepsTheIntervalOfTheModelExploredSoFar() throws {
        // At the single time point 1 the mass beyond the explored states matters (an until would
        // absorb it in its target): P(N_1 = 3) = e^-2 2^3/3!, P(N_1 = 2) = e^-2 2^2/2!.
        for exact in [false, true] {
            let report = try PRISMSource.inline(Self.pureBirth, "P=? [ F[1,1] n = 3 ]\nP=? [ F[1,1] n = 2 ]") {
                $0.maxStates = 5
                $0.window = 1e-12
                $0.exact = exact
            }
            for (p, truth) in zip(report.properties, [exp(-2.0) * 8 / 6, exp(-2.0) * 2]) {
                let lower = try #require(p.pmin, "\(String(describing: p.error))")
                let upper = try #require(p.pmax)
                #expect(lower <= truth + 1e-12 && truth <= upper + 1e-12, "exact \(exact): [\(lower), \(upper)]")
                #expect(p.windowReached == false)
                #expect(p.stoppedBy == .stateLimit)
                #expect(p.error == nil)
                #expect((p.states ?? .max) <= 6)
            }
        }
    }

    @Test func timeLimitBeforeTheFirstRoundLeavesEveryPropertyNotComputed() throws {
        let model = """
            ctmc
            module cycle
              x : [0..4] init 0;
              [] true -> 1 : (x' = mod(x + 1, 5));
            endmodule
            """
        let report = try PRISMSource.inline(model, "P=? [ F<=100000 x = 3 ]\nP=? [ F<=1 x = 1 ]") {
            $0.timeLimit = 1e-6
        }
        for p in report.properties {
            #expect(p.error?.code == "TIME_LIMIT")
            #expect(p.stoppedBy == .timeLimit)
            #expect(p.pmin == nil)
        }
    }

    @Test func rewardCeilingFromInferredRangeBoundsAnIntReward() throws {
        // M/M/infinity, lambda 4, mu 1, from empty: N_2 ~ Poisson(m), m = 4 (1 - e^-2);
        // E[max(5 - N, 0)] = sum_{k<5} (5 - k) p_k (closed form). n : int is inferred to be >= 0,
        // so `n < 5 : 5 - n` has the ceiling 5.
        let model = """
            ctmc
            module queue
              n : int init 0;
              [] true -> 4 : (n' = n + 1);
              [] n > 0 -> n : (n' = n - 1);
            endmodule
            rewards "room" n < 5 : 5 - n; endrewards
            rewards "population" true : n; endrewards
            """
        let m = 4 * (1 - exp(-2.0))
        var truth = 0.0
        var p = exp(-m)
        for k in 0..<5 {
            truth += Double(5 - k) * p
            p *= m / Double(k + 1)
        }
        let report = try PRISMSource.inline(model, "R{\"room\"}=? [ I=2 ]\nR{\"population\"}=? [ I=2 ]") {
            $0.window = 1e-6
        }
        let room = report.properties[0]
        let lower = try #require(room.pmin, "\(String(describing: room.error))")
        let upper = try #require(room.pmax)
        #expect(lower <= truth + 1e-12 && truth <= upper + 1e-12)
        #expect(room.windowReached == true)
        let refusal = try #require(report.properties[1].error)
        #expect(refusal.code == "UNSUPPORTED_PROPERTY")
        #expect(refusal.message.contains("no ceiling") && refusal.message.contains("'n'"), "\(refusal.message)")
    }
}

@Suite struct RelativeWindowTests {
    @Test func relativeWindowNarrowsARareEventToItsOwnScale() throws {
        // Pure birth at rate 2: P(N_1 = 12) = e^-2 2^12 / 12! ~ 1.2e-6 (closed form). An absolute
        // window of 1e-3 would accept a width a thousand times the value.
        var truth = exp(-2.0)
        for k in 1...12 { truth *= 2 / Double(k) }
        let report = try PRISMSource.inline(DecideBeforeExploringTests.pureBirth, "P=? [ F[1,1] n = 12 ]") {
            $0.window = 1e-3
            $0.relativeWindow = true
        }
        let p = report.properties[0]
        let lower = try #require(p.pmin)
        let upper = try #require(p.pmax)
        #expect(lower <= truth * (1 + 1e-12) && truth <= upper * (1 + 1e-12), "[\(lower), \(upper)] \(truth)")
        #expect(upper - lower <= 1e-3 * lower)
        #expect(p.windowReached == true && p.stoppedBy == .window)
    }

    @Test func aZeroLowerBoundNeverReachesARelativeWindow() {
        var settings = CheckSettings()
        settings.window = 1e-2
        settings.relativeWindow = true
        #expect(settings.targetWidth(lower: 0) == 0)
        #expect(abs(settings.targetWidth(lower: 0.5) - 5e-3) < 1e-18)
        settings.relativeWindow = false
        #expect(settings.targetWidth(lower: 0) == 1e-2)
    }
}
