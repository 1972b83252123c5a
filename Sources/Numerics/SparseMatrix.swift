// The numerical core of the engine: plain functions over plain arrays (a compressed sparse row
// matrix of rates, vectors of doubles and flags). It must not depend on PRISM, on exploration or on
// anything HTTP: the engine turns a model into these arrays and reads numbers back.

/// Compressed sparse rows. Row = source state.
public struct SparseMatrix: Sendable {
    /// Entries of row `r` are at `rowStart[r] ..< rowStart[r + 1]`; `rowCount + 1` entries.
    public var rowStart: [Int]
    public var columns: [Int32]
    public var values: [Double]

    public init(rowStart: [Int], columns: [Int32], values: [Double]) {
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }

    public var rowCount: Int { max(rowStart.count - 1, 0) }
    public var entryCount: Int { values.count }
}

/// Builds a SparseMatrix row by row (append entries of row r, then finishRow()).
public struct SparseMatrixBuilder {
    private var rowStart: [Int]
    private var columns: [Int32]
    private var values: [Double]

    public init(expectedRows: Int = 0, expectedEntries: Int = 0) {
        rowStart = [0]
        rowStart.reserveCapacity(max(expectedRows, 0) + 1)
        columns = []
        columns.reserveCapacity(max(expectedEntries, 0))
        values = []
        values.reserveCapacity(max(expectedEntries, 0))
    }

    public mutating func append(column: Int32, value: Double) {
        columns.append(column)
        values.append(value)
    }

    public mutating func finishRow() {
        rowStart.append(values.count)
    }

    public consuming func build() -> SparseMatrix {
        SparseMatrix(rowStart: rowStart, columns: columns, values: values)
    }
}

extension SparseMatrix {
    /// Checks the shape and that every rate is finite and non-negative, so the solvers can rely on
    /// it in their loops.
    func validateRates(expectedRows: Int? = nil) throws(NumericsError) {
        guard !rowStart.isEmpty, rowStart[0] == 0, rowStart[rowStart.count - 1] == values.count,
            columns.count == values.count
        else {
            throw .invalidArgument(
                "sparse matrix is malformed: \(rowStart.count) row starts, \(columns.count) columns, "
                    + "\(values.count) values")
        }
        if let expectedRows, expectedRows != rowCount {
            throw .invalidArgument("expected \(expectedRows) rows, the matrix has \(rowCount)")
        }
        let n = rowCount
        for row in 0..<n {
            let start = rowStart[row]
            let end = rowStart[row + 1]
            guard start <= end else {
                throw .invalidArgument("sparse matrix row \(row) has a negative length")
            }
            var exitRate = 0.0
            for entry in start..<end {
                let value = values[entry]
                guard value.isFinite, value >= 0 else { throw .invalidRate(row: row, value: value) }
                let column = Int(columns[entry])
                guard column >= 0, column < n else {
                    throw .invalidArgument("row \(row) has column \(column), outside 0..<\(n)")
                }
                if column != row { exitRate += value }
            }
            guard exitRate.isFinite else {
                throw .invalidArgument("the total exit rate of state \(row) overflows a double")
            }
        }
    }

    /// The transposed matrix (rows become targets): the gather form that lets several threads
    /// compute disjoint parts of a vector-matrix product.
    func transposed() -> SparseMatrix {
        let n = rowCount
        var counts = [Int](repeating: 0, count: n + 1)
        for column in columns { counts[Int(column) + 1] += 1 }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var next = counts
        var newColumns = [Int32](repeating: 0, count: columns.count)
        var newValues = [Double](repeating: 0, count: values.count)
        for row in 0..<n {
            for entry in rowStart[row]..<rowStart[row + 1] {
                let target = Int(columns[entry])
                let position = next[target]
                next[target] = position + 1
                newColumns[position] = Int32(truncatingIfNeeded: row)
                newValues[position] = values[entry]
            }
        }
        return SparseMatrix(rowStart: counts, columns: newColumns, values: newValues)
    }
}
