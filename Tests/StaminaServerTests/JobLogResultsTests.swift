import Foundation
import Testing

@testable import StaminaServer

/// The job log renders the engine's JSON as the engine's text output does: rewards say "Reward",
/// a property that was not computed keeps its block with the reason, a missed window is said.
@Suite struct JobLogResultsTests {
    @Test func resultsBlockFollowsTheEngineTextOutput() {
        let json: [String: Any] = [
            "states": 10,
            "properties": [
                [
                    "text": "R=? [ I=1 ]", "kind": "reward", "pmin": 1.5, "pmax": 1.75, "windowReached": false,
                    "stoppedBy": "stateLimit", "states": 5,
                ],
                [
                    "text": "S=? [ n > 3 ]", "kind": "steadyState", "pmin": NSNull(), "pmax": NSNull(),
                    "error": ["code": "UNSUPPORTED_PROPERTY", "message": "variable 'n' may grow without end"],
                ],
                [
                    "text": "P=? [ F<=1 n>=2 ]", "kind": "probability", "pmin": 0.25, "pmax": 0.25,
                    "windowReached": true,
                ],
            ],
        ]
        let lines = JobLog.resultsBlock(json)
        #expect(lines.contains("Reward Minimum: 1.500000000000"))
        #expect(lines.contains("Window not reached (stopped by: stateLimit)."))
        #expect(lines.contains("Property: S=? [ n > 3 ]"))
        #expect(lines.contains("not computed: variable 'n' may grow without end"))
        #expect(lines.contains("Probability Maximum: 0.250000000000"))
        #expect(lines.filter { $0.hasPrefix("Window not reached") }.count == 1)
    }
}
