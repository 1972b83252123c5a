// Dense LU factorisation of a small strongly connected component's A = I - P_CC, for
// `TopologicalSolve`. No pivoting is needed: A is a nonsingular M-matrix and its Schur complements
// stay M-matrices. The pivots are formed as sums of outgoing probabilities (Grassmann, Taksar and
// Heyman), so nothing cancels. The solution is only an approximation here: `TopologicalSolve`
// certifies it from its residual, whatever its accuracy.

struct DenseGTH {
    let size: Int
    /// Row-major; L's multipliers below the diagonal (unit diagonal implied), U on and above it.
    private var factors: [Double]

    init(_ system: ComponentSystem) {
        let m = system.size
        size = m
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            a[i * m + i] = 1
            for entry in system.rowStart[i]..<system.rowStart[i + 1] {
                a[i * m + Int(system.columns[entry])] -= system.probabilities[entry]
            }
        }
        // What each row of the partly eliminated chain sends out of the component.
        var exitMass = system.exit
        a.withUnsafeMutableBufferPointer { a in
            for k in 0..<m {
                var pivot = exitMass[k]
                for j in (k + 1)..<max(k + 1, m) { pivot -= a[k * m + j] }
                // A pivot that is not positive means the component is not left a.s. (cannot
                // happen for the maybe states); the residual check then refuses the result.
                if !(pivot > 0) { pivot = Double.leastNormalMagnitude }
                a[k * m + k] = pivot
                for i in (k + 1)..<max(k + 1, m) {
                    let entry = a[i * m + k]
                    if entry == 0 { continue }
                    let factor = entry / pivot
                    a[i * m + k] = factor
                    exitMass[i] -= factor * exitMass[k]
                    for j in (k + 1)..<m { a[i * m + j] -= factor * a[k * m + j] }
                }
            }
        }
        factors = a
    }

    func solve(_ b: [Double]) -> [Double] {
        let m = size
        var v = b
        factors.withUnsafeBufferPointer { a in
            for i in 0..<m {
                var sum = v[i]
                for k in 0..<i { sum -= a[i * m + k] * v[k] }
                v[i] = sum
            }
            for k in stride(from: m - 1, through: 0, by: -1) {
                var sum = v[k]
                for j in (k + 1)..<max(k + 1, m) { sum -= a[k * m + j] * v[j] }
                v[k] = sum / a[k * m + k]
            }
        }
        return v
    }
}
