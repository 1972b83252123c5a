// Where a gather product reads the probabilities of its entries and of the diagonal: stored in
// full, or as 16-bit codes into a table (`ValueCoding`). One protocol for both product kernels
// (`PoissonMixture`'s and the restricted `boundedReach`'s), so each is specialised per layout.

/// Where the probabilities of the entries and the diagonal come from.
protocol GatherValues: Sendable {
    func entry(_ index: Int) -> Double
    func diagonal(_ state: Int) -> Double
}

struct DirectValues: GatherValues, @unchecked Sendable {
    let probabilities: UnsafePointer<Double>
    let diagonal: UnsafePointer<Double>

    @inline(__always) func entry(_ index: Int) -> Double { probabilities[index] }
    @inline(__always) func diagonal(_ state: Int) -> Double { diagonal[state] }
}

struct CodedValues: GatherValues, @unchecked Sendable {
    let entryTable: UnsafePointer<Double>
    let entryCodes: UnsafePointer<UInt16>
    let diagonalTable: UnsafePointer<Double>
    let diagonalCodes: UnsafePointer<UInt16>

    @inline(__always) func entry(_ index: Int) -> Double { entryTable[Int(entryCodes[index])] }
    @inline(__always) func diagonal(_ state: Int) -> Double { diagonalTable[Int(diagonalCodes[state])] }
}
