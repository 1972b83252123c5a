/// The uniformised DTMC P = I + Q/q of a CTMC, stored in gather form (row j lists the sources i
/// with P(i, j) > 0, i != j, plus a separate diagonal), so that v P is computed target by target and
/// rows can be split across threads without write conflicts.
///
/// Rounding (used by `PoissonMixture` to certify its result): each stored entry is at most the
/// exact one times (1 + u): off-diagonal entries are fl(R(i, j)/q), and the diagonal
/// fl(1 - x) uses an upper bound x >= E(s)/q (`diagonalUpperBound`), because the subtraction cancels.
/// Gathering entry j of v P then takes c_j = (sources of j) + 2 roundings of relative size u, all
/// on non-negative numbers, so with exact v the computed entry is at most (1 + u)^{c_j} (v P)_j.
/// States without outgoing transitions get the diagonal exactly 1, so their mass is copied exactly.
struct UniformisedChain {
    var rowStart: [Int]
    /// Sources and probabilities of the entries, plus one unused sentinel entry at the end so
    /// that the arrays are never empty.
    var sources: [Int32]
    var probabilities: [Double]
    var diagonal: [Double]
    /// The same values coded against small tables (`ValueCoding`), when `code()` succeeded (the
    /// plain arrays are then emptied to a sentinel).
    var probabilityCoding: ValueCoding?
    var diagonalCoding: ValueCoding?
    /// The uniformisation rate q, at least the largest exit rate.
    var rate: Double
    /// gamma = the largest c_j over states j with outgoing transitions: only their rounding errors
    /// propagate to other states.
    var maxPropagatingTerms: Int
    /// reach[h] = the largest state index that one step can move mass to from states 0...h (at
    /// least h). If a vector is zero beyond index h, its product with P is zero beyond reach[h]:
    /// exploration numbers states breadth-first, so early products touch only a prefix.
    var reach: [Int32]

    var stateCount: Int { rowStart.count - 1 }

    /// c_j, the number of roundings in entry j of a product (see the type's comment).
    func roundingTerms(of j: Int) -> Int { rowStart[j + 1] - rowStart[j] + 2 }

    /// `rates` must have been validated. Self-loops are ignored, absorbing states get no outgoing
    /// transitions. `codeWhen(q)` says, once the rate q is known, whether to code the values
    /// (`code()`) as they are produced, so the doubles never exist next to their codes.
    init(rates: SparseMatrix, absorbing: [Bool], codeWhen: (Double) -> Bool = { _ in false }) {
        let n = rates.rowCount
        let u = unitRoundoff
        // Holds the exit rates first, then (in place, to save n doubles) the diagonal.
        var exitRates = [Double](repeating: 0, count: n)
        var outDegrees = [Int32](repeating: 0, count: n)
        var inDegrees = [Int](repeating: 0, count: n + 1)
        var maxExit = 0.0
        var maxOutDegree = 0
        rates.rowStart.withUnsafeBufferPointer { rowStart in
            rates.columns.withUnsafeBufferPointer { columns in
                rates.values.withUnsafeBufferPointer { values in
                    for row in 0..<n where !absorbing[row] {
                        var sum = 0.0
                        var degree = 0
                        for entry in rowStart[row]..<rowStart[row + 1] {
                            let column = Int(columns[entry])
                            let value = values[entry]
                            if column == row || value == 0 { continue }
                            sum += value
                            degree += 1
                            inDegrees[column + 1] += 1
                        }
                        exitRates[row] = sum
                        outDegrees[row] = Int32(truncatingIfNeeded: degree)
                        maxExit = max(maxExit, sum)
                        maxOutDegree = max(maxOutDegree, degree)
                    }
                }
            }
        }
        // The computed exit rates may fall short of the exact sums by (d - 1)u relative; q must
        // dominate the exact ones.
        let q = maxExit * (1 + 2 * Double(maxOutDegree + 2) * u)
        var maxPropagating = 2
        for j in 0..<n {
            if outDegrees[j] > 0 { maxPropagating = max(maxPropagating, inDegrees[j + 1] + 2) }
            inDegrees[j + 1] += inDegrees[j]
        }

        let entryCount = inDegrees[n] + 1
        var sources = [Int32](repeating: 0, count: entryCount)
        var coder: ValueCoder? = q > 0 && codeWhen(q) ? ValueCoder() : nil
        var codes = [UInt16](repeating: 0, count: coder == nil ? 1 : entryCount)
        var probabilities = [Double](repeating: 0, count: coder == nil ? entryCount : 1)
        var reach = (0..<n).map { Int32(truncatingIfNeeded: $0) }
        if q > 0 {
            // inDegrees[j] serves as the fill cursor of row j (it ends at the old inDegrees[j + 1]),
            // then shifts back into row starts: no second array of n + 1 offsets.
            for row in 0..<n where outDegrees[row] > 0 {
                for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                    let column = Int(rates.columns[entry])
                    let value = rates.values[entry]
                    if column == row || value == 0 { continue }
                    let position = inDegrees[column]
                    inDegrees[column] = position + 1
                    sources[position] = Int32(truncatingIfNeeded: row)
                    let probability = value / q
                    if coder != nil, let code = coder?.code(probability) {
                        codes[position] = code
                    } else {
                        if let full = coder {
                            // More than 65536 distinct values: fall back to plain doubles.
                            probabilities = Self.decode(codes, table: full.table)
                            probabilities[entryCount - 1] = 0
                            codes = [0]
                            coder = nil
                        }
                        probabilities[position] = probability
                    }
                    reach[row] = max(reach[row], Int32(truncatingIfNeeded: column))
                }
            }
            for j in stride(from: n, to: 0, by: -1) { inDegrees[j] = inDegrees[j - 1] }
            inDegrees[0] = 0
        }
        for row in 0..<n {
            if q > 0 && outDegrees[row] > 0 {
                let leaving = Self.diagonalUpperBound(
                    exitRate: exitRates[row], degree: Int(outDegrees[row]), rate: q)
                exitRates[row] = max(0, 1 - leaving)
            } else {
                exitRates[row] = 1
            }
        }
        for h in reach.indices.dropFirst() { reach[h] = max(reach[h], reach[h - 1]) }
        self.reach = reach
        self.rowStart = inDegrees
        self.sources = sources
        self.probabilities = probabilities
        self.diagonal = exitRates
        self.rate = q
        self.maxPropagatingTerms = maxPropagating
        if let coder {
            if let diagonals = ValueCoding(exitRates) {
                probabilityCoding = ValueCoding(table: coder.table, codes: codes)
                diagonalCoding = diagonals
                diagonal = [0]
            } else {
                self.probabilities = Self.decode(codes, table: coder.table)
                self.probabilities[entryCount - 1] = 0
            }
        }
    }

    private static func decode(_ codes: [UInt16], table: [Double]) -> [Double] {
        codes.map { table.isEmpty ? 0 : table[Int($0)] }
    }

    /// Codes the probabilities and the diagonal if each has at most 65536 distinct values (worth
    /// it when many products follow: it costs about two hash lookups per entry).
    mutating func code() {
        guard probabilityCoding == nil else { return }
        guard let entries = ValueCoding(probabilities), let diagonals = ValueCoding(diagonal) else { return }
        probabilityCoding = entries
        diagonalCoding = diagonals
        // The plain values are no longer read: give their memory back.
        probabilities = [0]
        diagonal = [0]
    }

    /// An upper bound x >= E/q on the exact exit probability, from the computed exit rate Ê of d
    /// terms (E <= Ê (1 + 1.01 (d - 1) u)). Then fl(1 - x) <= (1 - E/q)(1 + u).
    private static func diagonalUpperBound(exitRate: Double, degree: Int, rate: Double) -> Double {
        let u = unitRoundoff
        let exitUpper = exitRate * (1 + 2 * Double(degree + 1) * u)  // >= E even after rounding
        return (exitUpper / rate) * (1 + 4 * u)  // two more roundings, each <= u
    }
}
