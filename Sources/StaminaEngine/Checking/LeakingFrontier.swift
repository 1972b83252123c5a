// The frontier states through which the truncated chain's probability leaves the explored part in
// the property's time, read from the transient analysis rather than from STAMINA's estimate pi.
//
// pi follows the embedded jump chain, which ignores time. Where one fast variable dominates the
// jump probabilities (a birth rate growing with a count), pi runs along it, while the moves of a
// slow variable, rare per jump but frequent per time unit, are where probability actually leaves
// the explored states before the time bound; rounds then grow the model in the wrong direction and
// the width stalls. The distribution at the time bound shows those states: a frontier state s with
// mass p(s) sends p(s) x (its rate to unexplored states) per time unit to the sink.

enum LeakingFrontier {
    /// Frontier states in decreasing order of that leak rate, as many as it takes to cover `share`
    /// of the total, at most `limit`.
    static func states(of ctmc: TruncatedCTMC, distribution: [Double], share: Double, limit: Int) -> [Int] {
        let rates = ctmc.rates
        let sink = Int32(ctmc.sink)
        var leaks: [(state: Int, rate: Double)] = []
        var total = 0.0
        for state in 0..<ctmc.stateCount where distribution[state] > 0 {
            let end = rates.rowStart[state + 1]
            // The builder appends the sink entry of a frontier row last.
            guard end > rates.rowStart[state], rates.columns[end - 1] == sink else { continue }
            let leak = distribution[state] * rates.values[end - 1]
            leaks.append((state, leak))
            total += leak
        }
        guard total > 0 else { return [] }
        leaks.sort { $0.rate > $1.rate }
        var chosen: [Int] = []
        var covered = 0.0
        for leak in leaks {
            if covered >= share * total || chosen.count >= limit { break }
            chosen.append(leak.state)
            covered += leak.rate
        }
        return chosen
    }
}
