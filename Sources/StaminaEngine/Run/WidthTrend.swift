// How the width Pmax - Pmin of one property falls as kappa falls, measured over its refinement
// rounds, so that the next round can aim at the window instead of creeping towards it.
//
// STAMINA shrinks kappa by a constant factor per round and grows `m` by at most 100: on models
// whose width falls like a small power of kappa (the toggle switch: width ~ kappa^0.4) that takes
// many rounds, each a full transient solve of a slightly larger chain. Fitting
// log width = a + b log kappa through the last two complete rounds and solving for half the window
// usually reaches it in the next round. This only chooses which states to explore: the bounds of
// every round are certified whatever kappa is.

import Foundation

struct WidthTrend {
    private var last: (kappa: Double, width: Double)?
    private var previous: (kappa: Double, width: Double)?

    /// The slope b is kept in this range, so that one odd round cannot ask for a wild kappa.
    static let slopes = 0.2...2.0
    /// A round may lower kappa by at most this factor through the trend.
    static let largestStep = 1e-12

    /// Records a round that finished its kappa (not one cut short by the expansion budget).
    mutating func record(kappa: Double, width: Double) {
        guard kappa > 0, width > 0, kappa.isFinite, width.isFinite else { return }
        previous = last
        last = (kappa, width)
    }

    /// The kappa at which the fitted width is `target`, or nil while fewer than two rounds with a
    /// falling width and kappa are known.
    func kappa(reaching target: Double) -> Double? {
        guard let last, let previous, target > 0, last.width < previous.width, last.kappa < previous.kappa,
            target < last.width
        else { return nil }
        let fitted = (log(last.width) - log(previous.width)) / (log(last.kappa) - log(previous.kappa))
        let slope = min(max(fitted, Self.slopes.lowerBound), Self.slopes.upperBound)
        let factor = pow(target / last.width, 1 / slope)
        return last.kappa * max(factor, Self.largestStep)
    }
}
