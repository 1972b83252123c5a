import Dispatch

/// The hot loop of uniformization: sum_k w_k v_k with v_0 = initial and v_{k+1} = v_k P, for the
/// uniformised chain P in gather form, accumulating the weighted sum in the same pass as the
/// vector-matrix product and ping-ponging between two preallocated vectors.
///
/// Rounding: every number is non-negative, so every rounding is a relative error of at most u and
/// errors only add up. A state j with outgoing transitions receives values from states with
/// outgoing transitions, so by induction the computed v_k(j) <= (1 + u)^(k gamma) v_k(j) with
/// gamma = `UniformisedChain.maxPropagatingTerms`; a state without them (absorbing, or a hub such
/// as the truncation's sink) adds its own c_j per step but passes nothing on:
/// v_k(j) <= (1 + u)^(k (gamma + c_j)) exact. Accumulating T weighted terms, and the fixpoint
/// shortcut below, add T + M + 3 roundings. So the computed sum is at most (1 + u)^A_j times the
/// exact one, A_j = 2 (number of weights) + 8 + R (gamma + c_j) for the last index R, and scaling
/// it by 1 - 2 A_j u at the end makes it an elementwise lower bound (valid while A_j u <= 0.005;
/// beyond that the entry is set to 0, still a lower bound). Nothing is scaled inside the loop, so
/// absorbing states keep their mass exactly and fixpoints can be detected.
///
/// Steady-state detection: if one step leaves the computed vector bitwise unchanged, every later
/// computed step would too (the computation is deterministic), so the remaining weights are added
/// at once to that vector. That is exactly what iterating would have produced, so it keeps the
/// certificate; no approximate "change below epsilon" test is used, since it would not.
///
/// Only the prefix of states that mass can have reached is computed (`UniformisedChain.reach`);
/// the rest of both vectors stays exactly zero.
///
/// Upper bounds: the same analysis run the other way gives computed >= (1 - u)^A_j exact, so the
/// exact weighted sum of a state is at most its lower bound times (1 + m_j)/(1 - m_j), m_j = 2 A_j u
/// (`upperSum`). A set's true mass is then bounded without the slack that the a-posteriori error
/// bound carries: that one charges the down-scaling of every other state (about 2u R gamma of the
/// total mass) to the set, which dominates when the set's mass is small.
struct PoissonMixture {
    var result: [Double]
    var iterations: Int
    /// Number of weights and index of the last one, for the rounding margins.
    private var weightCount = 0
    private var last = 0

    /// `weights[i]` is the weight of v_{first + i}; all weights must be non-negative.
    init(
        chain: UniformisedChain, initial: [Double], weights: [Double], first: Int, threads: Int,
        deadline: SolverDeadline = .none
    ) throws(NumericsError) {
        let n = chain.stateCount
        let last = first + weights.count - 1
        let scaled = weights

        var result = [Double](repeating: 0, count: n)
        if first == 0, let w0 = scaled.first {
            for j in 0..<n { result[j] = w0 * initial[j] }
        }
        var highest = -1
        for j in stride(from: n - 1, through: 0, by: -1) where initial[j] != 0 {
            highest = j
            break
        }
        if highest < 0 {
            self.result = result
            self.iterations = 0
            self.weightCount = weights.count
            self.last = last
            return
        }
        // Two buffers owned here, so that swapping them is swapping two pointers.
        let current = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let next = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer {
            current.deallocate()
            next.deallocate()
        }
        initial.withUnsafeBufferPointer { initial in
            for j in 0..<n { current[j] = initial[j] }
        }
        next.initialize(repeating: 0, count: n)
        var input = current
        let output = next
        let parallelism = max(1, min(threads, 64))
        let changes = UnsafeMutablePointer<Bool>.allocate(capacity: parallelism)
        defer { changes.deallocate() }
        changes.initialize(repeating: false, count: parallelism)

        var loop = StepLoop(
            input: input, output: output, changes: changes, parallelism: parallelism, highest: highest,
            first: first, last: last, deadline: deadline)
        chain.rowStart.withUnsafeBufferPointer { rowStart in
            chain.sources.withUnsafeBufferPointer { sources in
                chain.reach.withUnsafeBufferPointer { reach in
                    result.withUnsafeMutableBufferPointer { resultBuffer in
                        // Never empty: n > 0 here and the entry arrays carry a sentinel.
                        guard let rowStart = rowStart.baseAddress, let sources = sources.baseAddress,
                            let reach = reach.baseAddress, let result = resultBuffer.baseAddress
                        else { return }
                        let structure = GatherStructure(
                            rowStart: rowStart, sources: sources, reach: reach, result: result)
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
                                                entryTable: entryTable, entryCodes: entryCodes,
                                                diagonalTable: diagonalTable, diagonalCodes: diagonalCodes)
                                            loop.run(structure: structure, values: values, weights: scaled)
                                        }
                                    }
                                }
                            }
                        } else {
                            chain.probabilities.withUnsafeBufferPointer { probabilities in
                                chain.diagonal.withUnsafeBufferPointer { diagonal in
                                    guard let probabilities = probabilities.baseAddress,
                                        let diagonal = diagonal.baseAddress
                                    else { return }
                                    let values = DirectValues(probabilities: probabilities, diagonal: diagonal)
                                    loop.run(structure: structure, values: values, weights: scaled)
                                }
                            }
                        }
                    }
                }
            }
        }
        if loop.timedOut { throw .timeLimit }
        let steps = loop.steps
        let fixpoint = loop.fixpoint
        input = loop.input
        if fixpoint && steps < last {
            // Weights of v_{steps+1} ... v_last, all applied to the fixpoint (M roundings in the sum,
            // 2 in the product and the addition, counted in A_j below).
            let start = max(steps + 1, first)
            var remaining = 0.0
            for k in start...last { remaining += scaled[k - first] }
            for j in 0..<n { result[j] += remaining * input[j] }
        }
        for j in 0..<n where result[j] != 0 {
            let margin = Self.margin(chain: chain, state: j, weightCount: weights.count, last: last)
            result[j] = margin <= 0.01 ? result[j] * (1 - margin) : 0
        }
        self.result = result
        self.iterations = steps
        self.weightCount = weights.count
        self.last = last
    }

    /// m_j = 2 A_j u, A_j = 2 (number of weights) + 8 + R (gamma + c_j).
    static func margin(chain: UniformisedChain, state j: Int, weightCount: Int, last: Int) -> Double {
        let gamma = Double(chain.maxPropagatingTerms)
        let terms = Double(2 * weightCount + 8) + Double(last) * (gamma + Double(chain.roundingTerms(of: j)))
        return 2 * terms * unitRoundoff
    }

    /// A certified upper bound on sum over `targets` of the exact weighted sum (the stored weights,
    /// exact arithmetic), or nil when a target's margin is too large to say (its entry was zeroed).
    /// From result_j = fl(c_j (1 - m_j)): c_j <= result_j (1 + u) / (1 - m_j), and the exact sum is
    /// at most c_j / (1 - u)^A_j <= c_j (1 + m_j) for A_j u <= 0.005; (1 + m)(1 + u)/(1 - m) is at
    /// most 1 + 2.05 m + 2u for m <= 0.01, so 1 + 3 m + 16 u covers it and the product's rounding.
    /// Entries that underflowed to zero may hide values below 2^-1074 each step: 1e-300 covers
    /// them for any chain that fits in memory.
    func upperSum(targets: [Bool], chain: UniformisedChain) -> Double? {
        let u = unitRoundoff
        var terms: [Double] = []
        for j in targets.indices where targets[j] {
            let margin = Self.margin(chain: chain, state: j, weightCount: weightCount, last: last)
            guard margin <= 0.01 else { return nil }
            if result[j] != 0 { terms.append(result[j] * (1 + 3 * margin + 16 * u)) }
        }
        return NonNegativeSum(terms).upper + 1e-300
    }
}

/// The iteration state: which buffer holds the current vector, how far mass may have spread.
private struct StepLoop {
    var input: UnsafeMutablePointer<Double>
    var output: UnsafeMutablePointer<Double>
    let changes: UnsafeMutablePointer<Bool>
    let parallelism: Int
    var highest: Int
    let first: Int
    let last: Int
    let deadline: SolverDeadline
    var steps = 0
    var fixpoint = false
    var timedOut = false

    init(
        input: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Double>,
        changes: UnsafeMutablePointer<Bool>, parallelism: Int, highest: Int, first: Int, last: Int,
        deadline: SolverDeadline
    ) {
        self.deadline = deadline
        self.input = input
        self.output = output
        self.changes = changes
        self.parallelism = parallelism
        self.highest = highest
        self.first = first
        self.last = last
    }

    static let fixpointStride = 16

    /// Steps until `last` or a fixpoint. Generic so that each value layout gets its own
    /// specialised loop.
    mutating func run<Values: GatherValues>(structure: GatherStructure, values: Values, weights: [Double]) {
        while steps < last {
            // Reading the clock every step would cost more than a step of a small chain.
            if steps & 63 == 0 {
                do { try deadline.check() } catch {
                    timedOut = true
                    return
                }
            }
            let k = steps + 1
            let weight = k >= first ? weights[k - first] : 0
            highest = Int(structure.reach[highest])
            let kernel = GatherKernel(
                structure: structure, values: values, input: UnsafePointer(input), output: output,
                changes: changes)
            // Comparing every entry costs a fifth of a step; one step in `fixpointStride` is
            // compared, so a fixpoint is found at most that many steps late (those steps change
            // nothing, so the result is the same).
            let compare = k % Self.fixpointStride == 0
            let changed = kernel.step(
                rows: 0..<(highest + 1), parallelism: parallelism, weight: weight, compare: compare)
            swap(&input, &output)
            steps = k
            if compare && !changed {
                fixpoint = true
                return
            }
        }
    }
}

/// The matrix layout shared by all value layouts.
private struct GatherStructure: @unchecked Sendable {
    let rowStart: UnsafePointer<Int>
    let sources: UnsafePointer<Int32>
    let reach: UnsafePointer<Int32>
    let result: UnsafeMutablePointer<Double>
}

/// Raw pointers for one gather step; only valid inside the `withUnsafe...` scopes that made them.
/// Threads write disjoint row ranges of `output`, `result` and `changes`, hence the unchecked
/// Sendable.
private struct GatherKernel<Values: GatherValues>: @unchecked Sendable {
    let structure: GatherStructure
    let values: Values
    let input: UnsafePointer<Double>
    let output: UnsafeMutablePointer<Double>
    let changes: UnsafeMutablePointer<Bool>

    /// Below this much work (entries plus rows) a step stays on one thread: a parallel step costs
    /// a few microseconds of synchronisation.
    static var parallelWork: Int { 100_000 }

    /// output = input P on `rows`; adds weight * output to the result when the weight is positive.
    /// Returns whether any entry changed.
    func step(rows: Range<Int>, parallelism: Int, weight: Double, compare: Bool) -> Bool {
        let work = structure.rowStart[rows.upperBound] + rows.upperBound
        if parallelism == 1 || work < Self.parallelWork {
            return compare
                ? self.rows(rows, weight: weight, compare: true) : self.rows(rows, weight: weight, compare: false)
        }
        DispatchQueue.concurrentPerform(iterations: parallelism) { chunk in
            let range = chunkRange(chunk, of: parallelism, rows: rows, work: work)
            changes[chunk] =
                compare
                ? self.rows(range, weight: weight, compare: true) : self.rows(range, weight: weight, compare: false)
        }
        for chunk in 0..<parallelism where changes[chunk] { return true }
        return false
    }

    /// Rows of chunk `chunk`: equal shares of entries plus rows, by binary search on rowStart.
    private func chunkRange(_ chunk: Int, of count: Int, rows: Range<Int>, work: Int) -> Range<Int> {
        func boundary(_ c: Int) -> Int {
            if c == 0 { return rows.lowerBound }
            if c == count { return rows.upperBound }
            let goal = work * c / count
            var low = rows.lowerBound
            var high = rows.upperBound
            while low < high {
                let mid = (low + high) / 2
                if structure.rowStart[mid] + mid < goal { low = mid + 1 } else { high = mid }
            }
            return low
        }
        return boundary(chunk)..<boundary(chunk + 1)
    }

    /// Whether any entry changed (only looked at with `compare`).
    @inline(__always)
    private func rows(_ range: Range<Int>, weight: Double, compare: Bool) -> Bool {
        // Everything in locals: stores through the output pointers could alias `self` as far as
        // the optimiser knows, which would reload these on every entry otherwise.
        let rowStart = structure.rowStart
        let sources = structure.sources
        let result = structure.result
        let values = self.values
        let input = self.input
        let output = self.output
        var changed = false
        if weight > 0 {
            for j in range {
                var sum = values.diagonal(j) * input[j]
                for entry in rowStart[j]..<rowStart[j + 1] {
                    sum += values.entry(entry) * input[Int(sources[entry])]
                }
                output[j] = sum
                result[j] += weight * sum
                if compare && sum != input[j] { changed = true }
            }
        } else {
            for j in range {
                var sum = values.diagonal(j) * input[j]
                for entry in rowStart[j]..<rowStart[j + 1] {
                    sum += values.entry(entry) * input[Int(sources[entry])]
                }
                output[j] = sum
                if compare && sum != input[j] { changed = true }
            }
        }
        return changed
    }
}
