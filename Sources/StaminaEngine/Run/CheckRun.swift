// Drives a check: compiles the model and every property's atoms once, then gives each property
// its own refinement to the window (`RefinementLoop`, a value holding the property's exploration
// settings) over one monotonically growing explored graph.
//
// Steady-state and other reward properties need the whole model: they get a full exploration (up
// to `maxStates`) and exact values, or UNSUPPORTED_PROPERTY when the model is too large or
// infinite; when a variable may grow without end (`VariableRanges`) that is known before
// exploring and they are refused at once. Time-bounded rewards whose rates have a ceiling
// (`RewardCeiling`) are refined like P properties. The refinement aims at the first initial state
// (see `InitialStates`); with several, the final model is also solved from each of the others (up
// to `maxInitialValues`), and each gets its own sound interval.
// Limits do not throw results away: when `--max-states` stops exploration, each property is
// computed on the model explored so far (a sound interval, `stoppedBy: stateLimit`); when
// `--time-limit` passes, a property keeps the interval of its last finished round and later
// properties are not computed (`RunLimits`).

import PRISM
import StaminaNumerics

public final class CheckRun {
    public let settings: CheckSettings
    public let properties: [CheckedProperty]
    let model: CheckedModel
    let compiled: CompiledModel
    let plans: [Result<PropertyPlan, UnsupportedProperty>]
    let atoms: [Expr: CompiledExpression]
    let rewardStructures: [CompiledRewardStructure]
    let rewardCeilings: RewardCeilings
    /// The variables' inferred ranges (`VariableRanges`), and the names of those that may grow
    /// without end (none: the model is finite).
    let variableRanges: VariableRanges
    let unboundedVariables: [String]
    /// The last filter answer computed, so that the loop's question and the report share it.
    var lastFilter: FilterOutcome?
    /// The filter's members and width when the refinement last asked for a round of its own.
    var filterProgress: (index: Int, members: Int, width: Double)?
    /// What the run has learnt about its limits, and the current property's last finished round.
    var limits = RunLimits()
    let explorer: Explorer
    let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    /// Kappa as the last property's refinement left it (the graph is explored that far).
    private(set) var kappa: Double
    /// In exact mode, the CTMC of the whole model, built once for every property and the exports.
    private var completeCTMC: TruncatedCTMC?
    /// How each round grows the model; it remembers across properties whether pi ran away.
    private(set) var growth = GrowthPolicy()
    /// The run's exploration ceiling (`--max-states`, else the mode's default); a property's
    /// refinement may set a lower one (`RefinementLoop`).
    let stateCeiling: Int
    /// Default ceiling of the full exploration that S and R properties need in truncation mode.
    static let fullExplorationLimit = 10_000_000
    static let exactExplorationLimit = 50_000_000
    /// Rounds cut short by the expansion budget (`GrowthPolicy`) one property may take.
    static let maxBudgetRounds = 40
    /// Initial states whose bounds are reported one by one.
    public static let maxInitialValues = 100
    /// States a filter may range over (each is solved from on its own), and states it lists.
    public static let maxFilterStates = 5_000
    public static let maxFilterListed = 1_000

    public init(model: CheckedModel, properties: [CheckedProperty], settings: CheckSettings) throws(EngineError) {
        guard model.type == .ctmc else { throw .unsupportedModelType(model.type) }
        started = clock.now
        self.model = model
        self.properties = properties
        self.settings = settings
        kappa = settings.kappa
        var compiled = CompiledModel(model)
        let ranges = VariableRanges.infer(model)
        variableRanges = ranges
        unboundedVariables = ranges.unbounded(model.variables)
        rewardCeilings = RewardCeilings(model, ranges: ranges)
        let plans = Self.decideBeforeExploring(
            properties.map { PropertyPlan.make($0, rewardCount: model.rewards.count) }, settings: settings,
            rewardCeilings: rewardCeilings, unboundedVariables: unboundedVariables)
        var atoms: [Expr: CompiledExpression] = [:]
        for case .success(let plan) in plans {
            for atom in plan.atoms where atoms[atom] == nil { atoms[atom] = compiled.compile(atom) }
        }
        for property in properties {
            for atom in property.filter.map({ Self.atoms(of: $0.states) }) ?? [] where atoms[atom] == nil {
                atoms[atom] = compiled.compile(atom)
            }
        }
        rewardStructures = model.rewards.map { CompiledRewardStructure($0, model: &compiled) }
        let initial: [[UInt64]]
        do {
            initial = try InitialStates.enumerate(&compiled)
        } catch .unboundedVariableInInitBlock(let name, _) {
            throw .unboundedVariableInInitBlock(
                variable: name, location: model.variables.first { $0.name == name }?.location)
        }
        self.compiled = compiled
        self.plans = plans
        self.atoms = atoms
        let limit = settings.maxStates ?? (settings.exact ? Self.exactExplorationLimit : StateStore.maximumStates)
        stateCeiling = min(limit, StateStore.maximumStates)
        explorer = try Explorer(
            model: compiled, initialStates: initial,
            settings: ExplorationSettings(absorbing: nil, maxStates: stateCeiling))
        if let seconds = settings.timeLimit {
            explorer.deadline = started + .milliseconds(Int64(seconds * 1000))
            explorer.timeLimitSeconds = seconds
        }
    }

    public var layout: StateLayout { compiled.layout }
    public var initialStateCount: Int { explorer.graph.initialStates.count }

    func seconds(since instant: ContinuousClock.Instant) -> Double {
        let duration = clock.now - instant
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Checks every property in order. Unsupported properties get an error entry and the run goes
    /// on; model errors and limits end the run by throwing.
    public func run(observer: CheckObserver?) throws(EngineError) -> RunReport {
        if let observer { explorer.progress = { states, kappa in observer.progress(states: states, kappa: kappa) } }
        var reports: [PropertyReport] = []
        for index in properties.indices {
            let report = try check(index, observer: observer)
            observer?.propertyFinished(report)
            reports.append(report)
        }
        if properties.isEmpty {
            // Nothing to check: still explore (exactly or at the initial kappa) so counts mean something.
            if settings.exact {
                try explorer.exploreAll()
            } else {
                var budget = ExpansionBudget.unlimited
                try explorer.explore(method: settings.method, kappa: kappa, budget: &budget)
            }
        }
        return RunReport(
            properties: reports, states: explorer.graph.stateCount, transitions: explorer.graph.transitionCount,
            initialStates: initialStateCount, seconds: seconds(since: started))
    }

    /// Refuses, before anything is explored, what needs the whole model of a model that may be
    /// infinite. `--exact` explores everything anyway and keeps its state-limit error.
    static func decideBeforeExploring(
        _ plans: [Result<PropertyPlan, UnsupportedProperty>], settings: CheckSettings,
        rewardCeilings: RewardCeilings, unboundedVariables: [String]
    ) -> [Result<PropertyPlan, UnsupportedProperty>] {
        guard !settings.exact else { return plans }
        return plans.map { planned in
            guard case .success(let plan) = planned,
                let refusal = plan.refusalBeforeExploring(
                    rewardCeilings: rewardCeilings, unboundedVariables: unboundedVariables)
            else { return planned }
            return .failure(refusal)
        }
    }

    private func check(_ index: Int, observer: CheckObserver?) throws(EngineError) -> PropertyReport {
        var report = PropertyReport(index: index, name: properties[index].name, text: properties[index].text)
        if let seconds = limits.timedOut {
            report.error = PropertyError(
                code: "TIME_LIMIT", message: "the time limit of \(seconds) s was reached before this property")
            report.stoppedBy = .timeLimit
            return report
        }
        limits.startProperty()
        do {
            return try checkOrThrow(index, observer: observer)
        } catch .numerics(let message) {
            // A solver that fails on one property (e.g. does not converge) does not end the run.
            report.error = PropertyError(code: "NUMERICS_ERROR", message: "numerical solver failed: \(message)")
            return report
        } catch .stateLimit(let states) {
            return try partialAtStateLimit(index, states: states, observer: observer)
        } catch .timeLimit(let seconds) {
            limits.timedOut = seconds
            return partial(index, stoppedBy: .timeLimit) {
                PropertyError(
                    code: "TIME_LIMIT",
                    message: "the time limit of \(seconds) s was reached before the first round ended")
            }
        }
    }

    /// `--max-states` stopped exploration: the property's bounds on the model explored so far
    /// (every later expansion stops at once, so later properties land here too).
    private func partialAtStateLimit(_ index: Int, states: Int, observer: CheckObserver?) throws(EngineError)
        -> PropertyReport
    {
        let stateLimitError = PropertyError(
            code: "STATE_LIMIT",
            message:
                "state limit reached after \(states) states (the model may be infinite) before this property had a result; it needs the whole model or a first round; raise --max-states"
        )
        guard case .success(let plan) = plans[index], !plan.needsFullModel(rewardCeilings: rewardCeilings) else {
            return partial(index, stoppedBy: .stateLimit) { stateLimitError }
        }
        let start = clock.now
        do {
            _ = try explorer.compactFrontier()
            let ctmc = try currentCTMC()
            let bounds = try compute(plan, on: ctmc).bounds
            let round = RoundReport(
                iteration: limits.rounds.count + 1, kappa: kappa, states: ctmc.stateCount,
                transitions: ctmc.transitionCount, frontier: ctmc.frontierCount, pmin: bounds.lower,
                pmax: bounds.upper, seconds: seconds(since: start))
            observer?.round(property: index, round)
            var report = PropertyReport(index: index, name: properties[index].name, text: properties[index].text)
            report.kind = plan.kind
            finish(
                &report, plan: plan, bounds: bounds, ctmc: ctmc, rounds: limits.rounds + [round], kappa: kappa,
                start: limits.propertyStart)
            if report.stoppedBy != .window { report.stoppedBy = .stateLimit }
            try addInitialValues(&report, plan: plan, ctmc: ctmc)
            return report
        } catch .timeLimit(let seconds) {
            limits.timedOut = seconds
            return partial(index, stoppedBy: .timeLimit) { stateLimitError }
        } catch .numerics(let message) {
            var report = PropertyReport(index: index, name: properties[index].name, text: properties[index].text)
            report.error = PropertyError(code: "NUMERICS_ERROR", message: "numerical solver failed: \(message)")
            return report
        }
    }

    /// The property's last finished round as its result, or `error` when no round finished.
    private func partial(_ index: Int, stoppedBy: StopReason, error: () -> PropertyError) -> PropertyReport {
        var report = PropertyReport(index: index, name: properties[index].name, text: properties[index].text)
        report.stoppedBy = stoppedBy
        guard let last = limits.last, case .success(let plan) = plans[index], properties[index].filter == nil else {
            report.error = error()
            return report
        }
        report.kind = plan.kind
        finish(
            &report, plan: plan, bounds: last.bounds, states: last.states, transitions: last.transitions,
            rounds: limits.rounds, kappa: kappa, start: limits.propertyStart)
        report.stoppedBy = stoppedBy
        // The round's bounds are the first initial state's; the others' were not computed.
        report.initialStateCount = initialStateCount
        if let first = explorer.graph.initialStates.first {
            report.initialValues = [
                InitialStateValue(state: describe(first), pmin: last.bounds.lower, pmax: last.bounds.upper)
            ]
        }
        return report
    }

    private func checkOrThrow(_ index: Int, observer: CheckObserver?) throws(EngineError) -> PropertyReport {
        switch plans[index] {
        case .failure(let unsupported):
            var report = PropertyReport(index: index, name: properties[index].name, text: properties[index].text)
            report.error = PropertyError(code: "UNSUPPORTED_PROPERTY", message: unsupported.message)
            return report
        case .success(let plan):
            var loop = RefinementLoop(index: index, plan: plan, in: self)
            // What the loop learnt carries over to the next property, also when it ends by a limit.
            defer {
                kappa = loop.kappa
                growth = loop.growth
            }
            return try loop.run(self, observer: observer)
        }
    }

    /// The CTMC of the graph as explored so far. In exact mode the graph is final once explored, so
    /// its CTMC is built once and the graph's own copy of the transitions is freed: the numerics on
    /// the largest models then run next to one copy, not two.
    func currentCTMC() throws(EngineError) -> TruncatedCTMC {
        if let completeCTMC { return completeCTMC }
        let graph = explorer.graph
        if settings.exact && graph.expandedCount == graph.stateCount {
            // The whole model: nothing will be looked up or added any more, and the explored rows
            // become the matrix without a copy.
            graph.store.releaseIndex()
            if let bits = layout.oneWordBits { graph.store.narrow(toBits: bits) }
            if let ctmc = TruncatedCTMC.takeComplete(from: explorer) {
                completeCTMC = ctmc
                return ctmc
            }
        }
        let ctmc = try TruncatedCTMC.build(from: explorer)
        if settings.exact && ctmc.isComplete {
            completeCTMC = ctmc
            explorer.graph.releaseTransitions()
        }
        return ctmc
    }

    /// The bounds from every initial state (up to `maxInitialValues`) on the property's final
    /// model. The first is the report's own.
    func addInitialValues(_ report: inout PropertyReport, plan: PropertyPlan, ctmc: TruncatedCTMC)
        throws(EngineError)
    {
        let initial = explorer.graph.initialStates
        report.initialStateCount = initial.count
        guard let pmin = report.pmin, let pmax = report.pmax, let first = initial.first else { return }
        var values = [InitialStateValue(state: describe(first), pmin: pmin, pmax: pmax)]
        for state in initial.dropFirst().prefix(Self.maxInitialValues - 1) {
            let bounds = try compute(plan, on: ctmc, from: state).bounds
            values.append(InitialStateValue(state: describe(state), pmin: bounds.lower, pmax: bounds.upper))
        }
        report.initialValues = values
        try addFilter(&report, plan: plan, ctmc: ctmc)
    }

    func describe(_ state: Int) -> String { explorer.graph.store.withState(state) { layout.describe($0) } }

    /// `allStates`: also the bounds from every state, when the solver gives them at once.
    func compute(_ plan: PropertyPlan, on ctmc: TruncatedCTMC, from initialState: Int? = nil, allStates: Bool = false)
        throws(EngineError) -> CheckOutcome
    {
        let sets = StateSets(explorer: explorer, atoms: atoms, ctmc: ctmc)
        var checker = PropertyChecker(
            ctmc: ctmc, sets: sets, initialState: initialState ?? explorer.graph.initialStates[0],
            accuracy: settings.numericalAccuracy, threads: settings.threads)
        checker.deadline = SolverDeadline(instant: explorer.deadline)
        checker.timeLimitSeconds = explorer.timeLimitSeconds
        checker.allStates = allStates
        var rewards: RewardVectors?
        if case .reward(let structure, _) = plan.query {
            rewards = try RewardVectors.compute(
                rewardStructures[structure], explorer: explorer, stateCount: ctmc.stateCount)
        }
        return try checker.check(plan.query, rewards: rewards, rewardCeiling: rewardCeilings.ceiling(for: plan.query))
    }

    func finish(
        _ report: inout PropertyReport, plan: PropertyPlan, bounds: Bounds, ctmc: TruncatedCTMC,
        rounds: [RoundReport], kappa: Double, start: ContinuousClock.Instant
    ) {
        finish(
            &report, plan: plan, bounds: bounds, states: ctmc.stateCount, transitions: ctmc.transitionCount,
            rounds: rounds, kappa: kappa, start: start)
        if report.windowReached == false { report.stoppedBy = ctmc.frontierCount == 0 ? .wholeModel : .roundLimit }
    }

    private func finish(
        _ report: inout PropertyReport, plan: PropertyPlan, bounds: Bounds, states: Int, transitions: Int,
        rounds: [RoundReport], kappa: Double, start: ContinuousClock.Instant
    ) {
        report.pmin = bounds.lower
        report.pmax = bounds.upper
        report.windowReached = bounds.upper - bounds.lower <= settings.targetWidth(bounds)
        report.stoppedBy = report.windowReached == true ? .window : nil
        report.states = states
        report.transitions = transitions
        report.iterations = rounds.count
        report.kappa = kappa
        report.rounds = rounds
        report.totalSeconds = seconds(since: start)
        if case .compare(let op, let p) = plan.bound {
            report.verdict = Self.verdict(op, p, bounds)
        }
    }

    static func verdict(_ op: ComparisonOperator, _ p: Double, _ bounds: Bounds) -> Verdict {
        switch op {
        case .greaterOrEqual: bounds.lower >= p ? .true : (bounds.upper < p ? .false : .unknown)
        case .greater: bounds.lower > p ? .true : (bounds.upper <= p ? .false : .unknown)
        case .lessOrEqual: bounds.upper <= p ? .true : (bounds.lower > p ? .false : .unknown)
        case .less: bounds.upper < p ? .true : (bounds.lower >= p ? .false : .unknown)
        case .equal, .notEqual: .unknown
        }
    }

    /// The final truncated CTMC (no property truncation), for exports.
    public func finalModel() throws(EngineError) -> ExportedModel {
        explorer.use(ExplorationSettings(absorbing: nil, maxStates: stateCeiling))
        let ctmc = try currentCTMC()
        return ExportedModel(ctmc: ctmc, explorer: explorer)
    }
}
