extension Uniformization {
    /// Expected instantaneous reward E[r(X_t)] for per-state reward rates r >= 0 (finite chains),
    /// with certified lower/upper bounds: the distribution is an elementwise lower bound whose
    /// missing mass is at most `errorBound`, so the missing reward is at most max(r) errorBound.
    ///
    /// `upperStateRewards` (default: `stateRewards`), elementwise at least `stateRewards`, is used
    /// for the upper bound: a state whose reward is only known to lie between the two (such as a
    /// truncation sink standing for many states) contributes its lowest value to the lower bound
    /// and its highest to the upper one.
    public static func instantaneousReward(
        rates: SparseMatrix, initial: [Double], time: Double, stateRewards: [Double],
        upperStateRewards: [Double]? = nil, accuracy: Double, deadline: SolverDeadline = .none
    ) throws(NumericsError) -> RewardResult {
        let n = rates.rowCount
        let upperRewards = try validate(lowerRewards: stateRewards, upperRewards: upperStateRewards, count: n)
        let largest = try validate(rewards: upperRewards, count: n)
        try validate(accuracy: accuracy)
        let mass = NonNegativeSum(initial).upper
        let scale = max(largest * mass, 1e-300)
        let distributionAccuracy = min(0.5, max(1e-100, accuracy / scale))
        let transient = try transient(
            rates: rates, initial: initial, time: time,
            absorbing: [Bool](repeating: false, count: n), accuracy: distributionAccuracy, deadline: deadline)
        let lower = nonNegativeDotBounds(transient.distribution, stateRewards)
        let upper = nonNegativeDotBounds(transient.distribution, upperRewards)
        return RewardResult(
            lower: lower.lower,
            upper: (upper.upper + largest * transient.errorBound) * (1 + 4 * unitRoundoff),
            iterations: transient.iterations)
    }

    /// The upper reward vector after checking that it has the right size and lies above the lower one.
    static func validate(lowerRewards: [Double], upperRewards: [Double]?, count: Int) throws(NumericsError)
        -> [Double]
    {
        _ = try validate(rewards: lowerRewards, count: count)
        guard let upperRewards else { return lowerRewards }
        _ = try validate(rewards: upperRewards, count: count)
        for state in 0..<count where upperRewards[state] < lowerRewards[state] {
            throw .invalidArgument(
                "the upper reward \(upperRewards[state]) of state \(state) is below its lower reward "
                    + "\(lowerRewards[state])")
        }
        return upperRewards
    }

    /// Expected cumulative reward E[integral_0^t r(X_u) du] for per-state reward rates r >= 0, with
    /// certified bounds.
    ///
    /// integral_0^t pi_u du = (1/q) sum_k P(N_t > k) initial P^k (N_t ~ Poisson(qt)). The weights
    /// c_k = sum_{j = max(k+1, L)}^{R} w_j are lower bounds on P(N_t > k), so the computed occupation
    /// times I(s) are elementwise lower bounds, and since the exact ones sum to m0 t, the missing
    /// reward is at most max(r) (m0 t - sum_s I(s)).
    /// `upperStateRewards` as for `instantaneousReward`.
    public static func cumulativeReward(
        rates: SparseMatrix, initial: [Double], time: Double, stateRewards: [Double],
        upperStateRewards: [Double]? = nil, accuracy: Double, deadline: SolverDeadline = .none
    ) throws(NumericsError) -> RewardResult {
        let n = rates.rowCount
        try rates.validateRates()
        try validate(initial: initial, count: n)
        try validate(time: time)
        let upperRewards = try validate(lowerRewards: stateRewards, upperRewards: upperStateRewards, count: n)
        let largest = try validate(rewards: upperRewards, count: n)
        try validate(accuracy: accuracy)
        var chain = UniformisedChain(rates: rates, absorbing: [Bool](repeating: false, count: n))
        let q = chain.rate
        guard q.isFinite else {
            throw .invalidArgument("the uniformisation rate overflows a double (exit rates near 1e308)")
        }
        let u = unitRoundoff
        let mass = NonNegativeSum(initial).upper
        if time == 0 || largest == 0 || mass == 0 {
            return RewardResult(lower: 0, upper: 0, iterations: 0)
        }
        if q == 0 {
            // Nothing moves: the reward is t r . initial.
            let lower = nonNegativeDotBounds(initial, stateRewards)
            let upper = nonNegativeDotBounds(initial, upperRewards)
            return RewardResult(
                lower: lower.lower * time * (1 - 2 * u), upper: upper.upper * time * (1 + 2 * u), iterations: 0)
        }
        let lambda = q * time
        // The truncation loses about ((R + 1) eps + eps / (1 - lambda/(R+2))) / q of occupation
        // time; shrink eps until that fits 0.9 accuracy / (max r m0).
        let budget = 0.9 * accuracy / max(largest * mass, 1e-300)
        var epsilon = min(0.5, max(1e-100, budget * q / max(1, lambda)))
        var poisson = try FoxGlynn.weights(rate: lambda, accuracy: epsilon)
        for _ in 0..<8 {
            let ratio = lambda / Double(poisson.right + 2)
            let predicted = (Double(poisson.right + 1) + 1 / (1 - ratio)) * poisson.omittedMass / q
            if predicted <= budget || epsilon <= 1e-100 { break }
            epsilon = max(1e-100, epsilon * budget / predicted / 2)
            poisson = try FoxGlynn.weights(rate: lambda, accuracy: epsilon)
        }
        // Suffix sums from the right: at most R - L + 1 roundings up, undone by the factor.
        let left = poisson.left
        let right = poisson.right
        var suffix = [Double](repeating: 0, count: right + 1)
        var running = 0.0
        for k in stride(from: right - 1, through: 0, by: -1) {
            let j = k + 1
            if j >= left { running += poisson.weights[j - left] }
            suffix[k] = running
        }
        let shrink = (1 - 2 * Double(right - left + 6) * u) / q * (1 - 2 * u)
        let weights = suffix.map { $0 * shrink }
        if right >= codingThreshold && rates.entryCount >= codingMinimumEntries { chain.code() }
        let mixture = try PoissonMixture(
            chain: chain, initial: initial, weights: weights, first: 0, threads: 1, deadline: deadline)
        let occupation = NonNegativeSum(mixture.result)
        let totalTime = mass * time * (1 + 4 * u)
        let missing = upperDifference(totalTime, occupation.lower)
        let lower = nonNegativeDotBounds(mixture.result, stateRewards)
        let upper = nonNegativeDotBounds(mixture.result, upperRewards)
        return RewardResult(
            lower: lower.lower,
            upper: (upper.upper + largest * missing) * (1 + 4 * u),
            iterations: mixture.iterations)
    }
}
