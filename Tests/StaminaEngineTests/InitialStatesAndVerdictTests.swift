// init...endinit blocks, synchronisation conflicts and P~p verdicts.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct InitialStatesAndVerdictTests {
    static let walk = """
        ctmc
        module walk
          x : [0..3];
          [] x < 3 -> 2 : (x'=x+1);
          [] x > 0 -> 1 : (x'=x-1);
        endmodule
        """

    @Test func initBlockGivesEveryMatchingStateAndResultsForTheFirst() throws {
        // Oracle: the same chain with the single initial state x=0 (the first in our order).
        let several = try PRISMSource.inline(
            Self.walk.replacingOccurrences(of: "x : [0..3];", with: "x : [0..3];\n") + "\ninit x <= 1 endinit\n",
            "P=? [ F<=1 x = 3 ]"
        ) { $0.exact = true }
        let single = try PRISMSource.inline(
            Self.walk.replacingOccurrences(of: "x : [0..3];", with: "x : [0..3] init 0;"), "P=? [ F<=1 x = 3 ]"
        ) { $0.exact = true }
        #expect(several.initialStates == 2)
        #expect(single.initialStates == 1)
        let a = try #require(several.properties[0].pmin)
        let b = try #require(single.properties[0].pmin)
        #expect(abs(a - b) < 1e-9)
    }

    @Test func everyInitialStateGetsItsOwnInterval() throws {
        // Oracle: the same chain from the single initial state x=0, then x=1 (exact mode, 1e-9).
        let properties = "P=? [ F<=1 x = 3 ]\nP=? [ F x = 3 ]"
        let several = try PRISMSource.inline(Self.walk + "\ninit x <= 1 endinit\n", properties) { $0.exact = true }
        for (index, property) in several.properties.enumerated() {
            #expect(property.initialStateCount == 2)
            #expect(property.initialValues.map(\.state) == ["x=0", "x=1"])
            for (start, value) in property.initialValues.enumerated() {
                let single = try PRISMSource.inline(
                    Self.walk.replacingOccurrences(of: "x : [0..3];", with: "x : [0..3] init \(start);"), properties
                ) { $0.exact = true }
                let truth = try #require(single.properties[index].pmin)
                #expect(value.pmin <= truth + 1e-9 && truth <= value.pmax + 1e-9, "\(property.text) from x=\(start)")
                #expect(value.pmax - value.pmin <= 1e-9)
            }
        }
        // From x=1 the bounded reachability is larger than from x=0.
        let values = several.properties[0].initialValues
        #expect(values[1].pmin > values[0].pmax)
    }

    @Test func unboundedVariableInInitBlockIsRefused() throws {
        let model = Build.ctmc([Build.variable("n", nil)], [], initial: Build.cmp(.less, Build.int(0), Build.lit(3)))
        do {
            _ = try CheckRun(model: model, properties: [], settings: CheckSettings())
            Issue.record("expected UNBOUNDED_INIT")
        } catch {
            #expect(error.code == "UNBOUNDED_INIT")
            // The message starts at the variable's declaration, file:line:column.
            let location = try #require(model.variables.first?.location)
            #expect(error.description.hasPrefix("\(location.file):\(location.line):\(location.column): "))
            #expect(error.description.contains("'n'"))
        }
    }

    @Test func twoSynchronisingCommandsWritingOneVariableAreAnError() throws {
        // Commands 0 and 1 synchronise (one part each) and both assign slot 0.
        let g = Build.int(0)
        var model = Build.ctmc(
            [Build.variable("g", 0...5)],
            [
                Build.command(Build.cmp(.equal, g, Build.lit(0)), Build.real(1), [(0, Build.lit(1))], line: 4),
                Build.command(Build.cmp(.equal, g, Build.lit(0)), Build.real(1), [(0, Build.lit(2))], line: 8),
            ])
        model.groups = [SynchronizationGroup(action: "a", parts: [[0], [1]])]
        let property = Build.property(Build.eventually(Build.yes, within: 1))
        var settings = CheckSettings()
        settings.exact = true
        do {
            _ = try CheckRun(model: model, properties: [property], settings: settings).run(observer: nil)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.code == "CONFLICTING_ASSIGNMENTS")
            #expect(error.description.contains("test.prism:4:3") && error.description.contains("test.prism:8:3"))
            #expect(error.description.contains("g=0"))
        }
    }

    @Test func verdictsFollowTheBounds() {
        let bounds = Bounds(lower: 0.4, upper: 0.6)
        #expect(CheckRun.verdict(.greaterOrEqual, 0.3, bounds) == .true)
        #expect(CheckRun.verdict(.greaterOrEqual, 0.5, bounds) == .unknown)
        #expect(CheckRun.verdict(.greaterOrEqual, 0.7, bounds) == .false)
        #expect(CheckRun.verdict(.less, 0.7, bounds) == .true)
        #expect(CheckRun.verdict(.less, 0.4, bounds) == .false)
        #expect(CheckRun.verdict(.lessOrEqual, 0.6, bounds) == .true)
        #expect(CheckRun.verdict(.greater, 0.6, bounds) == .false)
    }

    @Test func boundedProbabilityPropertyGetsAVerdict() throws {
        // Poisson arrivals, rate 2: P(N_1 >= 1) = 1 - e^{-2} = 0.8647 (closed form).
        let report = try PRISMSource.inline(
            """
            ctmc
            module arrivals
              n : int init 0;
              [] true -> 2 : (n'=n+1);
            endmodule
            """, "P>=0.8 [ F<=1 n >= 1 ]\nP<0.8 [ F<=1 n >= 1 ]")
        #expect(report.properties[0].verdict == .true)
        #expect(report.properties[1].verdict == .false)
    }
}
