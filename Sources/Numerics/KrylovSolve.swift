// BiCGSTAB for a large strongly connected component's A x = b (A = I - P_CC), for
// `TopologicalSolve`, right-preconditioned by a symmetric Gauss-Seidel sweep (forward, then
// backward: M = (I - L)(I - U)), which follows the chain in either direction, so a cycle or a
// path is nearly solved by the preconditioner alone; the Krylov iteration removes the few slow
// modes (a component that is left rarely) that make value iteration creep. No restarts: a
// diffusive chain needs a long recurrence. The result is only an approximation, the best one by
// true residual; `TopologicalSolve` certifies it from that residual.

struct KrylovSolve {
    let system: ComponentSystem
    static let maxIterations = 50_000

    /// z = M^-1 z in place.
    private func precondition(_ z: inout [Double]) {
        let s = system
        z.withUnsafeMutableBufferPointer { z in
            s.rowStart.withUnsafeBufferPointer { rowStart in
                s.columns.withUnsafeBufferPointer { columns in
                    s.probabilities.withUnsafeBufferPointer { probabilities in
                        for i in 0..<s.size {
                            var sum = z[i]
                            for entry in rowStart[i]..<rowStart[i + 1] {
                                let j = Int(columns[entry])
                                if j < i { sum += probabilities[entry] * z[j] }
                            }
                            z[i] = sum
                        }
                        for i in stride(from: s.size - 1, through: 0, by: -1) {
                            var sum = z[i]
                            for entry in rowStart[i]..<rowStart[i + 1] {
                                let j = Int(columns[entry])
                                if j > i { sum += probabilities[entry] * z[j] }
                            }
                            z[i] = sum
                        }
                    }
                }
            }
        }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    private func largest(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

    /// Stops at the rounding floor of the residual, or once it is below `tolerance` times the
    /// largest |b_i| (a solve whose result only needs a few digits, such as the exit times).
    func solve(_ b: [Double], tolerance: Double = 0, deadline: SolverDeadline) throws(NumericsError) -> (
        x: [Double], iterations: Int
    ) {
        let m = system.size
        var x = [Double](repeating: 0, count: m)
        var r = b
        var shadow = b
        var p = [Double](repeating: 0, count: m)
        var v = [Double](repeating: 0, count: m)
        var pHat = [Double](repeating: 0, count: m)
        var sHat = [Double](repeating: 0, count: m)
        var t = [Double](repeating: 0, count: m)
        var rho = 1.0
        var alpha = 1.0
        var omega = 1.0
        let scale = max(largest(b), Double.leastNormalMagnitude)
        var best = x
        var bestResidual = largest(b)
        var lastImprovement = 0
        var iterations = 0
        /// Recomputes r = b - A x (the recursion drifts) and restarts the recurrence from it.
        func restart() {
            system.apply(x, into: &t)
            for i in 0..<m { r[i] = b[i] - t[i] }
            shadow = r
            for i in 0..<m {
                p[i] = 0
                v[i] = 0
            }
            rho = 1
            alpha = 1
            omega = 1
        }
        while iterations < Self.maxIterations {
            if iterations & 15 == 0 { try deadline.check() }
            iterations += 1
            let rhoNext = dot(shadow, r)
            if rhoNext == 0 || !rhoNext.isFinite {
                restart()
                if largest(r) == 0 { break }
                continue
            }
            let beta = (rhoNext / rho) * (alpha / omega)
            for i in 0..<m { p[i] = r[i] + beta * (p[i] - omega * v[i]) }
            pHat = p
            precondition(&pHat)
            system.apply(pHat, into: &v)
            let shadowV = dot(shadow, v)
            guard shadowV != 0, shadowV.isFinite else {
                restart()
                continue
            }
            alpha = rhoNext / shadowV
            // s = r - alpha v, kept in r.
            for i in 0..<m { r[i] -= alpha * v[i] }
            sHat = r
            precondition(&sHat)
            system.apply(sHat, into: &t)
            let tt = dot(t, t)
            omega = tt > 0 ? dot(t, r) / tt : 0
            for i in 0..<m {
                x[i] += alpha * pHat[i] + omega * sHat[i]
                r[i] -= omega * t[i]
            }
            rho = rhoNext
            if omega == 0 || !omega.isFinite { restart() }
            // Checkpoints on the true residual: keep the best iterate, stop at rounding's floor
            // or when nothing improved for a long while.
            let recursive = largest(r)
            if iterations % 25 == 0 || recursive <= max(4 * unitRoundoff, tolerance) * scale {
                system.apply(x, into: &t)
                var trueResidual = 0.0
                for i in 0..<m { trueResidual = max(trueResidual, abs(b[i] - t[i])) }
                guard trueResidual.isFinite else { break }
                if trueResidual < 0.5 * bestResidual {
                    lastImprovement = iterations
                }
                if trueResidual < bestResidual {
                    bestResidual = trueResidual
                    best = x
                }
                if trueResidual <= max(4 * unitRoundoff * (2 * largest(x) + scale), tolerance * scale) { break }
                if iterations - lastImprovement > 2_000 { break }
                // The recursion has lost touch with the true residual: start again from x.
                if recursive < 0.01 * trueResidual { restart() }
            }
        }
        return (best, iterations)
    }
}
