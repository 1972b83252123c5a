extension Reachability {
    /// Expected reward accumulated until reaching target (infinity where target is not reached a.s.),
    /// for state reward rates (per time unit), lower/upper bounds.
    ///
    /// A visit to s earns r(s)/E(s) in expectation, so on the embedded chain the values solve
    /// x(s) = r(s)/E(s) + sum_j P(s, j) x(j) off target, x = 0 on target. Solved component by
    /// component by `TopologicalSolve` (certified); where that certifies less than `precision`,
    /// the banded GTH solve's numerical bounds are taken when narrower, and the last resort is sound
    /// value iteration (Quatmann and Katoen, CAV 2018): with x_k the reward collected within k steps and
    /// y_k the probability of not having reached target within k steps, for every state
    ///     x_k + y_k min_s (x_k/(1 - y_k)) <= x <= x_k + y_k max_s (x_k/(1 - y_k))
    /// once y_k < 1 everywhere. Stops when upper - lower <= precision * max(1, lower) everywhere.
    /// Rounding: each step adds at most 2(d + 3)u relative error to the non-negative x_k and y_k,
    /// so after k steps they are within a factor 1 +- rho_k, rho_k = 2k(d_max + 3)u, of the exact
    /// values, and the bounds are evaluated with x, y moved by that factor in the safe direction.
    public static func expectedReward(
        rates: SparseMatrix, target: [Bool], stateRewards: [Double], precision: Double,
        maxIterations: Int = 1_000_000, deadline: SolverDeadline = .none
    ) throws(NumericsError) -> (lower: [Double], upper: [Double]) {
        let n = rates.rowCount
        try rates.validateRates()
        guard target.count == n else {
            throw .invalidArgument("\(target.count) target flags for \(n) states")
        }
        _ = try Uniformization.validate(rewards: stateRewards, count: n)
        try validate(precision: precision)
        let chain = EmbeddedChain(rates: rates)
        let (_, yes) = chain.qualitativeUntil(allowed: [Bool](repeating: true, count: n), target: target)
        var lower = [Double](repeating: .infinity, count: n)
        var upper = [Double](repeating: .infinity, count: n)
        var maybe: [Int32] = []
        for s in 0..<n {
            if target[s] {
                lower[s] = 0
                upper[s] = 0
            } else if yes[s] {
                maybe.append(Int32(truncatingIfNeeded: s))
            }
        }
        if maybe.isEmpty { return (lower, upper) }
        // Rewards per visit; E(s) > 0 on maybe states since they reach target.
        var visitReward = [Double](repeating: 0, count: n)
        var inMaybe = [Bool](repeating: false, count: n)
        for state in maybe {
            let s = Int(state)
            visitReward[s] = stateRewards[s] / chain.exitRates[s]
            inMaybe[s] = true
        }
        // Component by component with certified direct solves. Where that certifies less than
        // `precision` (hitting times so long that rounding times the expected number of jumps is
        // large), the banded GTH solve's numerical bounds are used as before where they are the
        // narrower ones; sound value iteration is the last resort.
        var certified: (lower: [Double], upper: [Double])?
        var certifiedGap = Double.infinity
        do {
            var topologicalLower = lower
            var topologicalUpper = upper
            let solve = TopologicalSolve(
                chain: chain, maybe: inMaybe, constant: visitReward, cap: .infinity, precision: precision,
                deadline: deadline)
            let outcome = try solve.run(lower: &topologicalLower, upper: &topologicalUpper)
            if outcome.width <= precision { return (topologicalLower, topologicalUpper) }
            certified = (topologicalLower, topologicalUpper)
            certifiedGap = outcome.width
        } catch .timeLimit {
            throw .timeLimit
        } catch {}
        // Value iteration stalls when hitting times are huge; a direct solve does not, and its
        // a-posteriori bounds are usually tight. Sound value iteration is the fallback.
        if let direct = BandedHittingSolve.solve(
            chain: chain, maybe: maybe, visitReward: visitReward)
        {
            var gap = 0.0
            for position in maybe.indices {
                gap = max(gap, (direct.upper[position] - direct.lower[position]) / max(1, direct.lower[position]))
            }
            var directLower = lower
            var directUpper = upper
            for (position, state) in maybe.enumerated() {
                directLower[Int(state)] = direct.lower[position]
                directUpper[Int(state)] = direct.upper[position]
            }
            if gap <= precision { return (directLower, directUpper) }
            if let certified, certifiedGap <= gap { return certified }
            // Wider than asked: value iteration may do better; if it fails, the direct bounds
            // (honest, only wider) are the answer.
            do {
                return try soundValueIteration(
                    chain: chain, maybe: maybe, inMaybe: inMaybe, visitReward: visitReward, lower: lower,
                    upper: upper, precision: precision, maxIterations: min(maxIterations, 50_000),
                    deadline: deadline)
            } catch {
                return (directLower, directUpper)
            }
        }
        if let certified { return certified }
        return try soundValueIteration(
            chain: chain, maybe: maybe, inMaybe: inMaybe, visitReward: visitReward, lower: lower, upper: upper,
            precision: precision, maxIterations: maxIterations, deadline: deadline)
    }

    private static func soundValueIteration(
        chain: EmbeddedChain, maybe: [Int32], inMaybe: [Bool], visitReward: [Double], lower: [Double],
        upper: [Double], precision: Double, maxIterations: Int, deadline: SolverDeadline
    ) throws(NumericsError) -> (lower: [Double], upper: [Double]) {
        let n = chain.stateCount
        let u = unitRoundoff
        var lower = lower
        var upper = upper
        var x = [Double](repeating: 0, count: n)
        var y = [Double](repeating: 0, count: n)
        for state in maybe { y[Int(state)] = 1 }
        var nextX = x
        var nextY = y
        let stepError = 2 * Double(chain.maxDegree + 3) * u
        var iterations = 0
        var worstGap = Double.infinity
        var bestGap = Double.infinity
        var sinceImprovement = 0
        while iterations < maxIterations {
            if iterations & 15 == 0 { try deadline.check() }
            iterations += 1
            var smallestRatio = Double.infinity
            var largestRatio = 0.0
            var allBelowOne = true
            let rho = Double(iterations) * stepError
            for state in maybe {
                let s = Int(state)
                var sumX = visitReward[s]
                var sumY = 0.0
                for entry in chain.rowStart[s]..<chain.rowStart[s + 1] {
                    let j = Int(chain.columns[entry])
                    if !inMaybe[j] { continue }
                    let p = chain.probabilities[entry]
                    sumX += p * x[j]
                    sumY += p * y[j]
                }
                nextX[s] = sumX
                nextY[s] = sumY
                let yHigh = sumY * (1 + rho)
                if yHigh >= 1 {
                    allBelowOne = false
                } else {
                    smallestRatio = min(smallestRatio, sumX * (1 - rho) / (1 - sumY * (1 - rho)))
                    largestRatio = max(largestRatio, sumX * (1 + rho) / (1 - yHigh))
                }
            }
            swap(&x, &nextX)
            swap(&y, &nextY)
            guard allBelowOne else { continue }
            worstGap = 0
            for state in maybe {
                let s = Int(state)
                let low = (x[s] * (1 - rho) + y[s] * (1 - rho) * smallestRatio) * (1 - 8 * u)
                let high = (x[s] * (1 + rho) + y[s] * (1 + rho) * largestRatio) * (1 + 8 * u)
                lower[s] = low
                upper[s] = high
                worstGap = max(worstGap, (high - low) / max(1, low))
            }
            if worstGap <= precision { return (lower, upper) }
            if worstGap < bestGap {
                bestGap = worstGap
                sinceImprovement = 0
            } else {
                sinceImprovement += 1
                if sinceImprovement >= stallLimit { break }
            }
        }
        throw .didNotConverge(iterations: iterations, residual: worstGap)
    }
}
