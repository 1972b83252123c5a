// Finite models: exact exploration gives Pmin = Pmax and the state count of a closed formula;
// truncation encloses the exact value; duals agree with their definitions.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct FiniteModelTests {
    static func check(
        _ model: CheckedModel, _ properties: [CheckedProperty], _ configure: (inout CheckSettings) -> Void = { _ in }
    )
        throws -> RunReport
    {
        var settings = CheckSettings()
        configure(&settings)
        return try CheckRun(model: model, properties: properties, settings: settings).run(observer: nil)
    }

    static let full = Build.cmp(.equal, Build.int(0), Build.lit(3))

    @Test func exactTandemHasClosedFormStateCountAndPointValue() throws {
        let property = Build.property(Build.eventually(Self.full, within: 0.25))
        let report = try Self.check(Build.tandem(capacity: 3), [property]) { $0.exact = true }
        #expect(report.states == 7 * 4)
        let result = report.properties[0]
        let pmin = try #require(result.pmin)
        let pmax = try #require(result.pmax)
        #expect(pmax - pmin < 1e-8)
        #expect(pmin > 0 && pmax < 1)
    }

    @Test(arguments: ExplorationMethod.allCases)
    func truncationEnclosesExactValue(method: ExplorationMethod) throws {
        let property = Build.property(Build.eventually(Self.full, within: 0.25))
        let exact = try Self.check(Build.tandem(capacity: 3), [property]) { $0.exact = true }.properties[0]
        let truncated = try Self.check(Build.tandem(capacity: 3), [property]) {
            $0.method = method
            $0.window = 1e-2
        }.properties[0]
        let value = try #require(exact.pmin)
        #expect(try #require(truncated.pmin) <= value + 1e-9)
        #expect(value <= (try #require(truncated.pmax)) + 1e-9)
        #expect(truncated.windowReached == true)
    }

    @Test func globallyIsDualOfEventually() throws {
        // Oracle: P(G<=t n<k) = 1 - P(F<=t n>=k) = P(N_t < k) for Poisson arrivals.
        let below = Build.cmp(.less, Build.int(0), Build.lit(4))
        let property = Build.property(.globally(.atom(below), TimeBound(upper: 1.5)))
        let result = try Self.check(Build.poisson(lambda: 2), [property]).properties[0]
        let truth = 1 - ClosedForm.poissonTail(mean: 3, atLeast: 4)
        #expect(try #require(result.pmin) <= truth + 1e-9)
        #expect(truth <= (try #require(result.pmax)) + 1e-9)
        #expect(result.windowReached == true)
    }

    @Test func nextUsesTheEmbeddedChain() throws {
        // From x=0: rate 1 to x=1, rate 3 to x=2. Oracle: P(X x=2) = 3/4; X<=t adds (1 - e^{-4t}).
        let x = Build.int(0)
        let model = Build.ctmc(
            [Build.variable("x", 0...2)],
            [
                Build.command(Build.cmp(.equal, x, Build.lit(0)), Build.real(1), [(0, Build.lit(1))]),
                Build.command(Build.cmp(.equal, x, Build.lit(0)), Build.real(3), [(0, Build.lit(2))]),
            ])
        let goal = StateFormula.atom(Build.cmp(.equal, x, Build.lit(2)))
        let report = try Self.check(
            model, [Build.property(.next(goal, .unbounded)), Build.property(.next(goal, TimeBound(upper: 0.5)))])
        #expect(abs((report.properties[0].pmin ?? -1) - 0.75) < 1e-12)
        #expect(abs((report.properties[1].pmax ?? -1) - 0.75 * (1 - exp(-2))) < 1e-12)
    }

    static func walk(up: Double, down: Double) -> CheckedModel {
        let q = Build.int(0)
        return Build.ctmc(
            [Build.variable("q", nil, initial: 1)],
            [
                Build.command(Build.cmp(.greater, q, Build.lit(0)), Build.real(up), [(0, Build.add(q, Build.lit(1)))]),
                Build.command(
                    Build.cmp(.greater, q, Build.lit(0)), Build.real(down), [(0, Build.sub(q, Build.lit(1)))]),
            ])
    }

    @Test func gamblersRuinUnboundedUntil() throws {
        // Random walk on q >= 0 from q=1, absorbed at 0. Oracle: P(F q=0) = min(1, down/up).
        let property = Build.property(Build.eventually(Build.cmp(.equal, Build.int(0), Build.lit(0)), within: nil))
        // Recurrent (down > up): the truth is 1 and the window is reached.
        let recurrent = try Self.check(Self.walk(up: 1, down: 2), [property]).properties[0]
        #expect(try #require(recurrent.pmin) >= 1 - 1e-3)
        #expect(recurrent.windowReached == true)
        // Transient (up > down): truth 1/2. Escaping paths always reach the truncation's sink, so
        // truncation cannot narrow this below ~1/2; the enclosure must still hold.
        let escaping = try Self.check(Self.walk(up: 2, down: 1), [property]).properties[0]
        #expect(try #require(escaping.pmin) <= 0.5 + 1e-9)
        #expect(0.5 <= (try #require(escaping.pmax)) + 1e-9)
        #expect(try #require(escaping.pmin) > 0.45)
    }

    @Test func everyPropertyRefinesToTheWindow() throws {
        // Two properties on an infinite model: the second must reach the window too.
        let properties = [3, 8].map { k in
            Build.property(Build.eventually(Build.cmp(.greaterOrEqual, Build.int(0), Build.lit(Int64(k))), within: 2))
        }
        let report = try Self.check(Build.mmInfinity(lambda: 4, mu: 1), properties)
        for (k, result) in zip([3, 8], report.properties) {
            #expect(result.windowReached == true)
            _ = k
        }
    }
}
