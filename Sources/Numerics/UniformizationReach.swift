// Time-bounded until (`P=? [ phi1 U<=t phi2 ]`) by uniformization over the maybe states only, with
// a certified early stop: the engine's transient path for bounded reachability, kept apart from
// the general transient solver (`Uniformization.transient`, still used for rewards and for the
// first phase of [t1, t2] intervals) because it needs neither a vector over all states nor a
// product over the goal states.

import Dispatch
import Foundation

/// Certified bounds on a time-bounded reachability probability (`Uniformization.boundedReach`).
public struct BoundedReachResult: Sendable {
    /// Lower bound on the mass in the goal states at the time bound.
    public var goalLower: Double
    /// Upper bound on the mass in the goal and extra states at the time bound.
    public var upper: Double
    /// Lower bound on the mass in the extra states (the truncation's sink) at the time bound.
    public var extraLower: Double
    /// Lower bounds on the mass of each maybe state at the time bound (0 elsewhere), when asked for.
    public var distribution: [Double]?
    /// Vector-matrix products performed, and the last index of the Poisson window.
    public var iterations: Int
    public var lastIndex: Int
    /// The step after which the rest was bounded in closed form (nil: none).
    public var stoppedEarlyAt: Int?
    public var uniformizationRate: Double
    /// Number of maybe states (those the products run over).
    public var maybeStates: Int
}

/// Time-bounded reachability by uniformization over the maybe states only.
///
/// Goal and extra states are absorbing, so the mass in them at step k is what they held at the
/// start plus what flowed in during steps 0...k-1; with v_k the mass vector on the maybe states M
/// (`UniformisedReachChain`), the inflow of step k is v_k g for the chain's per-state probability
/// g of entering the set. So each product runs over M alone (typically far fewer states and
/// transitions than the whole chain, and a smaller uniformisation rate: only M's exit rates count,
/// as in Storm), and the goal's mass is accumulated from one dot product per step.
///
/// Certificate: every number is non-negative, so each computed quantity is within (1 +- u)^A of
/// the exact one for the number A of roundings on its way (A = steps gamma + inflow terms + a few
/// for the compensated running sums), and scaling by (1 -+ 2.1 A u) turns it into a lower or
/// upper bound. The weights are Fox-Glynn's lower bounds; what they omit adds at most their
/// omitted mass times the total mass to the upper bound. The upper bound on goal plus extra is the
/// smaller of that direct bound and the complement: total mass minus lower bounds on the mass
/// still in M and on the mass that left M elsewhere.
///
/// Certified early stop: if, for the computed x_K and x_{K+1}, rho_lo x_K <= x_K P <= rho_hi x_K
/// elementwise (the computed ratios widened by one step's rounding), then P >= 0 gives
/// rho_lo^j x_K <= x_K P^j <= rho_hi^j x_K for every j, so every later inflow and the mass in M
/// are bounded by geometric sequences from x_K's own, and the remaining weighted sums are bounded
/// in closed form (a scalar loop over the remaining weights). The exact vector differs from x_K by
/// the rounding factor of K steps, which the final scaling covers. Once the distribution on M has
/// settled into its slowest mode (it only shrinks by a common factor per step: a rare goal, a long
/// horizon) the ratios agree to a few ulps and the rest of the products, often most of them, are
/// skipped. The stop is taken only when the interval it adds is within 0.4 of `accuracy`, or
/// within what rounding in the skipped products would have added anyway.
extension Uniformization {
    /// Bounds on the mass at `time` in `goal` (lower) and in `goal` or `extra` (upper), starting
    /// from `initial`, with `absorbing`, `goal` and `extra` states absorbing. `keepDistribution`
    /// also returns lower bounds on the maybe states' masses (for the truncation's heuristics).
    public static func boundedReach(
        rates: SparseMatrix, initial: consuming [Double], time: Double, absorbing: [Bool], goal: [Bool], extra: [Bool],
        accuracy: Double, threads: Int = 1, deadline: SolverDeadline = .none, keepDistribution: Bool = false
    ) throws(NumericsError) -> BoundedReachResult {
        let n = rates.rowCount
        try rates.validateRates()
        try validate(initial: initial, count: n)
        try validate(time: time)
        try validate(accuracy: accuracy)
        guard absorbing.count == n, goal.count == n, extra.count == n else {
            throw .invalidArgument("absorbing, goal and extra need \(n) flags each")
        }
        var moving = [Bool](repeating: false, count: n)
        for s in 0..<n { moving[s] = !absorbing[s] && !goal[s] && !extra[s] }
        var chain = UniformisedReachChain(
            rates: rates, moving: moving, goal: goal, extra: extra, time: time
        ) { lambda in
            guard let poisson = try? FoxGlynn.weights(rate: lambda, accuracy: accuracy * 0.5) else { return false }
            return poisson.right >= codingThreshold && rates.entryCount >= codingMinimumEntries
        }
        moving = []
        guard chain.lambda.isFinite else {
            throw .invalidArgument("the uniformisation rate overflows a double (exit rates near 1e308)")
        }
        // Initial masses of the four parts.
        var inGoal: [Double] = []
        var inExtra: [Double] = []
        var elsewhere: [Double] = []
        var start = [Double](repeating: 0, count: max(chain.stateCount, 1))
        var isMaybe = [Bool](repeating: false, count: n)
        for (i, state) in chain.original.enumerated() {
            isMaybe[Int(state)] = true
            start[i] = initial[Int(state)]
        }
        for s in 0..<n where !isMaybe[s] && initial[s] > 0 {
            if goal[s] {
                inGoal.append(initial[s])
            } else if extra[s] {
                inExtra.append(initial[s])
            } else {
                elsewhere.append(initial[s])
            }
        }
        isMaybe = []
        // The maybe states' original indices are only needed again to report their masses.
        if !keepDistribution { chain.original = [] }
        let total = NonNegativeSum(initial).upper
        // The products need only the maybe states' part (`start`): a caller that gives its vector up
        // (`consume`) frees n doubles for the whole iteration.
        initial = []
        let origins = Masses(
            goal: NonNegativeSum(inGoal).value, extra: NonNegativeSum(inExtra).value,
            dead: NonNegativeSum(elsewhere).value)
        let rate = time > 0 ? chain.lambda / time : 0
        if chain.stateCount == 0 || chain.lambda == 0 || start.allSatisfy({ $0 == 0 }) {
            // Nothing moves: the masses are the initial ones.
            let margin = 2.1 * 16 * unitRoundoff
            return BoundedReachResult(
                goalLower: origins.goal * (1 - margin),
                upper: min(total, (origins.goal + origins.extra) * (1 + margin)),
                extraLower: origins.extra * (1 - margin),
                distribution: keepDistribution ? initialDistribution(chain, start, n) : nil, iterations: 0,
                lastIndex: 0, stoppedEarlyAt: nil, uniformizationRate: rate, maybeStates: chain.stateCount)
        }
        let poisson = try FoxGlynn.weights(rate: chain.lambda, accuracy: accuracy * 0.5)
        var iteration = ReachIteration(
            chain: chain, start: consume start, origins: origins, weights: poisson.weights, first: poisson.left,
            threads: threads, deadline: deadline, keepDistribution: keepDistribution,
            stopBudget: accuracy * 0.4)
        try iteration.run()
        let sums = iteration.weighted
        let a = Double(iteration.stepsComputed * chain.gamma + chain.inflowTerms + 40)
        let u = unitRoundoff
        guard a * u <= 0.005 else {
            return BoundedReachResult(
                goalLower: 0, upper: total, extraLower: 0, distribution: nil, iterations: iteration.steps,
                lastIndex: poisson.right, stoppedEarlyAt: iteration.stoppedAt, uniformizationRate: rate,
                maybeStates: chain.stateCount)
        }
        let down = 1 - 2.1 * a * u
        let up = 1 + 2.1 * a * u
        let direct = (sums.goalUpper + sums.extraUpper) * up + total * poisson.omittedMass * (1 + 4 * u) + 1e-300
        // Underflow (absolute errors below 2^-1074 per operation, far below 1e-300 in all) is the
        // one error the relative margins do not cover.
        let complement = upperDifference(total, (sums.maybeLower + sums.deadLower) * down) + 1e-300
        var distribution: [Double]? = nil
        if keepDistribution, let kept = iteration.distribution {
            var values = [Double](repeating: 0, count: n)
            for (i, state) in chain.original.enumerated() { values[Int(state)] = kept[i] * down }
            distribution = values
        }
        return BoundedReachResult(
            goalLower: max(0, sums.goalLower * down - 1e-300), upper: min(direct, complement),
            extraLower: max(0, sums.extraLower * down - 1e-300), distribution: distribution,
            iterations: iteration.steps, lastIndex: poisson.right, stoppedEarlyAt: iteration.stoppedAt,
            uniformizationRate: rate, maybeStates: chain.stateCount)
    }

    private static func initialDistribution(_ chain: UniformisedReachChain, _ start: [Double], _ n: Int) -> [Double] {
        var values = [Double](repeating: 0, count: n)
        for (i, state) in chain.original.enumerated() { values[Int(state)] = start[i] }
        return values
    }
}

extension NonNegativeSum {
    /// A value between the bounds (the computed sum), for quantities whose rounding the caller counts.
    var value: Double { (lower + upper) / 2 }
}

/// Masses of the goal, the extra set and everything else outside M.
struct Masses {
    var goal = 0.0
    var extra = 0.0
    var dead = 0.0
}

/// The weighted sums sum_k w_k (mass at step k), computed part (lower and upper agree) plus the
/// early stop's closed-form bounds on the rest.
struct WeightedSums {
    var goalLower = 0.0
    var goalUpper = 0.0
    var extraLower = 0.0
    var extraUpper = 0.0
    var maybeLower = 0.0
    var deadLower = 0.0
}

/// One thread's share of a step: the new vector's mass and, when compared, the ratios new / old.
private struct ChunkStats {
    var mass = CompensatedSum()
    /// sum_j g_j x_j over the chunk's rows, with the chain's dense goal probabilities g.
    var goal = CompensatedSum()
    var low = Double.infinity
    var high = 0.0
    var unusable = false
}

/// The iteration: products over M, inflows, running sums, and the early stop.
private struct ReachIteration {
    let chain: UniformisedReachChain
    let weights: [Double]
    let first: Int
    let last: Int
    let parallelism: Int
    let deadline: SolverDeadline
    let stopBudget: Double
    var start: [Double]
    var origins: Masses
    var distribution: [Double]?
    var steps = 0
    var stepsComputed = 0
    var stoppedAt: Int? = nil
    var weighted = WeightedSums()

    init(
        chain: UniformisedReachChain, start: [Double], origins: Masses, weights: [Double], first: Int,
        threads: Int, deadline: SolverDeadline, keepDistribution: Bool, stopBudget: Double
    ) {
        self.chain = chain
        self.start = start
        self.origins = origins
        self.weights = weights
        self.first = first
        self.last = first + weights.count - 1
        self.parallelism = max(1, min(threads, 64))
        self.deadline = deadline
        self.stopBudget = stopBudget
        self.distribution = keepDistribution ? [Double](repeating: 0, count: chain.stateCount) : nil
    }

    /// Steps between two comparisons for the early stop (a comparison divides every entry).
    static let compareStride = 16

    func weight(_ k: Int) -> Double { k >= first && k <= last ? weights[k - first] : 0 }

    mutating func run() throws(NumericsError) {
        let m = chain.stateCount
        let current = UnsafeMutablePointer<Double>.allocate(capacity: m)
        let next = UnsafeMutablePointer<Double>.allocate(capacity: m)
        let stats = UnsafeMutablePointer<ChunkStats>.allocate(capacity: parallelism)
        defer {
            current.deallocate()
            next.deallocate()
            stats.deallocate()
        }
        start.withUnsafeBufferPointer { start in
            for j in 0..<m { current[j] = start[j] }
        }
        next.initialize(repeating: 0, count: m)
        stats.initialize(repeating: ChunkStats(), count: parallelism)
        var highest = -1
        for j in stride(from: m - 1, through: 0, by: -1) where current[j] != 0 {
            highest = j
            break
        }
        start = []
        var timedOut = false
        let chain = self.chain
        chain.rowStart.withUnsafeBufferPointer { rowStart in
            chain.sources.withUnsafeBufferPointer { sources in
                guard let rowStart = rowStart.baseAddress, let sources = sources.baseAddress else { return }
                if let entryCoding = chain.probabilityCoding, let diagonalCoding = chain.diagonalCoding {
                    entryCoding.table.withUnsafeBufferPointer { entryTable in
                        entryCoding.codes.withUnsafeBufferPointer { entryCodes in
                            diagonalCoding.table.withUnsafeBufferPointer { diagonalTable in
                                diagonalCoding.codes.withUnsafeBufferPointer { diagonalCodes in
                                    guard let entryTable = entryTable.baseAddress,
                                        let entryCodes = entryCodes.baseAddress,
                                        let diagonalTable = diagonalTable.baseAddress,
                                        let diagonalCodes = diagonalCodes.baseAddress
                                    else { return }
                                    let values = CodedValues(
                                        entryTable: entryTable, entryCodes: entryCodes, diagonalTable: diagonalTable,
                                        diagonalCodes: diagonalCodes)
                                    timedOut = iterate(
                                        rowStart: rowStart, sources: sources, values: values, current: current,
                                        next: next, stats: stats, highest: highest)
                                }
                            }
                        }
                    }
                } else {
                    chain.probabilities.withUnsafeBufferPointer { probabilities in
                        chain.diagonal.withUnsafeBufferPointer { diagonal in
                            guard let probabilities = probabilities.baseAddress, let diagonal = diagonal.baseAddress
                            else { return }
                            let values = DirectValues(probabilities: probabilities, diagonal: diagonal)
                            timedOut = iterate(
                                rowStart: rowStart, sources: sources, values: values, current: current, next: next,
                                stats: stats, highest: highest)
                        }
                    }
                }
            }
        }
        if timedOut { throw .timeLimit }
    }

    /// Returns whether the deadline passed.
    private mutating func iterate<Values: GatherValues>(
        rowStart: UnsafePointer<Int>, sources: UnsafePointer<Int32>, values: Values,
        current: UnsafeMutablePointer<Double>, next: UnsafeMutablePointer<Double>,
        stats: UnsafeMutablePointer<ChunkStats>, highest initialHighest: Int
    ) -> Bool {
        guard let goalDense = chain.goalDense else {
            return iterate(
                rowStart: rowStart, sources: sources, values: values, current: current, next: next, stats: stats,
                highest: initialHighest, goalRates: nil)
        }
        return goalDense.withUnsafeBufferPointer { goalRates in
            iterate(
                rowStart: rowStart, sources: sources, values: values, current: current, next: next, stats: stats,
                highest: initialHighest, goalRates: goalRates.baseAddress)
        }
    }

    private mutating func iterate<Values: GatherValues>(
        rowStart: UnsafePointer<Int>, sources: UnsafePointer<Int32>, values: Values,
        current: UnsafeMutablePointer<Double>, next: UnsafeMutablePointer<Double>,
        stats: UnsafeMutablePointer<ChunkStats>, highest initialHighest: Int, goalRates: UnsafePointer<Double>?
    ) -> Bool {
        let m = chain.stateCount
        var input = current
        var output = next
        var highest = initialHighest
        var goal = CompensatedSum()
        goal.add(origins.goal)
        var extra = CompensatedSum()
        extra.add(origins.extra)
        var dead = CompensatedSum()
        dead.add(origins.dead)
        var mass = CompensatedSum()
        for j in 0..<m { mass.add(input[j]) }
        var goalSum = CompensatedSum()
        var extraSum = CompensatedSum()
        var maybeSum = CompensatedSum()
        var deadSum = CompensatedSum()
        func accumulate(_ k: Int, _ maybeMass: Double) {
            let w = weight(k)
            guard w > 0 else { return }
            goalSum.add(w * goal.value)
            extraSum.add(w * extra.value)
            maybeSum.add(w * maybeMass)
            deadSum.add(w * dead.value)
        }
        accumulate(0, mass.value)
        let result = distribution.map { _ in UnsafeMutablePointer<Double>.allocate(capacity: m) }
        defer { result?.deallocate() }
        if let result {
            result.initialize(repeating: 0, count: m)
            let w0 = weight(0)
            if w0 > 0 { for j in 0..<m { result[j] = w0 * input[j] } }
        }
        var previousMass = mass.value
        while steps < last {
            if steps & 63 == 0 {
                do { try deadline.check() } catch { return true }
            }
            let k = steps + 1
            // Inflows of step k - 1 -> k come from x_{k-1}, the input.
            let listedGoal = chain.goal.isEmpty ? 0 : chain.goal.dot(input)
            let toExtra = chain.extra.isEmpty ? 0 : chain.extra.dot(input)
            let toDead = chain.dead.isEmpty ? 0 : chain.dead.dot(input)
            highest = highest < 0 ? -1 : Int(chain.reach[highest])
            let compare = k % Self.compareStride == 0 && last - k > 2 * Self.compareStride
            let w = weight(k)
            let kernel = ReachKernel(
                rowStart: rowStart, sources: sources, values: values, input: UnsafePointer(input), output: output,
                result: w > 0 ? result : nil, goalRates: goalRates, stats: stats, threshold: chain.normalThreshold)
            let step = kernel.step(rows: 0..<(highest + 1), parallelism: parallelism, weight: w, compare: compare)
            let toGoal = goalRates == nil ? listedGoal : step.goal.value
            goal.add(toGoal)
            extra.add(toExtra)
            dead.add(toDead)
            accumulate(k, step.mass.value)
            steps = k
            if compare && !step.unusable {
                // No positive entry in x_K (and none in x_{K+1}): the ratio 0 bounds the rest.
                let ratios = step.low <= step.high ? (step.low, step.high) : (0, 0)
                let outcome = tryToStop(
                    k: k, ratios: ratios, previousMass: previousMass, toGoal: toGoal, toExtra: toExtra, toDead: toDead,
                    goal: goal.value, extra: extra.value, dead: dead.value,
                    sums: (goalSum.value, extraSum.value))
                if let outcome {
                    stoppedAt = k
                    stepsComputed = k
                    weighted = WeightedSums(
                        goalLower: goalSum.value + outcome.goalLower, goalUpper: goalSum.value + outcome.goalUpper,
                        extraLower: extraSum.value + outcome.extraLower,
                        extraUpper: extraSum.value + outcome.extraUpper,
                        maybeLower: maybeSum.value + outcome.maybeLower, deadLower: deadSum.value + outcome.deadLower)
                    if let result {
                        for j in 0..<m { result[j] += input[j] * outcome.maybeFactor }
                        distribution = Array(UnsafeBufferPointer(start: result, count: m))
                    }
                    return false
                }
            }
            previousMass = step.mass.value
            swap(&input, &output)
        }
        stepsComputed = steps
        weighted = WeightedSums(
            goalLower: goalSum.value, goalUpper: goalSum.value, extraLower: extraSum.value,
            extraUpper: extraSum.value, maybeLower: maybeSum.value, deadLower: deadSum.value)
        if let result { distribution = Array(UnsafeBufferPointer(start: result, count: m)) }
        return false
    }

    /// The closed-form bounds on the weighted sums of steps k + 1 ... last, anchored at x_K
    /// (K = k - 1, the kernel's input), when they are tight enough; nil otherwise.
    private func tryToStop(
        k: Int, ratios: (low: Double, high: Double), previousMass: Double, toGoal: Double, toExtra: Double,
        toDead: Double,
        goal: Double, extra: Double, dead: Double, sums: (goal: Double, extra: Double)
    ) -> StopOutcome? {
        let u = unitRoundoff
        // y_{K+1} = x_K P is within (1 +- u)^gamma of the computed x_{K+1}; the ratio adds one.
        let widen = 2.1 * Double(chain.gamma + 1) * u
        let low = max(0, ratios.low * (1 - widen))
        let high = ratios.high * (1 + widen)
        guard high - low < 1e-6 else { return nil }
        let remaining = last - k
        guard remaining > 0 else { return nil }
        // What rounding in the products not made would add to the interval anyway.
        let roughTotal = sums.goal + sums.extra + goal + extra + (toGoal + toExtra) * Double(remaining)
        let skippedRounding = 2 * 2.1 * Double(remaining * chain.gamma) * u * roughTotal
        let allowed = max(stopBudget, skippedRounding)
        // A cheap upper bound first: sum_{i <= J} (high^i - low^i) <= (high - low) J^2 / 2 for
        // high <= 1 (and <= (high - low) / (1 - high)^2), so most hopeless comparisons end here.
        let spread = high - low
        let j = Double(remaining)
        let growth = high < 1 ? min(j * j / 2, 1 / ((1 - high) * (1 - high))) : j * j / 2 * pow(high, j)
        guard (toGoal + toExtra) * spread * growth <= 4 * allowed else { return nil }
        let lowTail = GeometricTail(ratio: low, from: k, iteration: self)
        let highTail = GeometricTail(ratio: high, from: k, iteration: self)
        let tailMargin = 2.1 * Double(GeometricTail.roundings) * u
        let down = 1 - tailMargin
        let up = 1 + tailMargin
        // Masses at step j >= k + 1: mass at k + (inflow of x_K) (rho + ... + rho^(j - k)).
        let goalLower = (lowTail.weights * goal + toGoal * lowTail.cumulative) * down
        let goalUpper = (highTail.weights * goal + toGoal * highTail.cumulative) * up
        let extraLower = (lowTail.weights * extra + toExtra * lowTail.cumulative) * down
        let extraUpper = (highTail.weights * extra + toExtra * highTail.cumulative) * up
        // What the stop adds to Pmax - Pmin.
        let width = (goalUpper - goalLower) + (extraUpper - extraLower)
        guard width <= allowed else { return nil }
        return StopOutcome(
            goalLower: goalLower, goalUpper: goalUpper, extraLower: extraLower, extraUpper: extraUpper,
            maybeLower: previousMass * lowTail.powers * down,
            deadLower: (lowTail.weights * dead + toDead * lowTail.cumulative) * down,
            maybeFactor: lowTail.powers * down)
    }
}

private struct StopOutcome {
    var goalLower: Double
    var goalUpper: Double
    var extraLower: Double
    var extraUpper: Double
    var maybeLower: Double
    var deadLower: Double
    /// Lower bound on sum_{j > k} w_j rho^(j - K) (K = k - 1), the factor of x_K in the rest.
    var maybeFactor: Double
}

/// For j = k + 1 ... last with K = k - 1: weights = sum w_j, powers = sum w_j rho^(j - K),
/// cumulative = sum w_j (rho + rho^2 + ... + rho^(j - k)). The powers and partial sums run in
/// double-double (relative error below 16u^2 per step), each weighted term is rounded three times
/// and the sums are compensated: every result is within (1 +- u)^8 of the exact one.
private struct GeometricTail {
    static let roundings = 8
    var weights = 0.0
    var powers = 0.0
    var cumulative = 0.0

    init(ratio: Double, from k: Int, iteration: ReachIteration) {
        let rho = DoubleDouble(ratio)
        var power = rho  // rho^(j - k) at the top of the loop
        var partial = DoubleDouble.zero
        var weightSum = CompensatedSum()
        var powerSum = CompensatedSum()
        var cumulativeSum = CompensatedSum()
        var j = k + 1
        while j <= iteration.last {
            partial = partial + power  // rho + ... + rho^(j - k)
            power = power * rho  // rho^(j - K)
            let w = iteration.weight(j)
            if w > 0 {
                weightSum.add(w)
                powerSum.add(w * power.hi)
                cumulativeSum.add(w * partial.hi)
            }
            j += 1
        }
        weights = weightSum.value
        powers = powerSum.value
        cumulative = cumulativeSum.value
    }
}

/// One product over M; threads write disjoint row ranges of `output`, `result` and `stats`.
private struct ReachKernel<Values: GatherValues>: @unchecked Sendable {
    let rowStart: UnsafePointer<Int>
    let sources: UnsafePointer<Int32>
    let values: Values
    let input: UnsafePointer<Double>
    let output: UnsafeMutablePointer<Double>
    let result: UnsafeMutablePointer<Double>?
    let goalRates: UnsafePointer<Double>?
    let stats: UnsafeMutablePointer<ChunkStats>
    let threshold: Double

    /// Below this much work (entries plus rows) a step stays on one thread.
    static var parallelWork: Int { 100_000 }

    func step(rows: Range<Int>, parallelism: Int, weight: Double, compare: Bool) -> ChunkStats {
        let work = rowStart[rows.upperBound] + rows.upperBound
        if parallelism == 1 || work < Self.parallelWork {
            return dispatch(rows, weight: weight, compare: compare)
        }
        DispatchQueue.concurrentPerform(iterations: parallelism) { chunk in
            stats[chunk] = dispatch(
                chunkRange(chunk, of: parallelism, rows: rows, work: work), weight: weight, compare: compare)
        }
        var total = ChunkStats()
        for chunk in 0..<parallelism {
            let part = stats[chunk]
            total.mass.add(part.mass)
            total.goal.add(part.goal)
            total.low = min(total.low, part.low)
            total.high = max(total.high, part.high)
            total.unusable = total.unusable || part.unusable
        }
        return total
    }

    /// The loop variants, each with its flags constant so that the optimiser drops them.
    private func dispatch(_ range: Range<Int>, weight: Double, compare: Bool) -> ChunkStats {
        let weighted = result != nil && weight > 0
        if goalRates != nil {
            switch (weighted, compare) {
            case (true, true): return rows(range, weight: weight, weighted: true, compare: true, dense: true)
            case (true, false): return rows(range, weight: weight, weighted: true, compare: false, dense: true)
            case (false, true): return rows(range, weight: weight, weighted: false, compare: true, dense: true)
            case (false, false): return rows(range, weight: weight, weighted: false, compare: false, dense: true)
            }
        }
        switch (weighted, compare) {
        case (true, true): return rows(range, weight: weight, weighted: true, compare: true, dense: false)
        case (true, false): return rows(range, weight: weight, weighted: true, compare: false, dense: false)
        case (false, true): return rows(range, weight: weight, weighted: false, compare: true, dense: false)
        case (false, false): return rows(range, weight: weight, weighted: false, compare: false, dense: false)
        }
    }

    private func chunkRange(_ chunk: Int, of count: Int, rows: Range<Int>, work: Int) -> Range<Int> {
        func boundary(_ c: Int) -> Int {
            if c == 0 { return rows.lowerBound }
            if c == count { return rows.upperBound }
            let goal = work * c / count
            var low = rows.lowerBound
            var high = rows.upperBound
            while low < high {
                let mid = (low + high) / 2
                if rowStart[mid] + mid < goal { low = mid + 1 } else { high = mid }
            }
            return low
        }
        return boundary(chunk)..<boundary(chunk + 1)
    }

    @inline(__always)
    private func rows(_ range: Range<Int>, weight: Double, weighted: Bool, compare: Bool, dense: Bool)
        -> ChunkStats
    {
        // Everything in locals: stores through the output pointers could alias `self`.
        let rowStart = self.rowStart
        let sources = self.sources
        let values = self.values
        let input = self.input
        let output = self.output
        let result = self.result
        let threshold = self.threshold
        let goalRates = self.goalRates
        var stats = ChunkStats()
        var block = 0.0
        var goalBlock = 0.0
        var blockEnd = range.lowerBound + InflowList.blockSize
        for j in range {
            let x = input[j]
            var sum = values.diagonal(j) * x
            for entry in rowStart[j]..<rowStart[j + 1] {
                sum += values.entry(entry) * input[Int(sources[entry])]
            }
            output[j] = sum
            block += sum
            if dense, let goalRates { goalBlock += goalRates[j] * x }
            if j + 1 == blockEnd {
                stats.mass.add(block)
                block = 0
                if dense {
                    stats.goal.add(goalBlock)
                    goalBlock = 0
                }
                blockEnd += InflowList.blockSize
            }
            if weighted, let result { result[j] += weight * sum }
            if compare {
                if x > 0 {
                    if x < threshold || sum < threshold { stats.unusable = true }
                    let ratio = sum / x
                    stats.low = min(stats.low, ratio)
                    stats.high = max(stats.high, ratio)
                } else if sum != 0 {
                    stats.unusable = true
                }
            }
        }
        stats.mass.add(block)
        stats.goal.add(goalBlock)
        return stats
    }
}
