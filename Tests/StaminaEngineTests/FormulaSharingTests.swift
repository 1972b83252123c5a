// Formulas and labels are shared nodes of the checked expressions; the engine compiles each one
// once, as a routine that runs at most once per state, and only where a use is reached.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct FormulaSharingTests {
    static let levels = 26

    /// `f(k) = f(k-1)*f(k-1) - f(k-1) + 0.25`: inlined, f26 would be 3^26 nodes.
    static func bomb(threshold: Double) -> String {
        var lines = ["ctmc", "module m", "  x : [0..1] init 0;", "  [] x=0 -> 2.0 : (x'=1);", "endmodule"]
        lines.append("formula f0 = x/4 + 0.5;")
        for level in 1...levels {
            lines.append("formula f\(level) = f\(level - 1)*f\(level - 1) - f\(level - 1) + 0.25;")
        }
        lines.append("label \"low\" = f\(levels) < \(threshold);")
        lines += ["rewards \"r\"", "  true : f\(levels);", "endrewards"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// f26 in a state with `x`, by the same double operations in the same order.
    static func value(_ x: Int) -> Double {
        var y = Double(x) / 4 + 0.5
        for _ in 0..<levels { y = y * y - y + 0.25 }
        return y
    }

    /// Regression (issue 8, "formula bomb"): checks the bomb, with results from the closed form of
    /// a two-state chain (x leaves 0 at rate 2 and stays at 1).
    @Test func formulaBombChecksWithTheRightValues() throws {
        let (v0, v1) = (Self.value(0), Self.value(1))
        #expect(v0 != v1)
        let threshold = (v0 + v1) / 2
        let report = try PRISMSource.inline(
            Self.bomb(threshold: threshold), "P=? [ F<=1 \"low\" ]\nR{\"r\"}=? [ C<=1 ]\nR{\"r\"}=? [ I=0.5 ]")
        let leave = 1 - exp(-2.0)
        // "low" holds where f26 is the smaller of the two values.
        let reach = v0 < v1 ? 1 : leave
        // Expected time in x=0 during [0, 1] is (1 - e^-2) / 2.
        let timeAtZero = leave / 2
        let cumulative = v0 * timeAtZero + v1 * (1 - timeAtZero)
        let instantaneous = v0 * exp(-1.0) + v1 * (1 - exp(-1.0))
        for (index, truth) in [reach, cumulative, instantaneous].enumerated() {
            let property = report.properties[index]
            let pmin = try #require(property.pmin)
            let pmax = try #require(property.pmax)
            #expect(pmin <= truth + 1e-9 && truth <= pmax + 1e-9, "property \(index): \(pmin) \(truth) \(pmax)")
            #expect(pmax - pmin < 1e-6)
        }
    }

    /// Each shared node is compiled once for the whole program: the label and the reward together
    /// are a few hundred instructions, not 3^26.
    @Test func formulaBombCompilesToASmallProgram() throws {
        let checked = try PRISMSource.program(
            model: SourceText(name: "bomb.prism", text: Self.bomb(threshold: 0.1)),
            properties: SourceText(name: "bomb.csl", text: "P=? [ F<=1 \"low\" ]"))
        var model = CompiledModel(checked.model)
        _ = model.compile(checked.model.labels[0].expression)
        _ = model.compile(checked.model.rewards[0].stateRewards[0].value)
        guard case .probability(_, .eventually(.atom(let atom), _), _) = checked.properties[0].formula else {
            Issue.record("unexpected property shape")
            return
        }
        _ = model.compile(atom)
        // f0...f26 and the label, which the model and the property share.
        #expect(model.program.sharedRoutineCount == Self.levels + 2)
        #expect(model.program.instructionCount < 400)
    }

    /// A shared formula first reached inside a branch that is not taken must neither fault nor
    /// be taken as computed: `mod(7, x)` is a fault at x = 0.
    @Test func sharingKeepsUntakenBranchesLazy() throws {
        let report = try PRISMSource.inline(
            """
            ctmc
            formula q = mod(7, x);
            module m
              x : [0..2] init 0;
              [] (x > 0 ? q : 1) >= 0 & x < 2 -> (x = 0 ? 1 : q + 1) : (x'=x+1);
            endmodule
            """,
            "P=? [ F<=1 x=2 ]")
        // Rates 1 (x=0) then mod(7,1)+1 = 1 (x=1): reaching 2 by time 1 is Erlang(2, 1).
        let truth = 1 - 2 * exp(-1.0)
        let property = report.properties[0]
        let pmin = try #require(property.pmin)
        let pmax = try #require(property.pmax)
        #expect(pmin <= truth + 1e-9 && truth <= pmax + 1e-9, "\(pmin) \(truth) \(pmax)")
    }
}
