// `filter(op, prop, states)` on a property's final model: the property's bounds from every state
// of the set (one solve per state, or one for all when the solver gives every state's value),
// aggregated by `FilterEvaluation`. The property may be a plain state formula, whose truth per
// state is exact on every explored state.
//
// The refinement aims at the first initial state as for any property; once that one reaches its
// window, the loop asks `filterWidthToRefine` whether the filter's own answer is decided, and
// keeps refining (up to the round limit) while it is not and more exploration can decide it: the
// set's states are all explored (within the initial states, or bounded by the variables' ranges,
// `FilterSetBound`), the model is finite, or one more state may settle a forall/exists; and the
// members' values cost few solves per round (`maxRefinedFilterSolves`).

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

    /// The filter's answer on one model, kept for the next call on the same model.
    struct FilterOutcome {
        var index: Int
        /// The model it was computed on: states, transitions, frontier.
        var model: [Int]
        var result: Result<FilterReport, FilterEvaluation.Failure>?
        /// Set when the states are too many to evaluate.
        var tooMany: Int?
        /// The widest of the members' intervals.
        var widest = 0.0
        /// Whether further exploration may close the set (or the part of it that decides).
        var closable = false
        /// Solves the members' values took (one when the solver gives every state's at once).
        var solves = 0
        var members = 0
    }

    /// Solves per round beyond which a filter gets no rounds of its own: each costs about as much
    /// as the round's own solve.
    static let maxRefinedFilterSolves = 32

    func addFilter(_ report: inout PropertyReport, plan: PropertyPlan, ctmc: TruncatedCTMC) throws(EngineError) {
        guard let filter = properties[report.index].filter else { return }
        let outcome = try filterOutcome(report.index, plan: plan, ctmc: ctmc)
        report.pmin = nil
        report.pmax = nil
        report.windowReached = nil
        if let count = outcome.tooMany {
            report.error = PropertyError(
                code: "UNSUPPORTED_PROPERTY",
                message:
                    "the filter's states number \(count) in the model explored; at most \(Self.maxFilterStates) are evaluated (narrow the states argument)"
            )
            return
        }
        switch outcome.result {
        case .success(let result)?:
            report.filter = result
            report.verdict = result.verdict
            // A state formula's value is a truth value (`verdict`), not a probability.
            if plan.kind != .stateFormula, let value = result.value, let upper = value.upper {
                report.pmin = value.lower
                report.pmax = upper
            }
            report.windowReached = result.decided
            if result.decided {
                report.stoppedBy = .window
            } else if report.stoppedBy == .window {
                report.stoppedBy = ctmc.isComplete ? .wholeModel : .roundLimit
            }
        case .failure(.empty)?, nil:
            report.error = PropertyError(
                code: "EMPTY_FILTER", message: "no state satisfies the filter's states \(filter.statesText ?? "true")")
        case .failure(.notOneState(let count, let open))?:
            report.error = PropertyError(
                code: "FILTER_NOT_ONE_STATE",
                message: open
                    ? "filter 'state' needs exactly one state; \(count) explored state(s) satisfy \(filter.statesText ?? "true") and the model is truncated, so states not explored may satisfy it too"
                    : "filter 'state' needs exactly one state; \(count) satisfy \(filter.statesText ?? "true")")
        }
    }

    /// The width the refinement should go on aiming at for the property's filter, after the first
    /// initial state reached its window; nil when no round is needed or none can help. A round
    /// helps when the answer is not decided on `ctmc` and exploring further can decide it: the
    /// set is closed (its members' intervals narrow), or it may close (the model is finite, or
    /// its states are bounded by the variables' ranges), or one more state may settle a forall or
    /// exists. An open set counts as wide as the property's domain. The round limit bounds the
    /// rounds this adds, and a round that makes no progress on the filter ends them.
    func filterWidthToRefine(_ index: Int, plan: PropertyPlan, ctmc: TruncatedCTMC) throws(EngineError) -> Double? {
        guard let filter = properties[index].filter, !ctmc.isComplete else { return nil }
        let outcome = try filterOutcome(index, plan: plan, ctmc: ctmc)
        // Each round solves again from every member when the solver gives no vector of them.
        guard outcome.tooMany == nil, outcome.solves <= Self.maxRefinedFilterSolves else { return nil }
        let domain = plan.kind == .reward ? Double.infinity : 1
        let width: Double?
        switch outcome.result {
        case .success(let result)?:
            if result.decided {
                width = nil
            } else if !result.open {
                width = outcome.widest
            } else {
                // Only forall/exists can be settled on a set that never closes, by a state found later.
                width = outcome.closable || filter.op == .forall || filter.op == .exists ? domain : nil
            }
        case .failure(.notOneState(_, open: true))?:
            // The one state of `state` may not be explored yet.
            width = outcome.closable ? domain : nil
        default:
            width = nil
        }
        guard let width else { return nil }
        // A round that found no member and narrowed nothing is the last: a set may never close
        // (valuations in its bounds that are not reachable), and the members' widths may stall.
        defer { filterProgress = (index, outcome.members, width) }
        if let last = filterProgress, last.index == index, last.members == outcome.members,
            !(width < last.width / 2)
        {
            return nil
        }
        return width
    }

    /// The filter's answer on `ctmc`, computed once per model (the loop asks, then the report).
    private func filterOutcome(_ index: Int, plan: PropertyPlan, ctmc: TruncatedCTMC) throws(EngineError)
        -> FilterOutcome
    {
        let key = [ctmc.stateCount, ctmc.transitionCount, ctmc.frontierCount]
        if let cached = lastFilter, cached.index == index, cached.model == key { return cached }
        var outcome = FilterOutcome(index: index, model: key, result: nil, tooMany: nil)
        guard let filter = properties[index].filter else { return outcome }
        let sets = StateSets(explorer: explorer, atoms: atoms, ctmc: ctmc)
        let membership = try sets.evaluate(filter.states)
        var members = (0..<ctmc.stateCount).filter { membership[$0] }
        outcome.members = members.count
        // A state formula is read, not solved, per state: its sets may be as large as the model.
        if members.count > Self.maxFilterStates && plan.kind != .stateFormula {
            outcome.tooMany = members.count
        } else {
            if filter.op == .first { members.sort(by: prismOrder) }
            let (values, solves) = try filterValues(plan, on: ctmc, states: members)
            outcome.solves = solves
            outcome.widest = values.map { $0.upper - $0.lower }.max() ?? 0
            var verdicts: [Verdict]?
            if case .compare(let op, let p) = plan.bound { verdicts = values.map { Self.verdict(op, p, $0) } }
            if plan.kind == .stateFormula { verdicts = values.map { $0.lower >= 1 ? .true : .false } }
            let bound = FilterSetBound(filter.states, variables: model.variables, ranges: variableRanges)
            var open =
                !ctmc.isComplete && !FilterEvaluation.withinInitialStates(filter.states)
                && !bound.isClosed(members: members.count)
            outcome.closable = unboundedVariables.isEmpty || bound.candidates != nil
            if open, let (deciding, verdict) = Self.decidingSet(filter, plan: plan) {
                // Only the states of `deciding` change the answer: once they are all explored,
                // states explored later cannot change it although they may join the set.
                let decidingBound = FilterSetBound(deciding, variables: model.variables, ranges: variableRanges)
                open = !decidingBound.isClosed(members: verdicts?.filter { $0 == verdict }.count ?? 0)
                outcome.closable = outcome.closable || decidingBound.candidates != nil
            }
            let evaluation = FilterEvaluation(
                op: filter.op, values: values, verdicts: verdicts, open: open,
                domainUpper: plan.kind == .reward ? nil : 1, targetWidth: { self.settings.targetWidth(lower: $0) },
                describe: { self.describe(members[$0]) })
            outcome.result = evaluation.evaluate(statesText: filter.statesText)
        }
        lastFilter = outcome
        return outcome
    }

    /// For a state formula phi, the states that decide count, exists and print (the set's states
    /// where phi holds) and forall (those where it does not), with the truth value they have.
    private static func decidingSet(_ filter: PropertyFilter, plan: PropertyPlan) -> (StateFormula, Verdict)? {
        guard case .stateFormula(let phi) = plan.query else { return nil }
        switch filter.op {
        case .count, .exists, .print: return (.logical(.and, filter.states, phi), .true)
        case .forall: return (.logical(.and, filter.states, .not(phi)), .false)
        default: return nil
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
        -> (values: [Bounds], solves: Int)
    {
        if let all = try compute(plan, on: ctmc, allStates: true).perState { return (states.map { all[$0] }, 1) }
        var values: [Bounds] = []
        values.reserveCapacity(states.count)
        for state in states { values.append(try compute(plan, on: ctmc, from: state).bounds) }
        return (values, states.count + 1)
    }
}
