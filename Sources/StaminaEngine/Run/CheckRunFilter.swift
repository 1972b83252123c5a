// `filter(op, prop, states)` on a property's final model: the property's bounds from every state
// of the set (one solve per state, or one for all when the solver gives every state's value),
// aggregated by `FilterEvaluation`. The refinement aims at the first initial state as for any
// property; the filter's own answer says whether it is decided to the window.

import PRISM

extension CheckRun {
    static func atoms(of formula: StateFormula) -> [Expr] {
        switch formula {
        case .atom(let e): [e]
        case .not(let inner): atoms(of: inner)
        case .logical(_, let a, let b): atoms(of: a) + atoms(of: b)
        default: []
        }
    }

    func addFilter(_ report: inout PropertyReport, plan: PropertyPlan, ctmc: TruncatedCTMC) throws(EngineError) {
        guard let filter = properties[report.index].filter else { return }
        let sets = StateSets(explorer: explorer, atoms: atoms, ctmc: ctmc)
        let membership = try sets.evaluate(filter.states)
        var members = (0..<ctmc.stateCount).filter { membership[$0] }
        let open = !ctmc.isComplete && !FilterEvaluation.withinInitialStates(filter.states)
        report.pmin = nil
        report.pmax = nil
        report.windowReached = nil
        guard members.count <= Self.maxFilterStates else {
            report.error = PropertyError(
                code: "UNSUPPORTED_PROPERTY",
                message:
                    "the filter's states number \(members.count) in the model explored; at most \(Self.maxFilterStates) are evaluated (narrow the states argument)"
            )
            return
        }
        if filter.op == .first { members.sort(by: prismOrder) }
        let values = try filterValues(plan, on: ctmc, states: members)
        var verdicts: [Verdict]?
        if case .compare(let op, let p) = plan.bound { verdicts = values.map { Self.verdict(op, p, $0) } }
        let evaluation = FilterEvaluation(
            op: filter.op, values: values, verdicts: verdicts, open: open,
            domainUpper: plan.kind == .reward ? nil : 1, targetWidth: { self.settings.targetWidth(lower: $0) },
            describe: { self.describe(members[$0]) })
        switch evaluation.evaluate(statesText: filter.statesText) {
        case .success(let result):
            report.filter = result
            report.verdict = result.verdict
            if let value = result.value, let upper = value.upper {
                report.pmin = value.lower
                report.pmax = upper
            }
            report.windowReached = result.decided
            if result.decided {
                report.stoppedBy = .window
            } else if report.stoppedBy == .window {
                report.stoppedBy = ctmc.isComplete ? .wholeModel : .roundLimit
            }
        case .failure(.empty):
            report.error = PropertyError(
                code: "EMPTY_FILTER", message: "no state satisfies the filter's states \(filter.statesText ?? "true")")
        case .failure(.notOneState(let count, let open)):
            report.error = PropertyError(
                code: "FILTER_NOT_ONE_STATE",
                message: open
                    ? "filter 'state' needs exactly one state; \(count) explored state(s) satisfy \(filter.statesText ?? "true") and the model is truncated, so states not explored may satisfy it too"
                    : "filter 'state' needs exactly one state; \(count) satisfy \(filter.statesText ?? "true")")
        }
    }

    /// PRISM's order of states: by the variables' values, in declaration order.
    private func prismOrder(_ a: Int, _ b: Int) -> Bool {
        let store = explorer.graph.store
        return store.withState(a) { x in
            store.withState(b) { y in
                for slot in layout.variables.indices {
                    let u = layout.value(slot, in: x)
                    let v = layout.value(slot, in: y)
                    if u != v { return u < v }
                }
                return false
            }
        }
    }

    /// The property's bounds from each of `states`: one vector when the solver gives every
    /// state's value at once, else one solve per state.
    private func filterValues(_ plan: PropertyPlan, on ctmc: TruncatedCTMC, states: [Int]) throws(EngineError)
        -> [Bounds]
    {
        if let all = try compute(plan, on: ctmc, allStates: true).perState { return states.map { all[$0] } }
        var values: [Bounds] = []
        values.reserveCapacity(states.count)
        for state in states { values.append(try compute(plan, on: ctmc, from: state).bounds) }
        return values
    }
}
