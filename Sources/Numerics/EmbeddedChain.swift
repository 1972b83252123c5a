/// The embedded jump chain of a CTMC: P(s, s') = R(s, s') / E(s) for s' != s, in the same layout
/// as the rate matrix (self-loops and zero rates get probability 0), plus the predecessor lists
/// that the graph precomputations walk backwards.
struct EmbeddedChain {
    var rowStart: [Int]
    var columns: [Int32]
    var probabilities: [Double]
    /// Computed exit rates E(s) (0 for states without transitions).
    var exitRates: [Double]
    /// Number of positive entries per row: each probability carries a relative rounding error of
    /// at most (degree + 1) u.
    var degrees: [Int]
    var maxDegree: Int
    /// Predecessors of j: predecessors[predecessorStart[j] ..< predecessorStart[j + 1]].
    var predecessorStart: [Int]
    var predecessors: [Int32]

    var stateCount: Int { exitRates.count }

    /// `rates` must have been validated.
    init(rates: SparseMatrix) {
        let n = rates.rowCount
        var exitRates = [Double](repeating: 0, count: n)
        var degrees = [Int](repeating: 0, count: n)
        var probabilities = [Double](repeating: 0, count: rates.entryCount)
        var predecessorStart = [Int](repeating: 0, count: n + 1)
        for row in 0..<n {
            var sum = 0.0
            var degree = 0
            for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                let column = Int(rates.columns[entry])
                let value = rates.values[entry]
                if column == row || value == 0 { continue }
                sum += value
                degree += 1
                predecessorStart[column + 1] += 1
            }
            exitRates[row] = sum
            degrees[row] = degree
            if sum > 0 {
                for entry in rates.rowStart[row]..<rates.rowStart[row + 1] {
                    let column = Int(rates.columns[entry])
                    if column == row { continue }
                    probabilities[entry] = rates.values[entry] / sum
                }
            }
        }
        for j in 0..<n { predecessorStart[j + 1] += predecessorStart[j] }
        var next = predecessorStart
        var predecessors = [Int32](repeating: 0, count: predecessorStart[n])
        for row in 0..<n {
            for entry in rates.rowStart[row]..<rates.rowStart[row + 1] where probabilities[entry] > 0 {
                let column = Int(rates.columns[entry])
                predecessors[next[column]] = Int32(truncatingIfNeeded: row)
                next[column] += 1
            }
        }
        self.rowStart = rates.rowStart
        self.columns = rates.columns
        self.probabilities = probabilities
        self.exitRates = exitRates
        self.degrees = degrees
        self.maxDegree = degrees.max() ?? 0
        self.predecessorStart = predecessorStart
        self.predecessors = predecessors
    }

    /// States that can reach a state in `from` backwards through states with `through[s] == true`
    /// (the `from` states themselves included).
    func backwardReachable(from: [Bool], through: [Bool]) -> [Bool] {
        var reached = from
        var queue: [Int32] = []
        queue.reserveCapacity(stateCount)
        for state in 0..<stateCount where from[state] { queue.append(Int32(truncatingIfNeeded: state)) }
        var head = 0
        while head < queue.count {
            let j = Int(queue[head])
            head += 1
            for position in predecessorStart[j]..<predecessorStart[j + 1] {
                let i = Int(predecessors[position])
                if !reached[i] && through[i] {
                    reached[i] = true
                    queue.append(Int32(truncatingIfNeeded: i))
                }
            }
        }
        return reached
    }

    /// prob0/prob1 for P(allowed U target): `no` states reach target with probability 0, `yes`
    /// states with probability 1 (Baier and Katoen, Principles of Model Checking, 10.1.1).
    func qualitativeUntil(allowed: [Bool], target: [Bool]) -> (no: [Bool], yes: [Bool]) {
        let n = stateCount
        let between = (0..<n).map { allowed[$0] && !target[$0] }
        let canReach = backwardReachable(from: target, through: between)
        let no = canReach.map { !$0 }
        let maybeOrYes = (0..<n).map { between[$0] && canReach[$0] }
        let canFail = backwardReachable(from: no, through: maybeOrYes)
        let yes = (0..<n).map { target[$0] || (maybeOrYes[$0] && !canFail[$0]) }
        return (no, yes)
    }
}
