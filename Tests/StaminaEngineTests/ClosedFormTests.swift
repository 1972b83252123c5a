// Infinite models against closed forms: the true value must lie in [Pmin, Pmax] and the window
// must be reached, under every exploration method.

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct ClosedFormTests {
    static func run(
        _ model: CheckedModel, _ property: CheckedProperty, method: ExplorationMethod, window: Double = 1e-3
    )
        throws -> PropertyReport
    {
        var settings = CheckSettings()
        settings.method = method
        settings.window = window
        let run = try CheckRun(model: model, properties: [property], settings: settings)
        let report = try run.run(observer: nil)
        return report.properties[0]
    }

    @Test(arguments: ExplorationMethod.allCases)
    func poissonArrivals(method: ExplorationMethod) throws {
        // Oracle: P(N_t >= k) = 1 - sum_{j<k} e^{-lambda t} (lambda t)^j / j!, exact.
        let (lambda, t, k) = (2.0, 3.0, 5)
        let property = Build.property(
            Build.eventually(Build.cmp(.greaterOrEqual, Build.int(0), Build.lit(Int64(k))), within: t))
        let report = try Self.run(Build.poisson(lambda: lambda), property, method: method)
        let truth = ClosedForm.poissonTail(mean: lambda * t, atLeast: k)
        let pmin = try #require(report.pmin)
        let pmax = try #require(report.pmax)
        #expect(pmin <= truth + 1e-12 && truth <= pmax + 1e-12, "\(pmin) \(truth) \(pmax)")
        #expect(report.windowReached == true)
    }

    @Test(arguments: ExplorationMethod.allCases)
    func mmInfinityFromEmpty(method: ExplorationMethod) throws {
        // Oracle: N_t ~ Poisson(lambda/mu (1 - e^{-mu t})), so P(N_t >= k) is a Poisson tail.
        // The time-bounded reachability of {n >= k} is not the same event, so check G<=t via
        // the instantaneous form: P(F[t,t] n>=k) = P(N_t >= k).
        let (lambda, mu, t, k) = (4.0, 1.0, 2.0, 3)
        let path = PathFormula.eventually(
            .atom(Build.cmp(.greaterOrEqual, Build.int(0), Build.lit(Int64(k)))),
            TimeBound(lower: t, upper: t))
        let report = try Self.run(Build.mmInfinity(lambda: lambda, mu: mu), Build.property(path), method: method)
        let truth = ClosedForm.poissonTail(mean: lambda / mu * (1 - exp(-mu * t)), atLeast: k)
        let pmin = try #require(report.pmin)
        let pmax = try #require(report.pmax)
        #expect(pmin <= truth + 1e-12 && truth <= pmax + 1e-12, "\(pmin) \(truth) \(pmax)")
        #expect(report.windowReached == true)
    }

    @Test(arguments: ExplorationMethod.allCases)
    func pureBirthWithLowerTimeBoundTerminates(method: ExplorationMethod) throws {
        // A Yule process: its embedded jump chain is deterministic, so pi never decays below
        // kappa, and the lower time bound rules out property truncation; exploration must still
        // stop (the expansion budget ends each round). Oracle: x(t) is geometric with
        // p = e^{-beta t}, so P(x(2) >= 5) = (1 - e^{-2 beta})^4; x only grows, so that is also
        // P(F[1,2] x >= 5).
        let beta = 0.5
        let model = """
            ctmc
            const double beta = \(beta);
            module yule
              x : int init 1;
              [] true -> beta * x : (x' = x + 1);
            endmodule
            label "many" = x >= 5;
            """
        let report = try PRISMSource.inline(model, "P=? [ F[1,2] \"many\" ];") { $0.method = method }
        let property = report.properties[0]
        let truth = pow(1 - exp(-2 * beta), 4)
        let pmin = try #require(property.pmin)
        let pmax = try #require(property.pmax)
        #expect(pmin <= truth + 1e-12 && truth <= pmax + 1e-12, "\(pmin) \(truth) \(pmax)")
        #expect(property.windowReached == true)
    }

    @Test func aSlowVariableBesideAnExplosiveOneIsFollowedInTime() throws {
        // A Yule process x (rate beta x) beside an independent Poisson counter y (rate 1): the jump
        // chain almost always moves x, so pi never goes where y moves within the time bound, and
        // pi-driven rounds alone grew the model along x without reaching the window. The
        // transient analysis shows the probability leaking through the states where y moves
        // (`LeakingFrontier`). Oracle: P(y(1) >= 3) = 1 - e^{-1} (1 + 1 + 1/2).
        let model = """
            ctmc
            module yule
              x : int init 1;
              [] true -> 3 * x : (x' = x + 1);
            endmodule
            module counter
              y : int init 0;
              [] true -> 1 : (y' = y + 1);
            endmodule
            """
        let report = try PRISMSource.inline(model, "P=? [ F<=1 y >= 3 ];")
        let property = report.properties[0]
        let truth = 1 - exp(-1) * 2.5
        let pmin = try #require(property.pmin)
        let pmax = try #require(property.pmax)
        #expect(pmin <= truth + 1e-12 && truth <= pmax + 1e-12, "\(pmin) \(truth) \(pmax)")
        #expect(property.windowReached == true)
    }
}
