// One property's refinement to its window, as a value that owns its exploration settings: the
// explorer runs under this loop's `ExplorationSettings` (the property's truncation predicate, its
// state ceiling) and its `ExpansionBudget`, handed over whole; nothing is saved and restored.
//
// Truncation mode: per round, explore passes with kappa shrinking by `reduceKappa` until
// (#frontier x kappa) < window / m, build the truncated CTMC, compute [Pmin, Pmax]; stop when the
// window is reached, else shrink kappa and grow m by min(100, 4 (Pmax - Pmin) / window) as STAMINA
// 2.0 does; from the third round on, kappa goes at least as low as the measured width trend says
// reaches half the window (`WidthTrend`). Kappa carries over to the next property (the graph is
// already explored that far); m restarts. A round may expand at most max(GrowthPolicy.baseBudget,
// 2 x states so far) new states: a chain whose jump chain is deterministic (pure birth) never lets
// pi fall below kappa, and the budget ends such a round anyway; the unexpanded rest stays frontier,
// the transient analysis still bounds the result. Each round first expands the frontier states the
// last solve saw probability leak through; when pi runs where time does not go, growth follows the
// leak instead (`GrowthPolicy`). A filter's answer that is still undecided when the first initial
// state reaches its window keeps the rounds going while more exploration can decide it
// (`CheckRun.filterWidthToRefine`), up to the same round limit, its width growing m and kappa's
// trend as the property's own would.
// Whole-model mode (`--exact`, and S and R properties that need the whole model): one full
// exploration (up to `maxStates`, by default `CheckRun.fullExplorationLimit` outside `--exact`) and
// exact values, or UNSUPPORTED_PROPERTY when the model is larger.

import PRISM

struct RefinementLoop {
    let index: Int
    let plan: PropertyPlan
    /// Whether the property is computed on the whole model instead of refined.
    let wholeModel: Bool
    /// What the explorer runs under while this loop runs.
    let exploration: ExplorationSettings
    /// Kappa as the previous property left it; as this one leaves it when the loop ends (or throws).
    var kappa: Double
    /// How rounds grow the model; it remembers across properties whether pi ran away.
    var growth: GrowthPolicy
    /// At most this many states are reachable (nil: unknown), for `GrowthPolicy.exploresCompletely`.
    let stateBound: Double?

    init(index: Int, plan: PropertyPlan, in run: CheckRun) {
        self.index = index
        self.plan = plan
        let settings = run.settings
        wholeModel = plan.needsFullModel(rewardCeilings: run.rewardCeilings) || settings.exact
        if wholeModel {
            let ceiling = settings.exact ? run.stateCeiling : settings.maxStates ?? CheckRun.fullExplorationLimit
            exploration = ExplorationSettings(absorbing: nil, maxStates: min(run.stateCeiling, ceiling))
        } else {
            exploration = ExplorationSettings(
                absorbing: settings.propertyTruncation ? plan.truncation.flatMap { run.atoms[$0] } : nil,
                maxStates: run.stateCeiling)
        }
        kappa = run.kappa
        growth = run.growth
        stateBound = wholeModel ? nil : GrowthPolicy.stateBound(of: run.model, layout: run.layout)
    }

    mutating func run(_ run: CheckRun, observer: CheckObserver?) throws(EngineError) -> PropertyReport {
        run.explorer.use(exploration)
        var report = PropertyReport(index: index, name: run.properties[index].name, text: run.properties[index].text)
        report.kind = plan.kind
        return wholeModel
            ? try computeOnWholeModel(run, report: report, observer: observer)
            : try refine(run, report: report, observer: observer)
    }

    private func computeOnWholeModel(_ run: CheckRun, report: PropertyReport, observer: CheckObserver?)
        throws(EngineError)
        -> PropertyReport
    {
        var report = report
        let propertyStart = run.clock.now
        let explorer = run.explorer
        do {
            try explorer.exploreAll()
        } catch .stateLimit(let states) where !run.settings.exact {
            report.error = PropertyError(
                code: "UNSUPPORTED_PROPERTY",
                message:
                    "this \(plan.kind == .reward ? "R" : "S") property is computed on the whole state space, and the model has more than \(states) states (it may be infinite). On a truncated model STAMINA bounds P properties, and R properties with C<=t or I=t whose state rewards have a ceiling over the variables' declared ranges (no transition rewards for C<=t)"
            )
            return report
        }
        report.explorationSeconds = run.seconds(since: propertyStart)
        let checkingStart = run.clock.now
        let ctmc = try run.currentCTMC()
        let bounds = try run.compute(plan, on: ctmc).bounds
        report.checkingSeconds = run.seconds(since: checkingStart)
        let round = RoundReport(
            iteration: 1, kappa: 0, states: ctmc.stateCount, transitions: ctmc.transitionCount, frontier: 0,
            pmin: bounds.lower, pmax: bounds.upper, seconds: run.seconds(since: propertyStart))
        observer?.round(property: index, round)
        run.limits.record(round, bounds: bounds)
        run.finish(&report, plan: plan, bounds: bounds, ctmc: ctmc, rounds: [round], kappa: 0, start: propertyStart)
        try run.addInitialValues(&report, plan: plan, ctmc: ctmc)
        return report
    }

    private mutating func refine(_ run: CheckRun, report: PropertyReport, observer: CheckObserver?)
        throws(EngineError) -> PropertyReport
    {
        var report = report
        let propertyStart = run.clock.now
        let settings = run.settings
        let explorer = run.explorer
        var m = settings.approxFactor
        // The width aimed at: the window, or with `--relative` the window times the last Pmin.
        var window = settings.window
        var rounds: [RoundReport] = []
        var lastBounds = Bounds(lower: 0, upper: 1)
        var lastCTMC: TruncatedCTMC?
        // Rounds cut short by the expansion budget do not count towards `maxIterations` (they did
        // not finish their kappa), but they are capped so that a chain that never reaches the
        // window still ends.
        var iteration = 0
        var budgetRounds = 0
        var trend = WidthTrend()
        // Replaced by each round of pi passes; a round that explores otherwise sees the last one's.
        var budget = ExpansionBudget.unlimited
        growth.startProperty()
        // How much the last round multiplied the states known (the first one: from one state).
        var growthFactor = 1.0
        while true {
            let roundStart = run.clock.now
            let statesBefore = max(1, explorer.graph.stateCount)
            // States numbered from here on were found by pi's passes (none in a guided round).
            var piStatesFrom = Int.max
            let guided = growth.guided
            if GrowthPolicy.exploresCompletely(
                stateCount: explorer.graph.stateCount, growth: growthFactor, bound: stateBound,
                maxStates: settings.maxStates)
            {
                try explorer.exploreAll()
            } else if guided {
                try explorer.expandAround(
                    growth.leaking, limit: growth.guidedLimit(stateCount: explorer.graph.stateCount))
            } else {
                try explorer.expandAround(growth.leaking, limit: growth.leaking.count)
                piStatesFrom = explorer.graph.stateCount
                budget = ExpansionBudget(
                    left: growth.piBudget(
                        stateCount: explorer.graph.stateCount, firstRoundOfLaterProperty: rounds.isEmpty && index > 0))
                while true {
                    try explorer.explore(method: settings.method, kappa: kappa, budget: &budget)
                    if budget.exhausted { break }
                    let open = try explorer.compactFrontier()
                    if open == 0 || Double(open) * kappa < window / m || kappa < 1e-290 { break }
                    kappa /= settings.reduceKappa
                }
            }
            let cutShort = guided || budget.exhausted
            if cutShort {
                _ = try explorer.compactFrontier()
                budgetRounds += 1
            } else {
                iteration += 1
            }
            report.explorationSeconds += run.seconds(since: roundStart)
            let checkingStart = run.clock.now
            growthFactor = Double(explorer.graph.stateCount) / Double(statesBefore)
            let ctmc = try run.currentCTMC()
            let outcome = try run.compute(plan, on: ctmc)
            let bounds = outcome.bounds
            report.checkingSeconds += run.seconds(since: checkingStart)
            let round = RoundReport(
                iteration: rounds.count + 1, kappa: kappa, states: ctmc.stateCount,
                transitions: ctmc.transitionCount, frontier: ctmc.frontierCount, pmin: bounds.lower,
                pmax: bounds.upper, seconds: run.seconds(since: roundStart))
            rounds.append(round)
            observer?.round(property: index, round)
            run.limits.record(round, bounds: bounds)
            lastBounds = bounds
            lastCTMC = ctmc
            var width = bounds.upper - bounds.lower
            window = settings.targetWidth(bounds)
            if ctmc.frontierCount == 0 { break }
            if width <= window {
                // A filter over other states than the first initial one may need rounds of its
                // own; they grow the model as its width asks.
                guard let filterWidth = try run.filterWidthToRefine(index, plan: plan, ctmc: ctmc) else { break }
                width = max(width, filterWidth)
            }
            growth.observe(
                ctmc, finalDistribution: outcome.finalDistribution, cutShort: cutShort, piStatesFrom: piStatesFrom)
            // The round limit counts every round, cut short or not.
            if rounds.count >= max(1, settings.maxIterations) { break }
            if cutShort {
                if budgetRounds >= CheckRun.maxBudgetRounds { break }
                continue
            }
            if iteration >= max(1, settings.maxIterations) { break }
            trend.record(kappa: kappa, width: width)
            kappa /= settings.reduceKappa
            m *= max(1, min(100, 4 * width / max(window, .leastNormalMagnitude)))
            if let aimed = trend.kappa(reaching: window / 2) { kappa = min(kappa, aimed) }
        }
        if let lastCTMC {
            run.finish(
                &report, plan: plan, bounds: lastBounds, ctmc: lastCTMC, rounds: rounds, kappa: kappa,
                start: propertyStart)
            try run.addInitialValues(&report, plan: plan, ctmc: lastCTMC)
        }
        return report
    }
}
