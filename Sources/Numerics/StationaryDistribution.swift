/// The stationary distribution of one bottom strongly connected component (an irreducible CTMC).
enum StationaryDistribution {
    /// Components up to this size are solved directly.
    static let denseLimit = 400

    /// Probabilities in the order of `members`.
    static func compute(
        rates: SparseMatrix, chain: EmbeddedChain, members: [Int32], componentOf: [Int32],
        component: Int32, precision: Double, maxIterations: Int, denseLimit: Int = denseLimit,
        deadline: SolverDeadline = .none
    ) throws(NumericsError) -> [Double] {
        if members.count == 1 { return [1] }
        var local = [Int32: Int](minimumCapacity: members.count)
        for (index, state) in members.enumerated() { local[state] = index }
        if members.count <= denseLimit {
            return dense(rates: rates, members: members, local: local)
        }
        return try gaussSeidel(
            rates: rates, chain: chain, members: members, local: local, precision: precision,
            maxIterations: maxIterations, deadline: deadline)
    }

    /// Grassmann-Taksar-Heyman elimination on the rate matrix: only additions, multiplications and
    /// divisions of non-negative numbers, hence no cancellation and high relative accuracy
    /// (Grassmann, Taksar and Heyman, Operations Research 33(5), 1985).
    private static func dense(rates: SparseMatrix, members: [Int32], local: [Int32: Int]) -> [Double] {
        let size = members.count
        var a = [Double](repeating: 0, count: size * size)
        for (i, state) in members.enumerated() {
            let s = Int(state)
            for entry in rates.rowStart[s]..<rates.rowStart[s + 1] {
                guard let j = local[rates.columns[entry]], j != i else { continue }
                a[i * size + j] += rates.values[entry]
            }
        }
        for k in stride(from: size - 1, through: 1, by: -1) {
            var total = 0.0
            for j in 0..<k { total += a[k * size + j] }
            // total > 0: the reduced chain of an irreducible chain stays irreducible.
            for i in 0..<k { a[i * size + k] /= total }
            for i in 0..<k {
                let factor = a[i * size + k]
                if factor == 0 { continue }
                for j in 0..<k where j != i { a[i * size + j] += factor * a[k * size + j] }
            }
        }
        var pi = [Double](repeating: 0, count: size)
        pi[0] = 1
        for j in 1..<size {
            var sum = 0.0
            for i in 0..<j { sum += pi[i] * a[i * size + j] }
            pi[j] = sum
        }
        let total = pi.reduce(0, +)
        return pi.map { $0 / total }
    }

    /// Gauss-Seidel on the balance equations pi(j) E(j) = sum_i pi(i) R(i, j), normalised after
    /// each sweep, until no entry changes by more than precision/100 (or a few ulps, below which
    /// rounding noise would keep it going forever).
    private static func gaussSeidel(
        rates: SparseMatrix, chain: EmbeddedChain, members: [Int32], local: [Int32: Int],
        precision: Double, maxIterations: Int, deadline: SolverDeadline
    ) throws(NumericsError) -> [Double] {
        let size = members.count
        // Incoming rates in local indices.
        var incomingStart = [Int](repeating: 0, count: size + 1)
        var exits = [Double](repeating: 0, count: size)
        for (i, state) in members.enumerated() {
            let s = Int(state)
            exits[i] = chain.exitRates[s]
            for entry in rates.rowStart[s]..<rates.rowStart[s + 1] {
                guard let j = local[rates.columns[entry]], j != i, rates.values[entry] > 0 else { continue }
                incomingStart[j + 1] += 1
            }
        }
        for j in 0..<size { incomingStart[j + 1] += incomingStart[j] }
        var next = incomingStart
        var sources = [Int](repeating: 0, count: incomingStart[size])
        var incomingRates = [Double](repeating: 0, count: incomingStart[size])
        for (i, state) in members.enumerated() {
            let s = Int(state)
            for entry in rates.rowStart[s]..<rates.rowStart[s + 1] {
                guard let j = local[rates.columns[entry]], j != i, rates.values[entry] > 0 else { continue }
                sources[next[j]] = i
                incomingRates[next[j]] = rates.values[entry]
                next[j] += 1
            }
        }
        var pi = [Double](repeating: 1 / Double(size), count: size)
        var previous = pi
        for sweep in 1...max(1, maxIterations) {
            if sweep & 15 == 0 { try deadline.check() }
            for j in 0..<size {
                var inflow = 0.0
                for position in incomingStart[j]..<incomingStart[j + 1] {
                    inflow += pi[sources[position]] * incomingRates[position]
                }
                pi[j] = inflow / exits[j]
            }
            let total = pi.reduce(0, +)
            var change = 0.0
            for j in 0..<size {
                pi[j] /= total
                change = max(change, abs(pi[j] - previous[j]))
            }
            if change <= max(precision / 100, 8 * Double.ulpOfOne) { return pi }
            if sweep == maxIterations { throw .didNotConverge(iterations: sweep, residual: change) }
            previous = pi
        }
        return pi
    }
}
