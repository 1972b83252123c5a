// A direct solve of the expected-reward system (I - P) x = r on the states that reach the target,
// for chains where value iteration stalls (expected hitting times so large that the iterates
// creep, e.g. a bounded queue that is rarely full).
//
// The matrix is stored as a band in the states' own order (exploration order keeps birth-death
// and queueing chains narrow), and eliminated without pivoting: I - P restricted to states that
// reach the target is a nonsingular M-matrix, whose Schur complements stay M-matrices, so no
// pivot vanishes; the pivots are formed as sums of outgoing probabilities (Grassmann, Taksar and
// Heyman), so nothing cancels and the solution has small componentwise relative error. The
// result is bounded by the smaller of that relative error estimate and an a-posteriori bound:
// with A = I - P, A^{-1} >= 0, so for the residual rho = A x^ - r, |x - x^| <= max|rho| * t, where
// t = A^{-1} 1 is the expected number of jumps to the target. These bounds are numerical, not
// the certified ones of sound value iteration.

struct BandedHittingSolve {
    /// Band storage bigger than this (in doubles) or more elimination work than `maxWork` is not
    /// attempted.
    static let maxStorage = 12_000_000
    static let maxWork = 3_000_000_000.0

    /// Bounds on the expected reward for the `maybe` states (ascending indices), or nil when
    /// the band is too wide or the solve fails.
    static func solve(
        chain: EmbeddedChain, maybe: [Int32], visitReward: [Double]
    ) -> (lower: [Double], upper: [Double])? {
        let m = maybe.count
        var local = [Int32](repeating: -1, count: chain.stateCount)
        for (position, state) in maybe.enumerated() { local[Int(state)] = Int32(position) }
        var below = 0
        var above = 0
        for (i, state) in maybe.enumerated() {
            let s = Int(state)
            for entry in chain.rowStart[s]..<chain.rowStart[s + 1] where chain.probabilities[entry] > 0 {
                let j = Int(local[Int(chain.columns[entry])])
                if j < 0 { continue }
                below = max(below, i - j)
                above = max(above, j - i)
            }
        }
        let width = below + above + 1
        guard m * width <= maxStorage, Double(m) * Double(below + 1) * Double(above + 1) <= maxWork else {
            return nil
        }
        var band = [Double](repeating: 0, count: m * width)
        // Probability of jumping out of the maybe states (into the target), per row of the
        // partly eliminated chain: the pivots are computed from it (GTH), without cancellation.
        var exitMass = [Double](repeating: 0, count: m)
        for (i, state) in maybe.enumerated() {
            let s = Int(state)
            band[i * width + below] = 1
            for entry in chain.rowStart[s]..<chain.rowStart[s + 1] where chain.probabilities[entry] > 0 {
                let j = Int(local[Int(chain.columns[entry])])
                if j < 0 {
                    exitMass[i] += chain.probabilities[entry]
                    continue
                }
                band[i * width + (j - i + below)] -= chain.probabilities[entry]
            }
        }
        // LU factorisation in place: row i's column j lives at band[i * width + j - i + below];
        // the multipliers take the place of the eliminated entries.
        for k in 0..<m {
            let lastRow = min(m - 1, k + below)
            let lastColumn = min(m - 1, k + above)
            // GTH: 1 - P'(k, k) is what row k of the eliminated chain sends elsewhere.
            var pivot = exitMass[k]
            if k + 1 <= lastColumn {
                for j in (k + 1)...lastColumn { pivot -= band[k * width + (j - k + below)] }
            }
            guard pivot > 0, pivot.isFinite else { return nil }
            band[k * width + below] = pivot
            if k + 1 <= lastRow {
                for i in (k + 1)...lastRow {
                    let factor = band[i * width + (k - i + below)] / pivot
                    band[i * width + (k - i + below)] = factor
                    exitMass[i] -= factor * exitMass[k]
                    if factor == 0 || k + 1 > lastColumn { continue }
                    for j in (k + 1)...lastColumn {
                        band[i * width + (j - i + below)] -= factor * band[k * width + (j - k + below)]
                    }
                }
            }
        }
        func substitute(_ v: inout [Double]) {
            for i in 0..<m {
                var sum = v[i]
                for k in max(0, i - below)..<i { sum -= band[i * width + (k - i + below)] * v[k] }
                v[i] = sum
            }
            for k in stride(from: m - 1, through: 0, by: -1) {
                var sum = v[k]
                let lastColumn = min(m - 1, k + above)
                if k + 1 <= lastColumn {
                    for j in (k + 1)...lastColumn { sum -= band[k * width + (j - k + below)] * v[j] }
                }
                v[k] = sum / band[k * width + below]
            }
        }
        func residual(_ v: [Double], _ rhs: (Int) -> Double) -> [Double] {
            var result = [Double](repeating: 0, count: m)
            for (i, state) in maybe.enumerated() {
                let s = Int(state)
                var sum = rhs(s) - v[i]
                for entry in chain.rowStart[s]..<chain.rowStart[s + 1] where chain.probabilities[entry] > 0 {
                    let j = Int(local[Int(chain.columns[entry])])
                    if j >= 0 { sum += chain.probabilities[entry] * v[j] }
                }
                result[i] = sum
            }
            return result
        }
        var x = maybe.map { visitReward[Int($0)] }
        var t = [Double](repeating: 1, count: m)
        substitute(&x)
        substitute(&t)
        guard x.allSatisfy({ $0.isFinite && $0 >= 0 }), t.allSatisfy({ $0.isFinite && $0 >= 1 }) else { return nil }
        // Residuals of both solves on the original sparse rows, plus a bound on the rounding of
        // computing them.
        let u = unitRoundoff
        var residualX = 0.0
        var residualT = 0.0
        for (i, state) in maybe.enumerated() {
            let s = Int(state)
            var ax = x[i]
            var at = t[i]
            var magnitudeX = abs(x[i]) + visitReward[s]
            var magnitudeT = abs(t[i]) + 1
            for entry in chain.rowStart[s]..<chain.rowStart[s + 1] where chain.probabilities[entry] > 0 {
                let j = Int(local[Int(chain.columns[entry])])
                if j < 0 { continue }
                let p = chain.probabilities[entry]
                ax -= p * x[j]
                at -= p * t[j]
                magnitudeX += p * abs(x[j])
                magnitudeT += p * abs(t[j])
            }
            let slack = Double(chain.degrees[s] + 4) * u
            residualX = max(residualX, abs(ax - visitReward[s]) + slack * magnitudeX)
            residualT = max(residualT, abs(at - 1) + slack * magnitudeT)
        }
        // t = t^ - A^{-1} rho_t, and |A^{-1} rho_t| <= residualT * t, so t <= t^ / (1 - residualT).
        guard residualT < 0.5 else { return nil }
        var lower = [Double](repeating: 0, count: m)
        var upper = [Double](repeating: 0, count: m)
        for i in 0..<m {
            let tHigh = t[i] / (1 - residualT) * (1 + 4 * u)
            // GTH elimination adds and multiplies non-negative numbers only, so x^ carries a
            // relative error of order (elimination steps along a row x band width) u; the
            // factor 8 m (width + 3) covers the forward and backward sweeps generously. The
            // residual bound is used where it is the smaller one.
            let relative = 8 * Double(m) * Double(width + 3) * u
            let error = min(residualX * tHigh * (1 + 4 * u), relative * x[i])
            lower[i] = max(0, x[i] - error)
            upper[i] = x[i] + error
        }
        return (lower, upper)
    }
}
