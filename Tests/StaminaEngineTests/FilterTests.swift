// filter(op, prop, states): exact values against closed forms on a finite chain, sound bounds on
// an infinite one, and the aggregation rules for sets that may hold states not explored yet.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct FilterTests {
    /// A pure birth (Poisson) counter: from n=j, P(F<=t n>=k) = P(Poisson(rate t) >= k - j).
    static let poisson = """
        ctmc
        module counter
          n : int init 0;
          [] true -> 1 : (n'=n+1);
        endmodule
        """

    /// P(Poisson(mean) >= k).
    static func tail(_ k: Int, mean: Double) -> Double {
        guard k > 0 else { return 1 }
        var term = exp(-mean)
        var below = term
        for i in 1..<k {
            term *= mean / Double(i)
            below += term
        }
        return 1 - below
    }

    /// The same counter with a ceiling at 6: from n=j < 6, P(F<=1 n>=3) is the Poisson tail above.
    static let capped = """
        ctmc
        module counter
          n : [0..6] init 0;
          [] n<6 -> 1 : (n'=n+1);
        endmodule
        """

    @Test func exactValuesEqualTheClosedForm() throws {
        let report = try PRISMSource.inline(
            Self.capped,
            """
            filter(min, P=? [ F<=1 n>=3 ], n<3)
            filter(max, P=? [ F<=1 n>=3 ], n<3)
            filter(sum, P=? [ F<=1 n>=3 ], n<=3)
            filter(avg, P=? [ F<=1 n>=3 ], n<3)
            filter(count, P>=0.5 [ F<=1 n>=3 ], true)
            filter(forall, P>0.05 [ F<=1 n>=3 ], n<3)
            filter(exists, P>0.9 [ F<=1 n>=3 ], n<3)
            filter(argmax, P=? [ F<=1 n>=3 ], n<3)
            filter(state, P=? [ F<=1 n>=3 ], n=1)
            filter(range, P=? [ F<=1 n>=3 ], n<3)
            """
        ) { $0.exact = true }
        let p = (0...3).map { Self.tail(3 - $0, mean: 1) }
        func value(_ index: Int) throws -> ValueInterval { try #require(report.properties[index].filter?.value) }
        let expected = [p[0], p[2], p[0] + p[1] + p[2] + p[3], (p[0] + p[1] + p[2]) / 3]
        for (index, truth) in expected.enumerated() {
            let v = try value(index)
            let upper = try #require(v.upper)
            #expect(v.lower <= truth + 1e-12 && truth <= upper + 1e-12, "\(report.properties[index].text)")
            #expect(upper - v.lower <= 1e-9)
            #expect(report.properties[index].windowReached == true)
        }
        // p = 0.080, 0.264, 0.632, 1 (n=0..3) and 1 for n=4..6: five states reach n>=3 w.p. >= 0.5.
        #expect(try value(4).lower == 5 && value(4).upper == 5)
        #expect(report.properties[5].filter?.verdict == .true)
        #expect(report.properties[5].verdict == .true)
        #expect(report.properties[6].filter?.verdict == .false)
        #expect(report.properties[7].filter?.states.map(\.state) == ["n=2"])
        #expect(try abs(value(8).lower - p[1]) <= 1e-9)
        let range = try #require(report.properties[9].filter)
        #expect(abs((range.minimum?.lower ?? 0) - p[0]) <= 1e-9 && abs((range.maximum?.lower ?? 0) - p[2]) <= 1e-9)
    }

    @Test func truncatedBoundsContainTheClosedForm() throws {
        // On the infinite counter "init" is explored (decided to the window). n is inferred to be
        // at least 0, so n<3 holds three states at most: once they are explored the set is closed
        // and its answers are decided to the window too. n>=1 has no such bound: states not
        // explored yet may join it, so its answers widen towards the unknown side but stay sound.
        let report = try PRISMSource.inline(
            Self.poisson,
            """
            filter(first, P=? [ F<=1 n>=3 ], "init")
            filter(max, P=? [ F<=1 n>=3 ], n<3)
            filter(min, P=? [ F<=1 n>=3 ], n<3)
            filter(exists, P>0.5 [ F<=1 n>=3 ], n<3)
            filter(forall, P>0.5 [ F<=1 n>=3 ], n<3)
            filter(count, P>0.5 [ F<=1 n>=3 ], n<3)
            filter(min, P=? [ F<=1 n>=3 ], n>=1)
            filter(count, P>0.5 [ F<=1 n>=3 ], n>=1)
            """
        ) { $0.window = 1e-9 }
        let p = (0...2).map { Self.tail(3 - $0, mean: 1) }
        let first = try #require(report.properties[0].filter?.value)
        #expect(first.lower <= p[0] && p[0] <= (first.upper ?? 0))
        #expect(report.properties[0].windowReached == true)
        #expect(report.properties[0].filter?.open == false)
        for (index, truth) in [(1, p[2]), (2, p[0])] {
            let filter = try #require(report.properties[index].filter)
            let value = try #require(filter.value)
            #expect(!filter.open, "\(report.properties[index].text)")
            #expect(value.lower <= truth && truth <= (value.upper ?? 0))
            #expect((value.upper ?? 1) - value.lower <= 1e-9)
            #expect(report.properties[index].windowReached == true)
        }
        // From n=2, P = 1 - 1/e > 0.5 settles exists; from n=0 it is 0.08, which settles forall.
        #expect(report.properties[3].filter?.verdict == .true)
        #expect(report.properties[4].filter?.verdict == .false)
        #expect(report.properties[5].filter?.value == ValueInterval(lower: 1, upper: 1))
        let open = try #require(report.properties[6].filter)
        #expect(open.open && open.value?.lower == 0 && p[1] <= (open.value?.upper ?? 0))
        #expect(report.properties[6].windowReached == false)
        // n=2 and every explored n>=3 have P > 0.5; more may follow.
        let count = try #require(report.properties[7].filter?.value)
        #expect(count.lower >= 2 && count.upper == nil)
    }

    /// PRISM reads a state formula as a filter's property per state (true or false); numerical
    /// operators on it are refused by the front end (`FilterSyntaxTests`).
    @Test(arguments: [false, true]) func stateFormulasAreReadPerState(exact: Bool) throws {
        let report = try PRISMSource.inline(
            Self.capped,
            """
            filter(count, n>=3)
            filter(forall, n<=6)
            filter(exists, n>=3 & n<2)
            filter(print, n>4)
            filter(first, n>0)
            filter(state, n=2 | n=3, n=2)
            filter(forall, n=0, "init")
            filter(printall, n>=5, n>=4)
            """
        ) { $0.exact = exact }
        for property in report.properties {
            #expect(property.error == nil, "\(property.text): \(property.error?.message ?? "")")
            #expect(property.kind == .stateFormula && property.pmin == nil)
            #expect(property.windowReached == true && property.filter?.open == false, "\(property.text)")
        }
        let filters = report.properties.map(\.filter)
        #expect(filters[0]?.value == ValueInterval(lower: 4, upper: 4))
        #expect(filters[1]?.verdict == .true)
        #expect(filters[2]?.verdict == .false)
        #expect(filters[3]?.states.map(\.state) == ["n=5", "n=6"])
        #expect(filters[4]?.verdict == .false && filters[4]?.states.map(\.state) == ["n=0"])
        #expect(filters[5]?.verdict == .true)
        #expect(filters[6]?.verdict == .true)
        #expect(filters[7]?.states.map(\.verdict) == [.false, .true, .true])
    }

    @Test func stateFormulasOnAnInfiniteModelAreExactOnExploredStates() throws {
        let report = try PRISMSource.inline(
            Self.poisson,
            """
            filter(forall, n=0, "init")
            filter(count, n<3)
            filter(state, n=1, n=1)
            filter(exists, n=2)
            filter(count, n>=3)
            filter(first, n>0)
            """)
        let filters = report.properties.map(\.filter)
        #expect(filters[0]?.verdict == .true && report.properties[0].windowReached == true)
        // n<3 and n=1 are closed (n >= 0 is inferred): exact answers.
        #expect(filters[1]?.value == ValueInterval(lower: 3, upper: 3) && report.properties[1].windowReached == true)
        #expect(filters[2]?.verdict == .true && report.properties[2].windowReached == true)
        #expect(filters[3]?.verdict == .true)
        // Unbounded sets: a count that may grow, a first state that may not be explored yet. No
        // round can close them, so none is added (one round, as for the initial state).
        let count = try #require(filters[4]?.value)
        #expect(count.lower >= 1 && count.upper == nil && report.properties[4].windowReached == false)
        #expect(report.properties[4].iterations == 1)
        #expect(filters[5]?.open == true && filters[5]?.verdict == .unknown)
    }

    /// The M/M/1 queue with an unbounded buffer, and a copy capped far beyond what 5 time units
    /// reach (arrivals at rate 1: 120 of them by t=5 has probability below 1e-100).
    static func queue(capped: Bool) -> String {
        """
        ctmc
        module queue
          q : \(capped ? "[0..120]" : "int") init 0;
          [] \(capped ? "q<120" : "true") -> 1 : (q'=q+1);
          [] q>0 -> 2 : (q'=q-1);
        endmodule
        """
    }

    @Test func aFilterOverOtherStatesGetsRoundsOfItsOwn() throws {
        // From q=0 the value is below the window after the first round; from q=25 it is not. q<=25
        // is a finite set (q >= 0 is inferred), so the refinement goes on until it is decided.
        let properties = """
            filter(max, P=? [ F<=5 q>=30 ], q<=25)
            filter(range, P=? [ F<=2 q>40 ], q<=30)
            """
        let truncated = try PRISMSource.inline(Self.queue(capped: false), properties) { $0.window = 1e-6 }
        let exact = try PRISMSource.inline(Self.queue(capped: true), properties) { $0.exact = true }
        let first = truncated.properties[0]
        #expect(first.windowReached == true && first.filter?.open == false)
        #expect((first.iterations ?? 0) > 1)
        let value = try #require(first.filter?.value)
        let truth = try #require(exact.properties[0].filter?.value)
        #expect(value.lower <= truth.lower + 1e-12 && truth.upper ?? 1 <= (value.upper ?? 0) + 1e-12)
        #expect((value.upper ?? 1) - value.lower <= 1e-6)
        let range = try #require(truncated.properties[1].filter)
        let exactRange = try #require(exact.properties[1].filter)
        #expect(truncated.properties[1].windowReached == true)
        for (ours, storm) in [(range.minimum, exactRange.minimum), (range.maximum, exactRange.maximum)] {
            let ours = try #require(ours)
            let truth = try #require(storm)
            #expect(ours.lower <= truth.lower + 1e-12 && (truth.upper ?? 1) <= (ours.upper ?? 0) + 1e-12)
        }
    }

    @Test func finiteSetsOfValuationsAreCounted() throws {
        let program = try PRISMSource.program(
            model: SourceText(name: "inline.prism", text: Self.poisson),
            properties: SourceText(
                name: "inline.csl",
                text: """
                    filter(count, n<3)
                    filter(count, n>=3)
                    filter(count, n<3 & n>0)
                    filter(count, n<3 & "deadlock")
                    filter(count, "init")
                    filter(count, n<0)
                    """))
        let ranges = VariableRanges.infer(program.model)
        let counts = program.properties.map { property in
            FilterSetBound(property.formula, variables: program.model.variables, ranges: ranges).candidates
        }
        #expect(counts == [3, nil, 2, 3, nil, 0])
    }

    @Test func openSetsOnlyWidenTowardsTheUnknownSide() {
        func run(_ op: FilterOperator, open: Bool, verdicts: [Verdict]? = nil) -> FilterReport? {
            let evaluation = FilterEvaluation(
                op: op, values: [Bounds(lower: 0.2, upper: 0.3), Bounds(lower: 0.5, upper: 0.6)],
                verdicts: verdicts, open: open, domainUpper: 1, targetWidth: { _ in 1e-3 }, describe: { "s\($0)" })
            return try? evaluation.evaluate(statesText: nil).get()
        }
        #expect(run(.min, open: false)?.value == ValueInterval(lower: 0.2, upper: 0.3))
        #expect(run(.min, open: true)?.value == ValueInterval(lower: 0, upper: 0.3))
        #expect(run(.max, open: true)?.value == ValueInterval(lower: 0.5, upper: 1))
        #expect(run(.sum, open: true)?.value == ValueInterval(lower: 0.7, upper: nil))
        #expect(run(.avg, open: true)?.value == ValueInterval(lower: 0, upper: 1))
        #expect(run(.count, open: false, verdicts: [.true, .unknown])?.value == ValueInterval(lower: 1, upper: 2))
        #expect(run(.forall, open: true, verdicts: [.true, .false])?.verdict == .false)
        #expect(run(.forall, open: true, verdicts: [.true, .true])?.verdict == .unknown)
        #expect(run(.forall, open: false, verdicts: [.true, .true])?.verdict == .true)
        #expect(run(.exists, open: false, verdicts: [.false, .unknown])?.verdict == .unknown)
        #expect(run(.argmax, open: false)?.states.map(\.state) == ["s1"])
        let empty = FilterEvaluation(
            op: .min, values: [], verdicts: nil, open: false, domainUpper: 1, targetWidth: { _ in 0 },
            describe: { _ in "" })
        #expect(throws: FilterEvaluation.Failure.empty) { try empty.evaluate(statesText: nil).get() }
    }
}
