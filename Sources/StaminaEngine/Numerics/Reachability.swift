/// Lower and upper bounds per state.
public struct ReachabilityBounds: Sendable {
    public var lower: [Double]
    public var upper: [Double]
    public var iterations: Int

    public init(lower: [Double], upper: [Double], iterations: Int) {
        self.lower = lower
        self.upper = upper
        self.iterations = iterations
    }
}

/// Unbounded properties on the embedded jump chain.
public enum Reachability {
    /// Unbounded constrained reachability P(allowed U target) on the embedded jump chain, from every
    /// state, by graph precomputation (prob0/prob1) + interval iteration, so lower <= true <= upper
    /// and max(upper - lower) <= precision at convergence.
    ///
    /// Interval iteration (Haddad and Monmege 2018; Baier et al., CAV 2017): after prob0/prob1 the
    /// remaining "maybe" states form no bottom component, so x = P x has a unique fixpoint there and
    /// iterating from 0 converges to it from below and iterating from 1 from above. Both run as
    /// Gauss-Seidel sweeps in place (still monotone), over the states in reverse topological order
    /// of their strongly connected components, so acyclic parts settle in one sweep.
    /// Rounding: a computed row sum sum_j p(s, j) x(j) has relative error below (2d + 1)u for d
    /// successors, so lower updates are scaled by 1 - 2(d + 3)u and upper updates by 1 + 2(d + 3)u
    /// (capped at 1), which keeps each side on its side of the exact fixpoint.
    public static func until(
        rates: SparseMatrix, allowed: [Bool], target: [Bool], precision: Double,
        maxIterations: Int = 1_000_000, deadline: SolverDeadline = .none
    ) throws(NumericsError) -> ReachabilityBounds {
        let n = rates.rowCount
        try rates.validateRates()
        guard allowed.count == n, target.count == n else {
            throw .invalidArgument(
                "\(allowed.count) allowed and \(target.count) target flags for \(n) states")
        }
        try validate(precision: precision)
        let chain = EmbeddedChain(rates: rates)
        let (no, yes) = chain.qualitativeUntil(allowed: allowed, target: target)
        var lower = yes.map { $0 ? 1.0 : 0.0 }
        var upper = no.map { $0 ? 0.0 : 1.0 }
        let order = sweepOrder(rates: rates, include: (0..<n).map { !no[$0] && !yes[$0] })
        if order.isEmpty {
            return ReachabilityBounds(lower: lower, upper: upper, iterations: 0)
        }
        let u = unitRoundoff
        var iterations = 0
        var gap = 1.0
        // Rounding margins put a floor under the gap; stop early once it no longer shrinks.
        var bestGap = Double.infinity
        var sinceImprovement = 0
        var timedOut = false
        chain.rowStart.withUnsafeBufferPointer { rowStart in
            chain.columns.withUnsafeBufferPointer { columns in
                chain.probabilities.withUnsafeBufferPointer { probabilities in
                    chain.degrees.withUnsafeBufferPointer { degrees in
                        lower.withUnsafeMutableBufferPointer { lower in
                            upper.withUnsafeMutableBufferPointer { upper in
                                while gap > precision && iterations < maxIterations {
                                    if iterations & 15 == 0 && deadline.hasPassed {
                                        timedOut = true
                                        break
                                    }
                                    iterations += 1
                                    gap = 0
                                    for state in order {
                                        let s = Int(state)
                                        var low = 0.0
                                        var high = 0.0
                                        for entry in rowStart[s]..<rowStart[s + 1] {
                                            let p = probabilities[entry]
                                            let j = Int(columns[entry])
                                            low += p * lower[j]
                                            high += p * upper[j]
                                        }
                                        let margin = 2 * Double(degrees[s] + 3) * u
                                        low *= 1 - margin
                                        high = min(1, high * (1 + margin))
                                        // Monotone in exact arithmetic; keep it so despite rounding.
                                        lower[s] = max(lower[s], low)
                                        upper[s] = min(upper[s], high)
                                        gap = max(gap, upper[s] - lower[s])
                                    }
                                    if gap < bestGap {
                                        bestGap = gap
                                        sinceImprovement = 0
                                    } else {
                                        sinceImprovement += 1
                                        if sinceImprovement >= stallLimit { break }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if timedOut { throw .timeLimit }
        if gap > precision {
            throw .didNotConverge(iterations: iterations, residual: gap)
        }
        return ReachabilityBounds(lower: lower, upper: upper, iterations: iterations)
    }

    /// Sweeps without any progress after which an iteration gives up.
    static let stallLimit = 1000

    static func validate(precision: Double) throws(NumericsError) {
        guard precision.isFinite, precision > 0 else {
            throw .invalidArgument("the precision must be finite and > 0, got \(precision)")
        }
    }

    /// The states with include[s] == true, in reverse topological order of their strongly
    /// connected components (successors before predecessors).
    static func sweepOrder(rates: SparseMatrix, include: [Bool]) -> [Int32] {
        guard include.contains(true) else { return [] }
        let components = StronglyConnectedComponents(graph: rates)
        var order: [Int32] = []
        for c in 0..<components.count {
            for state in components.members(of: c) where include[Int(state)] { order.append(state) }
        }
        return order
    }
}
