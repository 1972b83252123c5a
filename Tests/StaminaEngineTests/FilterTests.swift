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
        // On the infinite counter, "init" is explored (decided to the window); n<3 may hold states
        // not explored yet as far as the engine knows, so its answers widen but stay sound.
        let report = try PRISMSource.inline(
            Self.poisson,
            """
            filter(first, P=? [ F<=1 n>=3 ], "init")
            filter(max, P=? [ F<=1 n>=3 ], n<3)
            filter(min, P=? [ F<=1 n>=3 ], n<3)
            filter(exists, P>0.5 [ F<=1 n>=3 ], n<3)
            filter(forall, P>0.5 [ F<=1 n>=3 ], n<3)
            filter(count, P>0.5 [ F<=1 n>=3 ], n<3)
            """
        ) { $0.window = 1e-9 }
        let p = (0...2).map { Self.tail(3 - $0, mean: 1) }
        let first = try #require(report.properties[0].filter?.value)
        #expect(first.lower <= p[0] && p[0] <= (first.upper ?? 0))
        #expect(report.properties[0].windowReached == true)
        #expect(report.properties[0].filter?.open == false)
        let max = try #require(report.properties[1].filter)
        #expect(max.open)
        #expect((max.value?.lower ?? 2) <= p[2] && max.value?.upper == 1)
        #expect(report.properties[1].windowReached == false)
        let min = try #require(report.properties[2].filter?.value)
        #expect(min.lower == 0 && p[0] <= (min.upper ?? 0))
        // From n=2, P = 1 - 1/e > 0.5 settles exists; from n=0 it is 0.08, which settles forall.
        #expect(report.properties[3].filter?.verdict == .true)
        #expect(report.properties[4].filter?.verdict == .false)
        let count = try #require(report.properties[5].filter?.value)
        #expect(count.lower == 1 && count.upper == nil)
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
