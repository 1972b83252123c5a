// What a check run keeps so that `--time-limit` and `--max-states` do not throw results away: the
// current property's finished rounds (their bounds are certified whatever came after), and
// whether the time limit has passed (later properties are then not computed at all).

import Foundation

struct RunLimits {
    /// The time limit in seconds, once it has passed.
    var timedOut: Double?
    private(set) var rounds: [RoundReport] = []
    private(set) var last: (bounds: Bounds, states: Int, transitions: Int)?
    private(set) var propertyStart = ContinuousClock.now

    mutating func startProperty() {
        rounds = []
        last = nil
        propertyStart = ContinuousClock.now
    }

    mutating func record(_ round: RoundReport, bounds: Bounds) {
        rounds.append(round)
        last = (bounds, round.states, round.transitions)
    }
}
