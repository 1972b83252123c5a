// Computes [lower, upper] for a planned query on a truncated CTMC, from the first initial state.
//
// Until with interval [0, t]: one time-bounded reachability solve over the maybe states (phi1 and
// not phi2, able to reach phi2 or the sink) with `!phi1 | phi2` and the sink absorbing;
// lower = mass on phi2 states, upper = mass on phi2 and the sink, both certified.
// [t1, t2] with t1 > 0: first a transient solve to t1 in which `!phi1` states absorb (mass that
// left phi1 before t1 is lost), then the [0, t2 - t1] problem from the phi1 part of that
// distribution; sink mass and solver error of both phases go to the upper bound. Unbounded
// until uses reachability with the sink excluded (lower) or included (upper) in the target.
// Time-bounded rewards (`C<=t`, `I=t`) on a truncated model: the sink earns nothing for the lower
// bound and the structure's `RewardCeiling` for the upper one. The truncated chain's paths are the
// real ones until they enter the sink, so the real expected reward differs from the truncated
// chain's with a zero sink only on paths that entered it, by at most the ceiling per time unit
// spent there. Other steady-state and reward queries are only answered on complete models.
// Transient bounds are certified (Fox-Glynn and rounding errors included); steady-state bounds
// and the direct expected-reward solve are numerical: the interval is the solver's precision
// around its answer, not a proof.

import Foundation
import PRISM
import StaminaNumerics

struct Bounds: Sendable, Equatable {
    var lower: Double
    var upper: Double
}

/// The bounds, and for a time-bounded until the distribution at its upper time bound (lower
/// bounds per state, sink last), which tells where the truncated chain's probability is.
struct CheckOutcome {
    var bounds: Bounds
    var finalDistribution: [Double]? = nil
    /// The bounds from every state (sink excluded), when asked for and the solver gives them.
    var perState: [Bounds]? = nil
}

struct PropertyChecker {
    let ctmc: TruncatedCTMC
    let sets: StateSets
    let initialState: Int
    let accuracy: Double
    let threads: Int
    /// The run's `--time-limit`, which the solvers observe between sweeps.
    var deadline = SolverDeadline.none
    var timeLimitSeconds = 0.0
    /// Also report every state's bounds (`CheckOutcome.perState`) where one solve gives them all.
    var allStates = false

    /// `rewardCeiling`: for a time-bounded reward on a chain that is not complete, the ceiling of
    /// the reward rate of any state (`RewardCeiling`).
    func check(_ query: PropertyPlan.Query, rewards: RewardVectors?, rewardCeiling: Double? = nil)
        throws(EngineError) -> CheckOutcome
    {
        switch query {
        case .until(let a, let b, let interval, let negated):
            let q = try until(a, b, interval)
            let flip = { (b: Bounds) in negated ? Bounds(lower: 1 - b.upper, upper: 1 - b.lower) : b }
            return CheckOutcome(
                bounds: flip(q.bounds), finalDistribution: q.finalDistribution, perState: q.perState?.map(flip))
        case .next(let phi, let interval):
            return CheckOutcome(bounds: try next(phi, interval))
        case .steadyState(let phi):
            return CheckOutcome(bounds: try steadyState(phi))
        case .reward(_, let path):
            guard let rewards else { preconditionFailure("reward vectors are computed before checking rewards") }
            if allStates, case .reachability(let phi) = path {
                let result = try reachabilityReward(phi, rewards)
                return CheckOutcome(
                    bounds: Bounds(lower: result.lower[initialState], upper: result.upper[initialState]),
                    perState: (0..<ctmc.stateCount).map { Bounds(lower: result.lower[$0], upper: result.upper[$0]) })
            }
            return CheckOutcome(bounds: try reward(path, rewards, ceiling: rewardCeiling))
        case .stateFormula(let phi):
            // Exact on every explored state (a frontier state's valuation and deadlock are known).
            let holds = try sets.evaluate(phi)
            let value = { (state: Int) in holds[state] ? Bounds(lower: 1, upper: 1) : Bounds(lower: 0, upper: 0) }
            return CheckOutcome(bounds: value(initialState), perState: (0..<ctmc.stateCount).map(value))
        }
    }

    private func steadyState(_ phi: StateFormula) throws(EngineError) -> Bounds {
        let target = try sets.evaluate(phi)
        let distribution = try numerics { () throws(NumericsError) in
            try SteadyState.distribution(
                rates: ctmc.rates, initial: initialDistribution(), precision: accuracy, deadline: deadline)
        }
        var value = 0.0
        for state in 0..<ctmc.stateCount where target[state] { value += distribution[state] }
        // The steady-state solver is not certified; widen by its stopping precision (it drops at
        // most precision/100 of mass per component).
        return clamp(Bounds(lower: value - accuracy, upper: value + accuracy))
    }

    func initialDistribution() -> [Double] {
        var initial = [Double](repeating: 0, count: ctmc.stateCount + 1)
        initial[initialState] = 1
        return initial
    }

    private func numerics<T>(_ body: () throws(NumericsError) -> T) throws(EngineError) -> T {
        do {
            return try body()
        } catch .timeLimit {
            throw .timeLimit(seconds: timeLimitSeconds)
        } catch {
            throw .numerics(String(describing: error))
        }
    }

    private func transient(_ time: Double, _ initial: [Double], absorbing: [Bool]) throws(EngineError)
        -> TransientResult
    {
        if time == 0 {
            return TransientResult(distribution: initial, errorBound: 0, iterations: 0, uniformizationRate: 0)
        }
        return try numerics { () throws(NumericsError) in
            try Uniformization.transient(
                rates: ctmc.rates, initial: initial, time: time, absorbing: absorbing, accuracy: accuracy,
                threads: threads, deadline: deadline)
        }
    }

    private func until(_ a: StateFormula, _ b: StateFormula, _ interval: TimeBound) throws(EngineError)
        -> CheckOutcome
    {
        let phi1 = try sets.evaluate(a)
        let phi2 = try sets.evaluate(b)
        let n = ctmc.stateCount
        let sink = ctmc.sink
        if let upper = interval.upper, upper < interval.lower {
            return CheckOutcome(bounds: Bounds(lower: 0, upper: 0))
        }
        var start = initialDistribution()
        var lostUpper = 0.0
        if interval.lower > 0 {
            var absorbing = phi1.map { !$0 }
            absorbing[sink] = true
            let phase1 = try transient(interval.lower, start, absorbing: absorbing)
            lostUpper = phase1.distribution[sink] + phase1.errorBound
            start = phase1.distribution
            for state in 0...n where !phi1[state] { start[state] = 0 }
        }
        if let upper = interval.upper {
            // Products over the maybe states only: phi1 & !phi2 states that can reach phi2 or the
            // sink (`Uniformization.boundedReach`). Pmin is the mass in phi2, Pmax the mass in
            // phi2 and the sink.
            var absorbing = [Bool](repeating: false, count: n + 1)
            for state in 0..<n { absorbing[state] = !phi1[state] || phi2[state] }
            absorbing[sink] = true
            var goal = phi2
            // Written only if needed: a write would copy n flags that phi2 still holds.
            if goal[sink] { goal[sink] = false }
            var extra = [Bool](repeating: false, count: n + 1)
            extra[sink] = true
            let time = upper - interval.lower
            // Called outside `numerics`' closure, which would hold `start` for the whole solve: given
            // up (`consume`), its n doubles are freed once the maybe states' part is taken.
            let result: BoundedReachResult
            do {
                result = try Uniformization.boundedReach(
                    rates: ctmc.rates, initial: consume start, time: time, absorbing: absorbing, goal: goal,
                    extra: extra, accuracy: accuracy, threads: threads, deadline: deadline,
                    keepDistribution: !ctmc.isComplete)
            } catch .timeLimit {
                throw .timeLimit(seconds: timeLimitSeconds)
            } catch {
                throw .numerics(String(describing: error))
            }
            // The truncation's heuristics read where the probability is: maybe states and the sink.
            var distribution = result.distribution
            distribution?[sink] = result.extraLower
            return CheckOutcome(
                bounds: clamp(Bounds(lower: result.goalLower, upper: result.upper + lostUpper)),
                finalDistribution: distribution)
        }
        var allowed = [Bool](repeating: false, count: n + 1)
        for state in 0..<n { allowed[state] = phi1[state] && !phi2[state] }
        var targetWithSink = phi2
        targetWithSink[sink] = true
        let withoutSink = try numerics { () throws(NumericsError) in
            try Reachability.until(
                rates: ctmc.rates, allowed: allowed, target: phi2, precision: accuracy, deadline: deadline)
        }
        // A complete model's sink is unreachable: both problems are the same one.
        let withSink =
            ctmc.isComplete
            ? withoutSink
            : try numerics { () throws(NumericsError) in
                try Reachability.until(
                    rates: ctmc.rates, allowed: allowed, target: targetWithSink, precision: accuracy,
                    deadline: deadline)
            }
        var lower = 0.0
        var upper = lostUpper
        for state in 0...n where start[state] > 0 {
            lower += start[state] * withoutSink.lower[state]
            upper += start[state] * withSink.upper[state]
        }
        // From a single state at time 0 the bounds are the solver's, state by state.
        let perState =
            allStates && interval.lower == 0
            ? (0..<n).map { clamp(Bounds(lower: withoutSink.lower[$0], upper: withSink.upper[$0])) } : nil
        return CheckOutcome(bounds: clamp(Bounds(lower: lower, upper: upper)), perState: perState)
    }

    /// `X^I phi` from the initial state: exact once that state is expanded (its transitions are
    /// then all known). A deadlock state's self-loop has rate 1, as Storm adds it.
    private func next(_ phi: StateFormula, _ interval: TimeBound) throws(EngineError) -> Bounds {
        let holds = try sets.evaluate(phi)
        let rates = ctmc.rates
        var exitRate = 0.0
        var toPhi = 0.0
        var toSink = 0.0
        for position in rates.rowStart[initialState]..<rates.rowStart[initialState + 1] {
            let target = Int(rates.columns[position])
            let rate = rates.values[position]
            exitRate += rate
            if target == ctmc.sink { toSink += rate } else if holds[target] { toPhi += rate }
        }
        guard exitRate > 0 else { return Bounds(lower: 0, upper: 0) }
        let upperTime = interval.upper.map { exp(-exitRate * $0) } ?? 0
        let window = exp(-exitRate * interval.lower) - upperTime
        let lower = window * toPhi / exitRate
        return clamp(Bounds(lower: lower, upper: lower + window * toSink / exitRate))
    }

    /// The sink's reward for the upper bound: the ceiling, unless the chain is the whole model.
    private func withSinkCeiling(_ rewards: [Double], _ ceiling: Double?) throws(EngineError) -> [Double]? {
        if ctmc.isComplete { return nil }
        guard let ceiling else {
            throw .numerics("a time-bounded reward on a truncated model needs a ceiling on the reward rates")
        }
        var upper = rewards
        upper[ctmc.sink] = max(ceiling, rewards[ctmc.sink])
        return upper
    }

    private func reward(_ path: RewardPath, _ rewards: RewardVectors, ceiling: Double?) throws(EngineError) -> Bounds {
        switch path {
        case .cumulative(let time):
            let upper = try withSinkCeiling(rewards.withTransitions, ceiling)
            let result = try numerics { () throws(NumericsError) in
                try Uniformization.cumulativeReward(
                    rates: ctmc.rates, initial: initialDistribution(), time: time,
                    stateRewards: rewards.withTransitions, upperStateRewards: upper, accuracy: accuracy,
                    deadline: deadline)
            }
            return Bounds(lower: result.lower, upper: result.upper)
        case .instantaneous(let time):
            let upper = try withSinkCeiling(rewards.stateOnly, ceiling)
            let result = try numerics { () throws(NumericsError) in
                try Uniformization.instantaneousReward(
                    rates: ctmc.rates, initial: initialDistribution(), time: time, stateRewards: rewards.stateOnly,
                    upperStateRewards: upper, accuracy: accuracy, deadline: deadline)
            }
            return Bounds(lower: result.lower, upper: result.upper)
        case .reachability(let phi):
            let result = try reachabilityReward(phi, rewards)
            return Bounds(lower: result.lower[initialState], upper: result.upper[initialState])
        case .steadyState:
            // The distribution's error (at most the solver precision, in total) is multiplied by
            // the rewards, so the solver gets a precision scaled down by the largest reward.
            let largest = rewards.withTransitions.reduce(0) { max($0, abs($1)) }
            let precision = accuracy / max(1, largest)
            let distribution = try numerics { () throws(NumericsError) in
                try SteadyState.distribution(
                    rates: ctmc.rates, initial: initialDistribution(), precision: precision, deadline: deadline)
            }
            var value = 0.0
            for state in 0..<ctmc.stateCount { value += distribution[state] * rewards.withTransitions[state] }
            let slack = precision * largest
            return Bounds(lower: max(0, value - slack), upper: value + slack)
        case .total:
            throw .numerics("total reward is refused when the property is planned")
        }
    }

    private func reachabilityReward(_ phi: StateFormula, _ rewards: RewardVectors) throws(EngineError)
        -> (lower: [Double], upper: [Double])
    {
        let target = try sets.evaluate(phi)
        return try numerics { () throws(NumericsError) in
            try Reachability.expectedReward(
                rates: ctmc.rates, target: target, stateRewards: rewards.withTransitions, precision: accuracy,
                deadline: deadline)
        }
    }

    private func clamp(_ bounds: Bounds) -> Bounds {
        Bounds(lower: min(max(bounds.lower, 0), 1), upper: min(max(bounds.upper, 0), 1))
    }
}
