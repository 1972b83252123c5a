/// Long-run behaviour of finite CTMCs.
public enum SteadyState {
    /// Long-run distribution from the initial distribution: BSCC decomposition (iterative Tarjan,
    /// no recursion: chains have millions of states), stationary distribution of each BSCC, and the
    /// probability of reaching each BSCC.
    ///
    /// The mass reaching each BSCC is pushed forward along the embedded chain component by
    /// component in topological order (`AbsorptionMass`); each BSCC's stationary distribution comes
    /// from `StationaryDistribution`. Unlike the transient solver this is not certified: the
    /// iterative parts stop on small changes (see there) and the mass they leave behind (at most
    /// precision/100 in total per transient component) is dropped.
    public static func distribution(
        rates: SparseMatrix, initial: [Double], precision: Double, maxIterations: Int = 1_000_000,
        deadline: SolverDeadline = .none
    ) throws(NumericsError) -> [Double] {
        let n = rates.rowCount
        try rates.validateRates()
        try Uniformization.validate(initial: initial, count: n)
        try Reachability.validate(precision: precision)
        let components = StronglyConnectedComponents(graph: rates)
        let chain = EmbeddedChain(rates: rates)
        let absorbed = try AbsorptionMass.compute(
            chain: chain, components: components, initial: initial, precision: precision,
            maxIterations: maxIterations, deadline: deadline)
        var result = [Double](repeating: 0, count: n)
        for c in 0..<components.count where components.isBottom[c] && absorbed[c] > 0 {
            let members = Array(components.members(of: c))
            let stationary = try StationaryDistribution.compute(
                rates: rates, chain: chain, members: members, componentOf: components.componentOf,
                component: Int32(c), precision: precision, maxIterations: maxIterations, deadline: deadline)
            for (index, state) in members.enumerated() {
                result[Int(state)] = absorbed[c] * stationary[index]
            }
        }
        return result
    }
}

/// How much of the initial mass ends in each bottom component.
enum AbsorptionMass {
    /// Mass per component (non-zero only for bottom ones). Transient components are processed in
    /// topological order (Tarjan numbers them in reverse), so each receives all its mass before it
    /// passes it on; inside a non-trivial transient component mass is pushed around in Gauss-Seidel
    /// sweeps until what stays in it is below precision/100 of what entered it.
    static func compute(
        chain: EmbeddedChain, components: StronglyConnectedComponents, initial: [Double],
        precision: Double, maxIterations: Int, deadline: SolverDeadline
    ) throws(NumericsError) -> [Double] {
        var mass = initial
        var absorbed = [Double](repeating: 0, count: components.count)
        for c in stride(from: components.count - 1, through: 0, by: -1) {
            let members = components.members(of: c)
            if components.isBottom[c] {
                for state in members { absorbed[c] += mass[Int(state)] }
                continue
            }
            var entered = 0.0
            for state in members { entered += mass[Int(state)] }
            if entered == 0 { continue }
            let threshold = entered * precision / 100
            var remaining = entered
            var sweeps = 0
            while remaining > threshold {
                guard sweeps < maxIterations else {
                    throw .didNotConverge(iterations: sweeps, residual: remaining)
                }
                sweeps += 1
                if sweeps & 15 == 0 { try deadline.check() }
                for state in members {
                    let s = Int(state)
                    let m = mass[s]
                    if m == 0 { continue }
                    mass[s] = 0
                    for entry in chain.rowStart[s]..<chain.rowStart[s + 1] {
                        let p = chain.probabilities[entry]
                        if p > 0 { mass[Int(chain.columns[entry])] += m * p }
                    }
                }
                remaining = 0
                for state in members { remaining += mass[Int(state)] }
            }
            for state in members { mass[Int(state)] = 0 }
        }
        return absorbed
    }
}
