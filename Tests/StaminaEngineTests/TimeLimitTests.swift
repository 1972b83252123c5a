// A run's time limit ends the numerical phase too, not only exploration: a run whose solver outlasts
// the limit reports TIME_LIMIT. (The solvers' own deadline tests are in StaminaNumericsTests.)

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

@Suite struct TimeLimitTests {
    @Test func aRunWhoseNumericsOutlastTheLimitReportsTimeLimit() throws {
        // Five states are explored long before the explorer first looks at the clock (every 1,024
        // expansions), so only the transient solver can notice the limit.
        let model = """
            ctmc
            module cycle
              x : [0..4] init 0;
              [] true -> 1 : (x' = mod(x + 1, 5));
            endmodule
            """
        // No round finished, so the property has no interval, only the limit that stopped it.
        let report = try PRISMSource.inline(model, "P=? [ F<=100000 x = 3 ]") { $0.timeLimit = 1e-6 }
        #expect(report.properties[0].error?.code == "TIME_LIMIT")
        #expect(report.properties[0].pmin == nil)
    }
}
