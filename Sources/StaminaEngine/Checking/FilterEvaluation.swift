// Applies a filter operator to the bounds of the property's value in each state of the filter's
// set, keeping the answer sound when the model is truncated.
//
// Each state's value lies in [lower, upper]; an aggregate of such values lies in the aggregate of
// the lower bounds and of the upper bounds (min, max, sum and avg are monotone in every argument).
// A set that may hold states not explored yet (`open`) can only lower a minimum (to the domain's
// least value, 0), raise a maximum (to 1 for probabilities, without limit for rewards), add to a
// sum or count, and spoil forall/exists only in their undecided direction; an average or the
// first state of such a set is not bounded by the explored states at all. A count, forall or
// exists reads each state's truth value (P>=p and friends), which the bounds may leave
// `unknown`; the aggregate is then definite only when the decided states settle it.

import PRISM

struct FilterEvaluation {
    var op: FilterOperator
    /// The members' value bounds, in PRISM's order of states (`first` takes the first).
    var values: [Bounds]
    /// The members' truth values when the property has a bound (`P>=0.5 [...]`).
    var verdicts: [Verdict]?
    var open: Bool
    /// Largest value the property can take in any state: 1 for P and S, nil (none) for R.
    var domainUpper: Double?
    var targetWidth: (Double) -> Double
    var describe: (Int) -> String

    enum Failure: Error, Equatable {
        /// min, max, avg, first, state, argmin, argmax, range over no state.
        case empty
        /// `state` over a set that does not hold exactly one state (or may hold more).
        case notOneState(Int, open: Bool)
    }

    func evaluate(statesText: String?) -> Result<FilterReport, Failure> {
        var report = FilterReport(op: op, statesText: statesText, matched: values.count, open: open)
        let count = values.count
        let minimum = ValueInterval(
            lower: open ? 0 : values.map(\.lower).min() ?? 0, upper: values.map(\.upper).min() ?? domainUpper)
        let maximum = ValueInterval(
            lower: values.map(\.lower).max() ?? 0, upper: open ? domainUpper : values.map(\.upper).max())
        let needsAState: Set<FilterOperator> = [.min, .max, .range, .avg, .first, .argmin, .argmax]
        if count == 0 && !open && needsAState.contains(op) { return .failure(.empty) }
        switch op {
        case .min: report.value = minimum
        case .max: report.value = maximum
        case .range:
            report.minimum = minimum
            report.maximum = maximum
            report.value = ValueInterval(lower: minimum.lower, upper: maximum.upper)
            report.decided = decided(minimum) && decided(maximum)
        case .sum:
            report.value = ValueInterval(
                lower: values.reduce(0) { $0 + $1.lower }, upper: open ? nil : values.reduce(0) { $0 + $1.upper })
        case .avg:
            report.value =
                open
                ? ValueInterval(lower: 0, upper: domainUpper)
                : ValueInterval(
                    lower: values.reduce(0) { $0 + $1.lower } / Double(count),
                    upper: values.reduce(0) { $0 + $1.upper } / Double(count))
        case .count:
            let verdicts = verdicts ?? []
            let yes = verdicts.filter { $0 == .true }.count
            let maybe = verdicts.filter { $0 == .unknown }.count
            report.value = ValueInterval(lower: Double(yes), upper: open ? nil : Double(yes + maybe))
        case .forall, .exists:
            let verdicts = verdicts ?? []
            let settling: Verdict = op == .forall ? .false : .true
            if verdicts.contains(settling) {
                report.verdict = settling
            } else if open || verdicts.contains(.unknown) {
                report.verdict = .unknown
            } else {
                report.verdict = op == .forall ? .true : .false
            }
            report.decided = report.verdict != .unknown
        case .first:
            if open {
                // The first state of the whole set may be one not explored yet.
                report.value = ValueInterval(lower: 0, upper: domainUpper)
            } else {
                report.value = ValueInterval(lower: values[0].lower, upper: values[0].upper)
                report.states = [member(0)]
                report.stateCount = 1
            }
            // A true/false property's first value is a truth value, as in PRISM.
            if verdicts != nil { report.verdict = open ? .unknown : verdicts?[0] }
        case .state:
            guard count == 1 && !open else { return .failure(.notOneState(count, open: open)) }
            report.value = ValueInterval(lower: values[0].lower, upper: values[0].upper)
            report.states = [member(0)]
            report.stateCount = 1
            report.verdict = verdicts?[0]
        case .argmin, .argmax:
            // The states whose value may be the extremum: their interval reaches past every
            // other state's opposite bound.
            let members: [Int]
            if op == .argmin {
                let least = minimum.upper ?? .infinity
                members = values.indices.filter { values[$0].lower <= least }
            } else {
                let most = maximum.lower
                members = values.indices.filter { values[$0].upper >= most }
            }
            list(members, into: &report)
            let spread =
                (members.map { values[$0].upper }.max() ?? 0) - (members.map { values[$0].lower }.min() ?? 0)
            report.decided = !open && spread <= targetWidth(members.map { values[$0].lower }.min() ?? 0)
        case .print, .printall:
            // print lists what may be non-zero: a value above 0, or a truth value that may be true.
            let members =
                op == .printall
                ? Array(values.indices)
                : values.indices.filter { index in
                    verdicts.map { $0[index] != .false } ?? (values[index].upper > 0)
                }
            list(members, into: &report)
            report.decided =
                !open && values.allSatisfy { $0.upper - $0.lower <= targetWidth($0.lower) }
        }
        if let value = report.value, op != .range {
            report.decided = !(op == .first && open) && decided(value)
        }
        return .success(report)
    }

    private func decided(_ interval: ValueInterval) -> Bool {
        guard let upper = interval.upper else { return false }
        return upper - interval.lower <= targetWidth(interval.lower)
    }

    private func member(_ index: Int) -> FilterStateValue {
        FilterStateValue(
            state: describe(index), pmin: values[index].lower, pmax: values[index].upper, verdict: verdicts?[index])
    }

    private func list(_ members: [Int], into report: inout FilterReport) {
        report.stateCount = members.count
        report.states = members.prefix(CheckRun.maxFilterListed).map(member)
    }

    /// Whether every state of the formula is an initial state, so that the set is known on any
    /// truncated model (the initial states are always explored).
    static func withinInitialStates(_ formula: StateFormula) -> Bool {
        switch formula {
        case .initial: true
        case .logical(.and, let a, let b): withinInitialStates(a) || withinInitialStates(b)
        default: false
        }
    }
}
