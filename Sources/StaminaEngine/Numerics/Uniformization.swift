/// The result of a transient analysis.
public struct TransientResult: Sendable {
    /// Lower bound, elementwise, on the true distribution at `time`.
    public var distribution: [Double]
    /// Certified: sum over states of (true - computed) <= errorBound.
    public var errorBound: Double
    /// Vector-matrix products performed.
    public var iterations: Int
    public var uniformizationRate: Double
    /// Certified upper bound on the true mass in the `upperTargets` states at the time bound (nil
    /// when not asked for or not certifiable); tighter than their lower bounds plus `errorBound`
    /// when the other states hold most of the mass.
    public var targetUpper: Double? = nil

    public init(distribution: [Double], errorBound: Double, iterations: Int, uniformizationRate: Double) {
        self.distribution = distribution
        self.errorBound = errorBound
        self.iterations = iterations
        self.uniformizationRate = uniformizationRate
    }
}

/// Certified bounds on an expected reward.
public struct RewardResult: Sendable {
    public var lower: Double
    public var upper: Double
    public var iterations: Int

    public init(lower: Double, upper: Double, iterations: Int) {
        self.lower = lower
        self.upper = upper
        self.iterations = iterations
    }
}

/// Transient analysis of CTMCs by uniformization (Jensen's method).
///
/// With q >= max exit rate and P = I + Q/q, the distribution at time t is
/// sum_k poisson(k; qt) initial P^k. Every term is non-negative, so a truncated sum with weights
/// that are lower bounds on the Poisson probabilities is an elementwise lower bound on the true
/// distribution; the rounding in the products and sums can only inflate it by a known relative
/// factor, which `PoissonMixture` divides out at the end (`UniformisedChain` states the per-step
/// rounding). The error bound is then measured a posteriori rather than predicted: the
/// true distribution has total mass m0 = sum(initial) at every time, so
/// sum_s (true - computed) = m0 - sum(computed), which is bounded with certified sums
/// (`NonNegativeSum`). It covers the Poisson truncation, the rounding of the weights and every
/// rounding in the products at once.
public enum Uniformization {
    /// Forward transient distribution of the CTMC with off-diagonal `rates` (self-loops are ignored:
    /// they do not change a CTMC's behaviour), starting from `initial`, at `time`. States with
    /// absorbing[s] == true are treated as having no outgoing transitions (so mass that reaches them
    /// stays). `accuracy` is the total error budget; the result is certified (see TransientResult).
    ///
    /// Nine tenths of `accuracy` go to the Poisson tails, the rest to rounding. The returned
    /// `errorBound` is certified in every case; it exceeds `accuracy` only if rounding alone is
    /// larger than a tenth of it: about 2u R (gamma + c_j) relative per entry after R products
    /// (`PoissonMixture`), e.g. 2e-10 for R = 1e5 and ten transitions per state, more on an
    /// absorbing state with a huge in-degree such as a truncation sink.
    public static func transient(
        rates: SparseMatrix, initial: [Double], time: Double,
        absorbing: [Bool], accuracy: Double, threads: Int = 1, deadline: SolverDeadline = .none,
        upperTargets: [Bool]? = nil
    ) throws(NumericsError) -> TransientResult {
        let n = rates.rowCount
        try rates.validateRates()
        try validate(initial: initial, count: n)
        try validate(time: time)
        guard absorbing.count == n else {
            throw .invalidArgument("absorbing has \(absorbing.count) flags for \(n) states")
        }
        try validate(accuracy: accuracy)
        // Coding is decided as soon as q is known, so the chain is built coded (never holding the
        // doubles and their codes at once); the values, hence the result, are the same either way.
        let chain = UniformisedChain(rates: rates, absorbing: absorbing) { q in
            guard q.isFinite, let poisson = try? FoxGlynn.weights(rate: q * time, accuracy: accuracy * 0.9) else {
                return false
            }
            return poisson.right >= codingThreshold && rates.entryCount >= codingMinimumEntries
        }
        guard chain.rate.isFinite else {
            throw .invalidArgument("the uniformisation rate overflows a double (exit rates near 1e308)")
        }
        let lambda = chain.rate * time
        if lambda == 0 {
            return TransientResult(
                distribution: initial, errorBound: 0, iterations: 0, uniformizationRate: chain.rate)
        }
        let poisson = try FoxGlynn.weights(rate: lambda, accuracy: accuracy * 0.9)
        let mixture = try PoissonMixture(
            chain: chain, initial: initial, weights: poisson.weights, first: poisson.left,
            threads: threads, deadline: deadline)
        let mass = NonNegativeSum(initial)
        let computed = NonNegativeSum(mixture.result)
        var result = TransientResult(
            distribution: mixture.result,
            errorBound: upperDifference(mass.upper, computed.lower),
            iterations: mixture.iterations,
            uniformizationRate: chain.rate)
        // The true mass of a set: the exact weighted sums plus what the weights leave out, which is
        // at most (1 - sum of the weights) times the total mass in each step, P being stochastic.
        if let targets = upperTargets, targets.count == n,
            let weighted = mixture.upperSum(targets: targets, chain: chain)
        {
            result.targetUpper = (weighted + mass.upper * poisson.omittedMass) * (1 + 4 * unitRoundoff)
        }
        return result
    }

    /// From this many products on, coding the matrix values (`ValueCoding`) pays for itself.
    static let codingThreshold = 32
    /// Below this many entries the table look-up costs more time (about a fifth of a product on
    /// the cluster model) than the memory it saves is worth.
    static let codingMinimumEntries = 4_000_000

    static func validate(initial: [Double], count: Int) throws(NumericsError) {
        guard initial.count == count else {
            throw .invalidArgument("the initial distribution has \(initial.count) entries for \(count) states")
        }
        for (state, value) in initial.enumerated() where !(value.isFinite && value >= 0) {
            throw .invalidArgument("initial probability \(value) of state \(state) is not finite and >= 0")
        }
    }

    static func validate(time: Double) throws(NumericsError) {
        guard time.isFinite, time >= 0 else {
            throw .invalidArgument("the time bound must be finite and >= 0, got \(time)")
        }
    }

    static func validate(accuracy: Double) throws(NumericsError) {
        guard accuracy.isFinite, accuracy >= 1e-100, accuracy < 1 else {
            throw .invalidArgument("the accuracy must be in [1e-100, 1), got \(accuracy)")
        }
    }

    static func validate(rewards: [Double], count: Int) throws(NumericsError) -> Double {
        guard rewards.count == count else {
            throw .invalidArgument("\(rewards.count) state rewards for \(count) states")
        }
        var largest = 0.0
        for (state, value) in rewards.enumerated() {
            guard value.isFinite, value >= 0 else {
                throw .invalidArgument("the reward \(value) of state \(state) is not finite and >= 0")
            }
            largest = max(largest, value)
        }
        return largest
    }
}

extension TransientResult {
    /// Certified bounds on the true probability mass at `time` in the states with
    /// `states[s] == true`: the computed entries are lower bounds, and what they miss in total
    /// (over any set of states) is at most `errorBound`. The sums themselves are bounded with
    /// compensated summation, so rounding in them cannot break the certificate either.
    public func probabilityBounds(of states: [Bool]) -> (lower: Double, upper: Double) {
        var selected: [Double] = []
        for (state, value) in distribution.enumerated() where state < states.count && states[state] {
            selected.append(value)
        }
        let sum = NonNegativeSum(selected)
        return (sum.lower, (sum.upper + errorBound) * (1 + 4 * unitRoundoff))
    }
}
