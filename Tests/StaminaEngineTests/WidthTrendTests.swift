// The next round's kappa from the width trend of earlier rounds (`WidthTrend`).

import Foundation
import Testing
@testable import StaminaEngine

@Suite struct WidthTrendTests {
    @Test func fitsThePowerLawThroughTheLastTwoRounds() throws {
        var trend = WidthTrend()
        trend.record(kappa: 1e-3, width: 0.1)
        #expect(trend.kappa(reaching: 1e-4) == nil, "one round gives no slope")
        trend.record(kappa: 1e-5, width: 0.01)
        // width ~ kappa^0.5: a hundredfold narrower needs a 10^4 smaller kappa.
        let kappa = try #require(trend.kappa(reaching: 1e-4))
        #expect(abs(log10(kappa) - -9) < 1e-9)
        trend.record(kappa: 1e-9, width: 1e-6)
        // Now width ~ kappa^1 between the last two rounds: slope 1.
        let next = try #require(trend.kappa(reaching: 1e-8))
        #expect(abs(log10(next) - -11) < 1e-9)
    }

    @Test func givesNothingWhenTheWidthDidNotFallOrIsReached() {
        var trend = WidthTrend()
        trend.record(kappa: 1e-3, width: 0.1)
        trend.record(kappa: 1e-4, width: 0.2)
        #expect(trend.kappa(reaching: 1e-3) == nil)
        var reached = WidthTrend()
        reached.record(kappa: 1e-3, width: 0.1)
        reached.record(kappa: 1e-4, width: 0.01)
        #expect(reached.kappa(reaching: 0.05) == nil)
    }

    @Test func aFlatTrendCannotAskForAWildKappa() throws {
        var trend = WidthTrend()
        trend.record(kappa: 1e-3, width: 0.1)
        trend.record(kappa: 1e-13, width: 0.099)
        let kappa = try #require(trend.kappa(reaching: 1e-9))
        #expect(kappa >= 1e-13 * WidthTrend.largestStep * (1 - 1e-12))
    }
}
