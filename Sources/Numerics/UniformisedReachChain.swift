/// The uniformised chain of a time-bounded reachability problem, restricted to the states whose
/// mass still matters: the "maybe" states M, which move (not absorbing) and can reach the goal or
/// the extra set (the truncation's sink) through moving states. Goal, extra and every other state
/// (absorbing ones, and moving ones that can reach neither) need no product: mass that enters
/// them stays there or never counts, so only how much enters them per step is needed, which the
/// inflow lists give (one dot product each). M is numbered compactly in the original order (so the
/// breadth-first prefix of `reach` still works) and stored in gather form as `UniformisedChain` is.
///
/// Rounding, two-sided (so that upper bounds are as certified as lower ones): the Poisson rate is
/// lambda = fl(max_j E_j t (1 + 2^-20)), a little above the largest exit rate of M times t, and the
/// chain is P = I + Q t / lambda exactly. Off-diagonal entries are fl(fl(R t) / lambda), within
/// (1 +- u)^2 of the exact ones. The diagonal 1 - E_j t / lambda would cancel catastrophically if
/// computed from a rounded exit rate; it is computed as (lambda - E_j t) / lambda with E_j t in
/// double-double: lambda - hi (exact by Sterbenz when hi >= lambda / 2, else one rounding), minus
/// lo, divided by lambda, so within (1 +- u)^4 of the exact one (lambda - E_j t >= 2^-20 lambda
/// keeps the double-double error far below u relative, counted as one more). An entry of a product
/// then gathers indegree + 1 non-negative terms, each within (1 +- u)^6 once multiplied (the
/// diagonal's 5 and the product's rounding), with indegree additions:
/// c_j = indegree + 6 roundings, gamma = max c_j.
struct UniformisedReachChain {
    /// Number of maybe states, m.
    var stateCount: Int
    /// Original index of each maybe state (increasing).
    var original: [Int32]
    var rowStart: [Int]
    /// Sources within M of each row, plus one sentinel entry.
    var sources: [Int32]
    var probabilities: [Double]
    var diagonal: [Double]
    var probabilityCoding: ValueCoding?
    var diagonalCoding: ValueCoding?
    /// reach[h] = the largest maybe index one step can move mass to from maybe states 0...h.
    var reach: [Int32]
    /// lambda = q t, the Poisson rate; q = lambda / t.
    var lambda: Double
    var gamma: Int
    /// Mass leaving M per step into the goal, the extra set and everything else.
    var goal: InflowList
    /// The goal's probabilities per maybe state (0 where none), instead of `goal`, when most maybe
    /// states have one: the product then adds them up in the same pass (the list would be a second
    /// pass over most of the vector).
    var goalDense: [Double]?
    var extra: InflowList
    var dead: InflowList
    /// Roundings in a computed inflow (blocked summation, see `InflowList.dot`).
    var inflowTerms: Int
    /// Entries of the vectors at least this large (or zero) keep every product normal, which the
    /// early stop needs of the two vectors it compares.
    var normalThreshold: Double

    /// `moving[s]`: s is not absorbing and is in neither target set. Rates must be validated.
    init(
        rates: SparseMatrix, moving: [Bool], goal: [Bool], extra: [Bool], time: Double,
        codeWhen: (Double) -> Bool
    ) {
        let n = rates.rowCount
        // 1. Which moving states can reach goal or extra through moving states: backward search
        // over the predecessor lists among moving states (freed before the chain is built).
        var canReach = [Bool](repeating: false, count: n)
        do {
            var counts = [Int](repeating: 0, count: n + 1)
            var queue: [Int32] = []
            for row in 0..<n where moving[row] {
                for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                    let column = Int(rates.columns[entry])
                    if column == row || rates.values[entry] == 0 { continue }
                    if goal[column] || extra[column] {
                        if !canReach[row] {
                            canReach[row] = true
                            queue.append(Int32(row))
                        }
                    } else if moving[column] {
                        counts[column + 1] += 1
                    }
                }
            }
            for i in 0..<n { counts[i + 1] += counts[i] }
            var predecessors = [Int32](repeating: 0, count: counts[n])
            // counts[c] is c's fill cursor, and ends as the start of c + 1 (no second array).
            for row in 0..<n where moving[row] {
                for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                    let column = Int(rates.columns[entry])
                    if column == row || rates.values[entry] == 0 || !moving[column] { continue }
                    predecessors[counts[column]] = Int32(row)
                    counts[column] += 1
                }
            }
            var head = 0
            while head < queue.count {
                let state = Int(queue[head])
                head += 1
                for position in (state == 0 ? 0 : counts[state - 1])..<counts[state] {
                    let predecessor = Int(predecessors[position])
                    if !canReach[predecessor] {
                        canReach[predecessor] = true
                        queue.append(Int32(predecessor))
                    }
                }
            }
        }
        // 2. Compact numbering of M.
        var compact = [Int32](repeating: -1, count: n)
        var original: [Int32] = []
        for state in 0..<n where canReach[state] {
            compact[state] = Int32(original.count)
            original.append(Int32(state))
        }
        canReach = []
        let m = original.count
        // 3. lambda from the exit rates times t (in double-double, recomputed for the diagonal
        // below rather than stored: two doubles per state would raise the peak memory), and the
        // in-degrees within M.
        var inDegrees = [Int](repeating: 0, count: m + 1)
        var maxExit = 0.0
        var maxOutDegree = 0
        for i in 0..<m {
            let row = Int(original[i])
            let exit = Self.exitTimesTime(rates, row: row, time: time)
            maxExit = max(maxExit, exit.high + exit.low)
            maxOutDegree = max(maxOutDegree, exit.degree)
            for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                let column = Int(rates.columns[entry])
                if column == row || rates.values[entry] == 0 { continue }
                let target = compact[column]
                if target >= 0 { inDegrees[Int(target) + 1] += 1 }
            }
        }
        let lambda = maxExit * (1 + 0x1p-20)
        var gamma = 6
        for j in 0..<m {
            gamma = max(gamma, inDegrees[j + 1] + 6)
            inDegrees[j + 1] += inDegrees[j]
        }
        // 4. The gather rows, the inflow lists and the smallest stored probability.
        let entryCount = inDegrees[m] + 1
        var sources = [Int32](repeating: 0, count: entryCount)
        var coder: ValueCoder? = m > 0 && lambda.isFinite && codeWhen(lambda) ? ValueCoder() : nil
        var codes = [UInt16](repeating: 0, count: coder == nil ? 1 : entryCount)
        var probabilities = [Double](repeating: 0, count: coder == nil ? entryCount : 1)
        var reach = (0..<m).map { Int32(truncatingIfNeeded: $0) }
        var goalList = InflowList()
        var extraList = InflowList()
        var deadList = InflowList()
        var smallest = 1.0
        if lambda > 0 && lambda.isFinite {
            for i in 0..<m {
                let row = Int(original[i])
                var toGoal = 0.0
                var toExtra = 0.0
                var toDead = 0.0
                for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                    let column = Int(rates.columns[entry])
                    let value = rates.values[entry]
                    if column == row || value == 0 { continue }
                    let target = Int(compact[column])
                    if target >= 0 {
                        let position = inDegrees[target]
                        inDegrees[target] = position + 1
                        sources[position] = Int32(truncatingIfNeeded: i)
                        let probability = (value * time) / lambda
                        smallest = min(smallest, probability)
                        if coder != nil, let code = coder?.code(probability) {
                            codes[position] = code
                        } else {
                            if let full = coder {
                                probabilities = codes.map { full.table.isEmpty ? 0 : full.table[Int($0)] }
                                probabilities[entryCount - 1] = 0
                                codes = [0]
                                coder = nil
                            }
                            probabilities[position] = probability
                        }
                        reach[i] = max(reach[i], Int32(truncatingIfNeeded: target))
                    } else if goal[column] {
                        toGoal += value
                    } else if extra[column] {
                        toExtra += value
                    } else {
                        toDead += value
                    }
                }
                for (sum, list) in [(toGoal, 0), (toExtra, 1), (toDead, 2)] where sum > 0 {
                    let probability = (sum * time) / lambda
                    smallest = min(smallest, probability)
                    switch list {
                    case 0: goalList.append(state: i, probability: probability)
                    case 1: extraList.append(state: i, probability: probability)
                    default: deadList.append(state: i, probability: probability)
                    }
                }
            }
            for j in stride(from: m, to: 0, by: -1) { inDegrees[j] = inDegrees[j - 1] }
            inDegrees[0] = 0
        }
        // 5. The diagonal: (lambda - E t) / lambda, the subtraction in double-double.
        compact = []
        var exitHigh = [Double](repeating: 1, count: m)
        if lambda > 0 {
            for i in 0..<m {
                let exit = Self.exitTimesTime(rates, row: Int(original[i]), time: time)
                let difference = (lambda - exit.high) - exit.low
                exitHigh[i] = max(0, difference / lambda)
                if exitHigh[i] > 0 { smallest = min(smallest, exitHigh[i]) }
            }
        }
        for h in reach.indices.dropFirst() { reach[h] = max(reach[h], reach[h - 1]) }
        self.stateCount = m
        self.original = original
        self.rowStart = inDegrees
        self.sources = sources
        self.probabilities = probabilities
        self.diagonal = exitHigh
        self.reach = reach
        self.lambda = lambda
        self.gamma = gamma
        if goalList.states.count >= m / 4 && m > 0 {
            var dense = [Double](repeating: 0, count: m)
            for (index, state) in goalList.states.enumerated() { dense[Int(state)] = goalList.probabilities[index] }
            self.goalDense = dense
            self.goal = InflowList()
        } else {
            self.goalDense = nil
            self.goal = goalList
        }
        self.extra = extraList
        self.dead = deadList
        self.inflowTerms = InflowList.blockSize + maxOutDegree + 8
        // Products of entries >= threshold with probabilities >= smallest stay above 2^-1000; with
        // probabilities below 2^-900 no threshold would do, and the early stop is never taken.
        self.normalThreshold = smallest >= 0x1p-900 ? 0x1p-1000 / smallest : .infinity
        if let coder {
            if let diagonals = ValueCoding(exitHigh) {
                probabilityCoding = ValueCoding(table: coder.table, codes: codes)
                diagonalCoding = diagonals
                diagonal = [0]
            } else {
                self.probabilities = codes.map { coder.table.isEmpty ? 0 : coder.table[Int($0)] }
                self.probabilities[entryCount - 1] = 0
            }
        }
    }
}

extension UniformisedReachChain {
    /// E t in double-double (E = the row's exit rate, self-loops and zeros left out): the rates
    /// summed with Knuth's two-sum, then multiplied by t with a fused multiply-add for the low part.
    static func exitTimesTime(_ rates: SparseMatrix, row: Int, time: Double) -> (high: Double, low: Double, degree: Int)
    {
        var sum = 0.0
        var compensation = 0.0
        var degree = 0
        for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
            let value = rates.values[entry]
            if Int(rates.columns[entry]) == row || value == 0 { continue }
            degree += 1
            let next = sum + value
            let back = next - sum
            compensation += (sum - (next - back)) + (value - back)
            sum = next
        }
        let high = sum + compensation
        let low = compensation - (high - sum)
        let product = high * time
        return (product, (-product).addingProduct(high, time) + low * time, degree)
    }
}

/// The maybe states with a positive probability of leaving M into one set, and that probability
/// (fl(fl(rate sum t) / lambda): the rate sum has at most (out-degree - 1) roundings, then two).
struct InflowList {
    var states: [Int32] = []
    var probabilities: [Double] = []

    /// Block length of the summation: partial sums of this many terms are added with compensated
    /// summation, so a dot product carries about blockSize + 4 roundings whatever its length.
    static let blockSize = 64

    mutating func append(state: Int, probability: Double) {
        states.append(Int32(truncatingIfNeeded: state))
        probabilities.append(probability)
    }

    var isEmpty: Bool { states.isEmpty }

    /// sum_i p_i x[state_i], every term non-negative.
    func dot(_ x: UnsafePointer<Double>) -> Double {
        var total = CompensatedSum()
        states.withUnsafeBufferPointer { states in
            probabilities.withUnsafeBufferPointer { probabilities in
                var start = 0
                let count = states.count
                while start < count {
                    let end = min(start + Self.blockSize, count)
                    var block = 0.0
                    for index in start..<end { block += probabilities[index] * x[Int(states[index])] }
                    total.add(block)
                    start = end
                }
            }
        }
        return total.value
    }
}

/// Neumaier's compensated sum: for non-negative terms the result is within (2u + n u^2) of the
/// exact sum, relative.
struct CompensatedSum {
    var sum = 0.0
    var compensation = 0.0

    mutating func add(_ value: Double) {
        let next = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - next) + value
        } else {
            compensation += (value - next) + sum
        }
        sum = next
    }

    mutating func add(_ other: CompensatedSum) {
        add(other.sum)
        add(other.compensation)
    }

    var value: Double { sum + compensation }
}
