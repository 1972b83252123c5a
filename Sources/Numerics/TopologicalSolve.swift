// Certified solution of x = c + P x on the "maybe" states of an embedded chain (P(allowed U
// target) with c = probability of jumping into the target, expected rewards with c = reward per
// visit), one strongly connected component at a time in reverse topological order, so that each
// component only sees already bounded successors.
//
// Per component C (A = I - P_CC, a nonsingular M-matrix: the chain leaves C with probability 1):
// - one state: x = c + sum_j p_j x_j with bounds of the successors, rounded outwards;
// - otherwise an approximate solve of A x = b_mid (b from the successors' bounds) and of A t = 1
//   (t = expected jumps to leave C): dense GTH elimination up to `denseLimit` states, else GMRES
//   with a Gauss-Seidel preconditioner (`KrylovSolve`), Gauss-Seidel sweeps as the fallback.
//   The answer is then certified whatever produced it: A^-1 >= 0, so with certified residual
//   bounds |A t^ - 1| <= delta and |A x^ - b_mid| <= rho (rounding of P = R/E and of the residual
//   itself included), t <= t^/(1 - delta) and |x - x^| <= rho t. The successors' widths enter as
//   kappa = max_s (b_hi - b_lo)_s / (2 e_s), e_s the probability of leaving C in one jump, since
//   A^-1 e = 1: they pass through a component without being multiplied by its mixing time.
// - interval-iteration sweeps (Gauss-Seidel, monotone, margins 2(d + 3)u as in `Reachability`)
//   then tighten the certified bounds while they improve: F maps a lower bound to a lower bound.

struct TopologicalSolve {
    /// Components up to this size may be solved by dense elimination (sparse ones go to Krylov).
    static let denseLimit = 400

    let chain: EmbeddedChain
    /// States whose value is computed; every other state's value is fixed in `lower`/`upper`.
    let maybe: [Bool]
    /// The constant term c(s) >= 0 of each maybe state.
    let constant: [Double]
    /// Values are at most this (1 for probabilities).
    let cap: Double
    let precision: Double
    let deadline: SolverDeadline

    struct Outcome {
        var sweeps: Int
        /// Largest certified width over the maybe states, relative to max(1, lower).
        var width: Double
    }

    /// Fills lower/upper on the maybe states (they hold the fixed values elsewhere).
    func run(lower: inout [Double], upper: inout [Double]) throws(NumericsError) -> Outcome {
        let n = chain.stateCount
        let graph = SparseMatrix(rowStart: chain.rowStart, columns: chain.columns, values: chain.probabilities)
        let components = StronglyConnectedComponents(graph: graph, include: maybe)
        var local = [Int32](repeating: -1, count: n)
        var sweeps = 0
        var width = 0.0
        for c in 0..<components.count {
            let members = components.members(of: c)
            guard let first = members.first, maybe[Int(first)] else { continue }
            if members.count == 1 {
                let s = Int(first)
                let (low, high) = rowBounds(s, lower: lower, upper: upper)
                lower[s] = low
                upper[s] = high
                width = max(width, (high - low) / max(1, low))
                continue
            }
            try deadline.check()
            for (position, state) in members.enumerated() { local[Int(state)] = Int32(position) }
            var component = ComponentSystem(
                chain: chain, members: Array(members), local: local, componentOf: components.componentOf,
                component: Int32(truncatingIfNeeded: c))
            let result = try component.solve(
                constant: constant, cap: cap, precision: precision, lower: &lower, upper: &upper,
                deadline: deadline)
            sweeps += result.sweeps
            width = max(width, result.width)
            for state in members { local[Int(state)] = -1 }
        }
        return Outcome(sweeps: sweeps, width: width)
    }

    /// Bounds for a state all of whose successors are bounded already.
    private func rowBounds(_ s: Int, lower: [Double], upper: [Double]) -> (Double, Double) {
        chain.rowBounds(s, constant: constant, cap: cap, lower: lower, upper: upper)
    }
}

extension EmbeddedChain {
    /// `constant[s] + sum_j P[s][j] x[j]` from below and above for `x` in `[lower, upper]`, widened
    /// by the row's rounding allowance and clamped to `[0, cap]`: one certified Gauss-Seidel step.
    func rowBounds(_ s: Int, constant: [Double], cap: Double, lower: [Double], upper: [Double]) -> (Double, Double) {
        var low = constant[s]
        var high = constant[s]
        for entry in rowStart[s]..<rowStart[s + 1] {
            let p = probabilities[entry]
            if p == 0 { continue }
            let j = Int(columns[entry])
            low += p * lower[j]
            high += p * upper[j]
        }
        let margin = 2 * Double(degrees[s] + 3) * unitRoundoff
        return (max(0, low * (1 - margin)), min(cap, high * (1 + margin)))
    }
}

/// One strongly connected component's system A x = b, A = I - P_CC, in local numbering.
struct ComponentSystem {
    let members: [Int32]
    /// Local CSR of P_CC (probabilities within the component, self-loops excluded).
    var rowStart: [Int]
    var columns: [Int32]
    var probabilities: [Double]
    /// Rounding margin of each row, 2(d + 3)u.
    var margins: [Double]
    /// Probability of leaving the component in one jump.
    var exit: [Double]
    let chain: EmbeddedChain
    /// Component numbers of all states (shared, not copied) and this component's.
    let componentOf: [Int32]
    let component: Int32

    init(chain: EmbeddedChain, members: [Int32], local: [Int32], componentOf: [Int32], component: Int32) {
        self.chain = chain
        self.members = members
        self.componentOf = componentOf
        self.component = component
        let m = members.count
        var rowStart = [Int](repeating: 0, count: m + 1)
        var columns: [Int32] = []
        var probabilities: [Double] = []
        var margins = [Double](repeating: 0, count: m)
        var exit = [Double](repeating: 0, count: m)
        for (i, state) in members.enumerated() {
            let s = Int(state)
            for entry in chain.rowStart[s]..<chain.rowStart[s + 1] {
                let p = chain.probabilities[entry]
                if p == 0 { continue }
                let j = local[Int(chain.columns[entry])]
                if j >= 0 {
                    columns.append(j)
                    probabilities.append(p)
                } else {
                    exit[i] += p
                }
            }
            rowStart[i + 1] = columns.count
            margins[i] = 2 * Double(chain.degrees[s] + 3) * unitRoundoff
        }
        self.rowStart = rowStart
        self.columns = columns
        self.probabilities = probabilities
        self.margins = margins
        self.exit = exit
    }

    var size: Int { members.count }

    /// y = A v.
    func apply(_ v: [Double], into y: inout [Double]) {
        for i in 0..<size {
            var sum = v[i]
            for entry in rowStart[i]..<rowStart[i + 1] { sum -= probabilities[entry] * v[Int(columns[entry])] }
            y[i] = sum
        }
    }

    /// Certified bound on max_i |(A_true v - b_true)_i|: the computed residual plus the rounding of
    /// P = R/E and of the sum itself. With `uncertainB`, b_true_i lies in b_i (1 +- (2 margin_i +
    /// 4u)) (the successors' contribution, rounded); else b is exact.
    func residualBound(_ v: [Double], _ b: [Double], uncertainB: Bool) -> Double {
        var worst = 0.0
        for i in 0..<size {
            var sum = v[i] - b[i]
            var magnitude = abs(v[i]) + abs(b[i])
            for entry in rowStart[i]..<rowStart[i + 1] {
                let term = probabilities[entry] * v[Int(columns[entry])]
                sum -= term
                magnitude += abs(term)
            }
            let bSlack = uncertainB ? 2 * margins[i] + 4 * unitRoundoff : 0
            let bound = abs(sum) + margins[i] * magnitude + bSlack * abs(b[i])
            worst = max(worst, bound * (1 + 4 * unitRoundoff))
        }
        return worst
    }

    mutating func solve(
        constant: [Double], cap: Double, precision: Double, lower: inout [Double], upper: inout [Double],
        deadline: SolverDeadline
    ) throws(NumericsError) -> (sweeps: Int, width: Double) {
        let m = size
        // The successors' contribution, bounded from both sides.
        var bMid = [Double](repeating: 0, count: m)
        var bFinite = true
        var kappa = 0.0
        for (i, state) in members.enumerated() {
            let s = Int(state)
            var low = constant[s]
            var high = constant[s]
            for entry in chain.rowStart[s]..<chain.rowStart[s + 1] {
                let p = chain.probabilities[entry]
                if p == 0 { continue }
                let j = Int(chain.columns[entry])
                // Members have no value yet; their lower bounds are still the initial ones.
                if isMember(j) { continue }
                low += p * lower[j]
                high += p * upper[j]
            }
            bFinite = bFinite && high.isFinite
            bMid[i] = 0.5 * (low + high)
            // b_true lies in [low (1 - margin), high (1 + margin)]: relative to bMid, its distance
            // is at most half the width (counted in kappa) plus twice the margin (residualBound).
            if high > low {
                guard exit[i] > 0 else { throw .didNotConverge(iterations: 0, residual: .infinity) }
                let half = (high - low) * 0.5 * (1 + 4 * unitRoundoff)
                kappa = max(kappa, half / (exit[i] * (1 - margins[i])) * (1 + 4 * unitRoundoff))
            }
        }
        guard kappa.isFinite, bFinite else {
            throw .invalidArgument("a component's successors have unbounded values")
        }
        var sweeps = 0
        var x: [Double]
        var t: [Double]
        // Dense elimination costs m^3/3; a Krylov iteration about 2 (entries + m) products, and a
        // solve some hundreds of them: dense only where it is not much dearer.
        let cube = Double(m) * Double(m) * Double(m)
        if m <= TopologicalSolve.denseLimit && cube <= 1_000 * Double(probabilities.count + m) {
            let lu = DenseGTH(self)
            x = lu.solve(bMid)
            t = lu.solve([Double](repeating: 1, count: m))
        } else {
            let krylov = KrylovSolve(system: self)
            let solvedX = try krylov.solve(bMid, deadline: deadline)
            // t only scales the error bound: a residual of 1e-6 inflates it by a millionth.
            let solvedT = try krylov.solve([Double](repeating: 1, count: m), tolerance: 1e-6, deadline: deadline)
            x = solvedX.x
            t = solvedT.x
            sweeps += solvedX.iterations + solvedT.iterations
        }
        let delta = residualBound(t, [Double](repeating: 1, count: m), uncertainB: false)
        let rho = residualBound(x, bMid, uncertainB: true)
        var width = 0.0
        let certified = delta < 0.5 && t.allSatisfy { $0.isFinite } && x.allSatisfy { $0.isFinite }
        for (i, state) in members.enumerated() {
            let s = Int(state)
            if certified {
                let tHigh = max(1, t[i]) / (1 - delta) * (1 + 4 * unitRoundoff)
                let error = (rho * tHigh + kappa) * (1 + 4 * unitRoundoff)
                lower[s] = max(0, (x[i] - error) * (1 - 2 * unitRoundoff))
                upper[s] = min(cap, (x[i] + error) * (1 + 2 * unitRoundoff))
            } else {
                lower[s] = 0
                upper[s] = cap
            }
            width = max(width, (upper[s] - lower[s]) / max(1, lower[s]))
        }
        // Interval-iteration sweeps from the certified bounds, while they still help (without a
        // certificate, from [0, cap]: plain interval iteration).
        let maxSweeps = certified ? 200 : 1_000_000
        let stallLimit = certified ? 3 : Reachability.stallLimit
        var best = width
        var stalled = 0
        var extraSweeps = 0
        while width > precision && stalled < stallLimit && extraSweeps < maxSweeps {
            if extraSweeps & 15 == 0 { try deadline.check() }
            extraSweeps += 1
            width = sweep(constant: constant, cap: cap, lower: &lower, upper: &upper)
            if width < best * (certified ? 0.99 : 0.999) {
                best = width
                stalled = 0
            } else {
                stalled += 1
            }
        }
        sweeps += extraSweeps
        if !width.isFinite || width > max(precision, 1e-6) {
            throw .didNotConverge(iterations: sweeps, residual: width)
        }
        return (sweeps, width)
    }

    @inline(__always)
    private func isMember(_ state: Int) -> Bool { componentOf[state] == component }

    /// One Gauss-Seidel interval-iteration sweep over the component; returns the largest width.
    private func sweep(constant: [Double], cap: Double, lower: inout [Double], upper: inout [Double]) -> Double {
        var width = 0.0
        for state in members {
            let s = Int(state)
            let (low, high) = chain.rowBounds(s, constant: constant, cap: cap, lower: lower, upper: upper)
            lower[s] = max(lower[s], low)
            upper[s] = min(upper[s], high)
            width = max(width, (upper[s] - lower[s]) / max(1, lower[s]))
        }
        return width
    }
}
