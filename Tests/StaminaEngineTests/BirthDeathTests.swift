// Models/birth_death.prism against Storm 2.0 (stormpy, time-bounded precision 1e-12 absolute;
// values recorded below). Tolerances: 1e-8 for transient probabilities, 1e-5 relative for
// steady-state and reward values (Storm's default solver precision for those is ~1e-6).

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct BirthDeathTests {
    /// Storm's values, property by property (birth_death.csl).
    static let storm: [Double] = [
        0.06791617789788526, 0.06740275705908061, 0.19949644769366168, 0.999453224668441, 1.0,
        0.714943084895059, 4.4145532937460095, 3.7927233510432945, 61.69101508916316, 5.999977649595788,
    ]
    static let probabilityCount = 5

    static func run(_ configure: (inout CheckSettings) -> Void) throws -> RunReport {
        try PRISMSource.run(
            model: PRISMSource.file("birth_death.prism"), properties: PRISMSource.file("birth_death.csl"), configure)
    }

    @Test func exactCountsAndProbabilitiesMatchStorm() throws {
        let report = try Self.run { $0.exact = true }
        #expect(report.states == 21)
        #expect(report.transitions == 40)
        for (index, expected) in Self.storm.enumerated().prefix(Self.probabilityCount) {
            let result = report.properties[index]
            let pmin = try #require(result.pmin, "\(result.text): \(String(describing: result.error))")
            let pmax = try #require(result.pmax)
            #expect(abs(pmin - expected) < 1e-8 && abs(pmax - expected) < 1e-8, "\(result.text) \(pmin) \(pmax)")
        }
    }

    @Test(arguments: ExplorationMethod.allCases)
    func truncationEnclosesStorm(method: ExplorationMethod) throws {
        let report = try Self.run {
            $0.method = method
            $0.kappa = 0.5
        }
        for (index, expected) in Self.storm.enumerated().prefix(Self.probabilityCount) {
            let result = report.properties[index]
            let pmin = try #require(result.pmin, "\(result.text): \(String(describing: result.error))")
            let pmax = try #require(result.pmax)
            #expect(pmin - 1e-8 <= expected && expected <= pmax + 1e-8, "\(result.text) \(pmin) \(pmax)")
            #expect(result.windowReached == true)
        }
    }

    /// Indices of the time-bounded rewards (`C<=2`, `I=2`): without --exact they are refined to
    /// the window on the truncated model like P properties (the reward x has the ceiling N).
    static let timeBoundedRewards = [6, 7]

    @Test(arguments: [true, false])
    func steadyStateAndRewardsMatchStorm(exact: Bool) throws {
        // Without --exact, S and the other R properties get a full exploration of the finite model.
        let report = try Self.run { $0.exact = exact }
        for (index, expected) in Self.storm.enumerated().dropFirst(Self.probabilityCount) {
            let result = report.properties[index]
            let lower = try #require(result.pmin, "\(result.text): \(String(describing: result.error))")
            let upper = try #require(result.pmax)
            let tolerance = 1e-5 * max(1, abs(expected))
            #expect(lower - tolerance <= expected && expected <= upper + tolerance, "\(result.text) \(lower) \(upper)")
            if !exact && Self.timeBoundedRewards.contains(index) {
                #expect(result.windowReached == true)
                #expect(upper - lower <= CheckSettings().window)
            } else {
                #expect(upper - lower <= tolerance)
            }
        }
    }

    @Test func steadyStateOnAnInfiniteModelIsRefusedByName() throws {
        let report = try PRISMSource.inline(
            """
            ctmc
            module arrivals
              n : int init 0;
              [] true -> 1 : (n'=n+1);
            endmodule
            """, "S=? [ n > 3 ]\nP=? [ F<=1 n >= 2 ]"
        ) { $0.maxStates = 10_000 }
        #expect(report.properties[0].error?.code == "UNSUPPORTED_PROPERTY")
        #expect(report.properties[0].pmin == nil)
        #expect(report.properties[1].windowReached == true)
    }
}
