import Foundation
import StaminaNumerics
import Testing

// Oracles for the numerics tests, written independently of the code under test: closed forms,
// extended-precision Poisson probabilities and a dense matrix exponential.

#if arch(x86_64) && os(Linux)
    /// Extended precision (64-bit significand) for the oracles where it is available.
    typealias OracleFloat = Float80
#else
    typealias OracleFloat = Double
#endif

/// A rate matrix from (source, target, rate) triples.
func rateMatrix(states: Int, _ transitions: [(Int, Int, Double)]) -> SparseMatrix {
    var builder = SparseMatrixBuilder(expectedRows: states, expectedEntries: transitions.count)
    let sorted = transitions.sorted { $0.0 < $1.0 }
    var index = 0
    for row in 0..<states {
        while index < sorted.count && sorted[index].0 == row {
            builder.append(column: Int32(sorted[index].1), value: sorted[index].2)
            index += 1
        }
        builder.finishRow()
    }
    return builder.build()
}

/// P(N = k) for N ~ Poisson(lambda), in log space with lgamma, in extended precision.
func poissonOracle(_ k: Int, _ lambda: Double) -> OracleFloat {
    let l = OracleFloat(lambda)
    let kk = OracleFloat(k)
    let logLambda: OracleFloat = log(l)
    #if arch(x86_64) && os(Linux)
        let logFactorial: OracleFloat = lgammal(kk + 1)
    #else
        let logFactorial: OracleFloat = lgamma(kk + 1)
    #endif
    let exponent: OracleFloat = kk * logLambda - l - logFactorial
    return exp(exponent)
}

/// exp(A t) for a small dense matrix, by scaling and squaring a Taylor series:
/// exp(B) = exp(B / 2^s)^(2^s) with ||B / 2^s|| <= 1/2 and 30 Taylor terms.
func denseExponential(_ matrix: [[Double]], time: Double) -> [[Double]] {
    let n = matrix.count
    var norm = 0.0
    for row in matrix { norm = max(norm, row.reduce(0) { $0 + abs($1) }) }
    var squarings = 0
    var scale = time
    while norm * scale > 0.5 {
        scale /= 2
        squarings += 1
    }
    let a = matrix.map { $0.map { $0 * scale } }
    func multiply(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
        var z = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for k in 0..<n where x[i][k] != 0 {
                for j in 0..<n { z[i][j] += x[i][k] * y[k][j] }
            }
        }
        return z
    }
    var exponential = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    var term = exponential
    for k in 1...30 {
        term = multiply(term, a).map { $0.map { $0 / Double(k) } }
        for i in 0..<n { for j in 0..<n { exponential[i][j] += term[i][j] } }
    }
    for _ in 0..<squarings { exponential = multiply(exponential, exponential) }
    return exponential
}

/// Row vector times exp(Q t).
func denseTransient(generator q: [[Double]], initial: [Double], time: Double) -> [Double] {
    let exponential = denseExponential(q, time: time)
    let n = q.count
    return (0..<n).map { j in (0..<n).reduce(0.0) { $0 + initial[$1] * exponential[$1][j] } }
}

/// Row vector times integral_0^t exp(Q s) ds: the top-right block of exp([[Q, I], [0, 0]] t)
/// (Van Loan, "Computing integrals involving the matrix exponential", 1978).
func denseOccupation(generator q: [[Double]], initial: [Double], time: Double) -> [Double] {
    let n = q.count
    var augmented = [[Double]](repeating: [Double](repeating: 0, count: 2 * n), count: 2 * n)
    for i in 0..<n {
        for j in 0..<n { augmented[i][j] = q[i][j] }
        augmented[i][n + i] = 1
    }
    let exponential = denseExponential(augmented, time: time)
    return (0..<n).map { j in (0..<n).reduce(0.0) { $0 + initial[$1] * exponential[$1][n + j] } }
}

/// Checks the transient certificate against exact values: computed <= exact (up to `slack` for
/// the oracle's own rounding), the summed shortfall within errorBound, and errorBound <= accuracy.
func expectCertified(
    _ result: TransientResult, exact: [Double], accuracy: Double, slack: Double = 1e-15,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var shortfall = 0.0
    for (computed, truth) in zip(result.distribution, exact) {
        #expect(computed >= 0, sourceLocation: sourceLocation)
        #expect(computed <= truth + slack, "computed \(computed) above exact \(truth)", sourceLocation: sourceLocation)
        shortfall += truth - computed
    }
    #expect(
        shortfall <= result.errorBound + slack * Double(exact.count),
        "shortfall \(shortfall) exceeds the error bound \(result.errorBound)", sourceLocation: sourceLocation)
    #expect(result.errorBound <= accuracy, sourceLocation: sourceLocation)
}
