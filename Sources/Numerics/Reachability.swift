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
    /// state, by graph precomputation (prob0/prob1) and then `TopologicalSolve`: component by
    /// component in reverse topological order, a direct (dense or Krylov) solve certified from its
    /// residual, tightened by interval-iteration sweeps (Haddad and Monmege 2018; Baier et al.,
    /// CAV 2017), so lower <= true <= upper for every state.
    ///
    /// After prob0/prob1 the remaining "maybe" states form no bottom component, so x = P x + b has
    /// a unique fixpoint there. Where doubles cannot certify `precision` (slowly mixing chains:
    /// rounding times the expected number of jumps), the certified bounds are returned as they
    /// are; only a solve that certifies nothing better than 1e-6 throws `didNotConverge`.
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
        let maybe = (0..<n).map { !no[$0] && !yes[$0] }
        guard maybe.contains(true) else {
            return ReachabilityBounds(lower: lower, upper: upper, iterations: 0)
        }
        let solve = TopologicalSolve(
            chain: chain, maybe: maybe, constant: [Double](repeating: 0, count: n), cap: 1,
            precision: precision, deadline: deadline)
        let outcome = try solve.run(lower: &lower, upper: &upper)
        return ReachabilityBounds(lower: lower, upper: upper, iterations: outcome.sweeps)
    }

    /// Sweeps without any progress after which an iteration gives up.
    static let stallLimit = 1000

    static func validate(precision: Double) throws(NumericsError) {
        guard precision.isFinite, precision > 0 else {
            throw .invalidArgument("the precision must be finite and > 0, got \(precision)")
        }
    }
}
