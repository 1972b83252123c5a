// TEMPORARY: stand-in for the `numerics` branch (Sources/StaminaEngine/Numerics), with the same
// API, so the engine compiles and its tests run before that branch is merged. Delete on merge.
import Foundation

public struct SparseMatrix: Sendable {
    public var rowStart: [Int]
    public var columns: [Int32]
    public var values: [Double]
    public init(rowStart: [Int], columns: [Int32], values: [Double]) {
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }
    public var rowCount: Int { rowStart.count - 1 }
    public var entryCount: Int { columns.count }
}

public struct SparseMatrixBuilder {
    var rowStart: [Int] = [0]
    var columns: [Int32] = []
    var values: [Double] = []
    public init(expectedRows: Int = 0, expectedEntries: Int = 0) {
        rowStart.reserveCapacity(expectedRows + 1)
        columns.reserveCapacity(expectedEntries)
        values.reserveCapacity(expectedEntries)
    }
    public mutating func append(column: Int32, value: Double) {
        columns.append(column)
        values.append(value)
    }
    public mutating func finishRow() { rowStart.append(columns.count) }
    public consuming func build() -> SparseMatrix {
        SparseMatrix(rowStart: rowStart, columns: columns, values: values)
    }
}

public enum NumericsError: Error, Sendable, Equatable {
    case invalidRate(row: Int, value: Double), invalidArgument(String),
        didNotConverge(iterations: Int, residual: Double)
}

public struct TransientResult: Sendable {
    public var distribution: [Double]
    public var errorBound: Double
    public var iterations: Int
    public var uniformizationRate: Double
}

public struct RewardResult: Sendable {
    public var lower: Double
    public var upper: Double
    public var iterations: Int
}

public enum Uniformization {
    public static func transient(
        rates: SparseMatrix, initial: [Double], time: Double, absorbing: [Bool], accuracy: Double, threads: Int = 1
    ) throws(NumericsError) -> TransientResult {
        let n = rates.rowCount
        var exit = [Double](repeating: 0, count: n)
        for row in 0..<n where !absorbing[row] {
            for k in rates.rowStart[row]..<rates.rowStart[row + 1] where Int(rates.columns[k]) != row {
                exit[row] += rates.values[k]
            }
        }
        let q = Swift.max(exit.max() ?? 0, 1e-12) * 1.02
        var current = initial
        var result = [Double](repeating: 0, count: n)
        var weight = exp(-q * time)
        var cumulative = 0.0
        var k = 0
        // Plain Poisson weights (no Fox-Glynn scaling): fine for the small q*t of the tests.
        while cumulative < 1 - accuracy && k < 100_000 {
            for i in 0..<n { result[i] += weight * current[i] }
            cumulative += weight
            var next = [Double](repeating: 0, count: n)
            for row in 0..<n {
                let mass = current[row]
                if mass == 0 { continue }
                if absorbing[row] {
                    next[row] += mass
                    continue
                }
                next[row] += mass * (1 - exit[row] / q)
                for e in rates.rowStart[row]..<rates.rowStart[row + 1] where Int(rates.columns[e]) != row {
                    next[Int(rates.columns[e])] += mass * rates.values[e] / q
                }
            }
            current = next
            k += 1
            weight *= q * time / Double(k)
        }
        return TransientResult(
            distribution: result, errorBound: Swift.max(0, 1 - cumulative), iterations: k, uniformizationRate: q)
    }
    public static func instantaneousReward(
        rates: SparseMatrix, initial: [Double], time: Double, stateRewards: [Double], accuracy: Double
    ) throws(NumericsError) -> RewardResult {
        throw .invalidArgument("placeholder")
    }
    public static func cumulativeReward(
        rates: SparseMatrix, initial: [Double], time: Double, stateRewards: [Double], accuracy: Double
    ) throws(NumericsError) -> RewardResult {
        throw .invalidArgument("placeholder")
    }
}

public struct ReachabilityBounds: Sendable {
    public var lower: [Double]
    public var upper: [Double]
    public var iterations: Int
}

public enum Reachability {
    public static func until(rates: SparseMatrix, allowed: [Bool], target: [Bool], precision: Double)
        throws(NumericsError) -> ReachabilityBounds
    {
        let n = rates.rowCount
        var x = target.map { $0 ? 1.0 : 0.0 }
        for _ in 0..<100_000 {
            var change = 0.0
            for row in 0..<n where allowed[row] && !target[row] {
                var exit = 0.0
                var sum = 0.0
                for e in rates.rowStart[row]..<rates.rowStart[row + 1] where Int(rates.columns[e]) != row {
                    exit += rates.values[e]
                    sum += rates.values[e] * x[Int(rates.columns[e])]
                }
                let v = exit > 0 ? sum / exit : 0
                change = Swift.max(change, abs(v - x[row]))
                x[row] = v
            }
            if change < precision * 1e-3 { break }
        }
        return ReachabilityBounds(lower: x, upper: x.map { Swift.min(1, $0 + precision) }, iterations: 0)
    }
    public static func expectedReward(rates: SparseMatrix, target: [Bool], stateRewards: [Double], precision: Double)
        throws(NumericsError) -> (lower: [Double], upper: [Double])
    {
        throw .invalidArgument("placeholder")
    }
}

public enum SteadyState {
    public static func distribution(rates: SparseMatrix, initial: [Double], precision: Double) throws(NumericsError)
        -> [Double]
    {
        throw .invalidArgument("placeholder")
    }
}
