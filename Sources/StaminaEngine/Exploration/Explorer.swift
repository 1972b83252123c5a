// Grows the explored graph: exhaustively (for `--exact` and for properties that need the whole
// model) or under STAMINA's reachability truncation with one of three pass strategies.
//
// Expanding a state generates its transitions, numbers new targets, merges transitions to the
// same target (summing rates, as Storm and PRISM do) and, in truncation mode, pushes the state's
// reachability mass `pi` along the embedded jump chain. A deadlock state gets one self-loop,
// counted as one transition (as Storm counts it).

import PRISM

public enum ExplorationMethod: String, Sendable, CaseIterable {
    /// STAMINA 2.5: each pass continues from the previous pass's frontier (FIFO).
    case iterative
    /// STAMINA 2.0: each pass re-traverses the known graph from the initial states.
    case reexploring
    /// Frontier states in decreasing order of `pi` (a max-heap).
    case priority
}

final class Explorer {
    let graph: ExploredGraph
    let generator: SuccessorGenerator
    /// Evaluates property-truncation predicates (compiled into the same program as the model).
    let predicates: ExpressionEvaluator
    let layout: StateLayout
    let wordCount: Int
    /// What the explorer runs under (`use`): the states not to expand, the state ceiling.
    private(set) var settings: ExplorationSettings
    var deadline: ContinuousClock.Instant?
    var timeLimitSeconds: Double = 0
    /// Called about every 65,536 expansions with (states, current kappa).
    var progress: ((Int, Double) -> Void)?
    var currentKappa = 1.0

    /// Unexpanded states (some may be absorbing for the current property).
    var frontier: [Int32] = []
    /// Per state: 0 unknown, 1 not absorbing, 2 absorbing, for `settings.absorbing`; it grows only
    /// as far as states are asked about (never without a predicate: a byte a state saved in
    /// exact mode).
    private let absorbingCache = FlatBuffer<UInt8>(capacity: 1 << 12)
    private let visitStamp = FlatBuffer<UInt32>(capacity: 16)
    private var pass: UInt32 = 0
    private var sinceCheck = 0
    private var checks = 0
    /// Keeps the prefetching loads of `expand` from being optimised away.
    private(set) var touchSink: UInt32 = 0

    init(model: CompiledModel, initialStates: [[UInt64]], settings: ExplorationSettings) throws(EngineError) {
        _ = LargeBlocks.returnedWhenFreed
        layout = model.layout
        wordCount = model.layout.wordCount
        graph = ExploredGraph(wordCount: wordCount)
        generator = SuccessorGenerator(model: model)
        predicates = ExpressionEvaluator(program: model.program, layout: model.layout)
        self.settings = settings
        let mass = 1.0 / Double(initialStates.count)
        for words in initialStates {
            let (index, isNew) = graph.store.findOrInsert(words)
            guard isNew else { continue }
            graph.appendStateData()
            graph.flags[index] |= ExploredGraph.initialFlag
            graph.pi[index] = mass
            graph.initialStates.append(index)
            frontier.append(Int32(index))
        }
    }

    // MARK: Expansion

    /// Expands `state`; with `pushMass`, moves its `pi` to its successors.
    @inline(__always)
    func expand(_ state: Int, pushMass: Bool, trackFrontier: Bool) throws(EngineError) {
        // Checked before touching the graph, so that a limit leaves it consistent.
        if graph.store.count >= settings.maxStates { throw .stateLimit(states: graph.store.count) }
        let count = try generator.generate(graph.store.state(state))
        let rowBegin = graph.columns.count
        if count == 0 {
            graph.columns.append(Int32(state))
            graph.values.append(1.0)
            graph.flags[state] |= ExploredGraph.deadlockFlag
        } else {
            let targets = generator.targets.base
            let rates = generator.rates.base
            var touched: UInt32 = 0
            for k in 0..<count { touched &+= graph.store.touch(targets + k * wordCount) }
            touchSink &+= touched
            for k in 0..<count {
                let (index, isNew) = graph.store.findOrInsert(targets + k * wordCount)
                if isNew {
                    graph.appendStateData()
                    if trackFrontier { frontier.append(Int32(index)) }
                }
                let column = Int32(truncatingIfNeeded: index)
                var merged = false
                var position = rowBegin
                let rowEnd = graph.columns.count
                while position < rowEnd {
                    if graph.columns[position] == column {
                        graph.values[position] += rates[k]
                        merged = true
                        break
                    }
                    position += 1
                }
                if !merged {
                    graph.columns.append(column)
                    graph.values.append(rates[k])
                }
            }
        }
        graph.rowStart[state] = rowBegin
        graph.rowLength[state] = Int32(graph.columns.count - rowBegin)
        graph.flags[state] |= ExploredGraph.expandedFlag
        graph.expandedCount += 1
        if pushMass { self.pushMass(state) }
        sinceCheck += 1
        if sinceCheck >= 1024 { try checkLimits() }
    }

    /// Moves `pi(state)` to the successors of an expanded state along the embedded chain.
    @inline(__always)
    func pushMass(_ state: Int) {
        let mass = graph.pi[state]
        if mass == 0 { return }
        let begin = graph.rowStart[state]
        let end = begin + Int(graph.rowLength[state])
        var exitRate = 0.0
        for position in begin..<end where Int(graph.columns[position]) != state {
            exitRate += graph.values[position]
        }
        if exitRate == 0 { return }
        graph.pi[state] = 0
        for position in begin..<end {
            let target = Int(graph.columns[position])
            if target != state { graph.pi[target] += mass * graph.values[position] / exitRate }
        }
    }

    private func checkLimits() throws(EngineError) {
        sinceCheck = 0
        if let deadline, ContinuousClock.now >= deadline { throw .timeLimit(seconds: timeLimitSeconds) }
        checks += 1
        if checks % 64 == 0, let progress { progress(graph.store.count, currentKappa) }
    }

    // MARK: Property truncation

    /// Runs what follows under `settings` (a refinement loop's own, handed over whole).
    func use(_ settings: ExplorationSettings) {
        self.settings = settings
        // Refilled on demand by `isAbsorbing`: without a predicate it stays empty.
        absorbingCache.release()
    }

    @inline(__always)
    func isAbsorbing(_ state: Int) throws(EngineError) -> Bool {
        guard let predicate = settings.absorbing else { return false }
        while absorbingCache.count <= state { absorbingCache.append(0) }
        let cached = absorbingCache[state]
        if cached != 0 { return cached == 2 }
        let holds = try graph.store.withState(state) { (words) throws(EngineError) in
            try predicates.bool(predicate, on: words, context: "the property's truncation predicate")
        }
        absorbingCache[state] = holds ? 2 : 1
        return holds
    }

    /// Drops expanded states from the frontier list; returns the number of non-absorbing ones.
    func compactFrontier() throws(EngineError) -> Int {
        var kept: [Int32] = []
        kept.reserveCapacity(frontier.count)
        var open = 0
        for state in frontier where !graph.isExpanded(Int(state)) {
            kept.append(state)
            if try !isAbsorbing(Int(state)) { open += 1 }
        }
        frontier = kept
        return open
    }

    // MARK: Passes

    /// Expands `seeds` (frontier states the transient analysis found probability leaking through,
    /// `LeakingFrontier`) whatever their pi, then their new successors breadth-first, `limit`
    /// expansions in all. Property-absorbing states stay unexpanded.
    func expandAround(_ seeds: [Int], limit: Int) throws(EngineError) {
        precondition(!graph.isFinal, "a final graph is not explored further")
        var queue = seeds
        var head = 0
        var expanded = 0
        while head < queue.count && expanded < limit {
            let state = queue[head]
            head += 1
            if graph.isExpanded(state) { continue }
            if try isAbsorbing(state) { continue }
            try expand(state, pushMass: true, trackFrontier: true)
            expanded += 1
            let begin = graph.rowStart[state]
            for position in begin..<(begin + Int(graph.rowLength[state])) {
                let target = Int(graph.columns[position])
                if !graph.isExpanded(target) { queue.append(target) }
            }
        }
    }

    /// Expands every state (breadth-first by index), ignoring kappa and predicates.
    func exploreAll() throws(EngineError) {
        // A final graph (`ExploredGraph.takeRows`) is the whole model, and its flags are gone.
        if graph.isFinal { return }
        // A limit may stop this halfway: the states found meanwhile must stay on the frontier.
        defer {
            frontier = (0..<graph.stateCount).compactMap { graph.isExpanded($0) ? nil : Int32($0) }
        }
        var next = 0
        while next < graph.stateCount {
            if !graph.isExpanded(next) { try expand(next, pushMass: false, trackFrontier: false) }
            next += 1
        }
    }

    /// One truncation pass; it stops early when `budget` runs out (`budget.exhausted`).
    func explore(method: ExplorationMethod, kappa: Double, budget: inout ExpansionBudget) throws(EngineError) {
        precondition(!graph.isFinal, "a final graph is not explored further")
        currentKappa = kappa
        switch method {
        case .iterative: try iterativePass(kappa: kappa, budget: &budget)
        case .reexploring: try reexploringPass(kappa: kappa, budget: &budget)
        case .priority: try priorityPass(kappa: kappa, budget: &budget)
        }
    }

    private func iterativePass(kappa: Double, budget: inout ExpansionBudget) throws(EngineError) {
        var queue: [Int32] = []
        for state in frontier where graph.pi[Int(state)] >= kappa {
            if try !isAbsorbing(Int(state)) { queue.append(state) }
        }
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            if graph.isExpanded(state) || graph.pi[state] < kappa { continue }
            guard budget.take() else { return }
            try expand(state, pushMass: true, trackFrontier: true)
            let begin = graph.rowStart[state]
            for position in begin..<(begin + Int(graph.rowLength[state])) {
                let target = Int(graph.columns[position])
                if !graph.isExpanded(target) && graph.pi[target] >= kappa, try !isAbsorbing(target) {
                    queue.append(Int32(target))
                }
            }
        }
    }

    private func priorityPass(kappa: Double, budget: inout ExpansionBudget) throws(EngineError) {
        var heap = MassHeap()
        for state in frontier where graph.pi[Int(state)] >= kappa {
            if try !isAbsorbing(Int(state)) { heap.push(graph.pi[Int(state)], state) }
        }
        while let state32 = heap.pop() {
            let state = Int(state32)
            if graph.isExpanded(state) || graph.pi[state] < kappa { continue }
            guard budget.take() else { return }
            try expand(state, pushMass: true, trackFrontier: true)
            let begin = graph.rowStart[state]
            for position in begin..<(begin + Int(graph.rowLength[state])) {
                let target = Int(graph.columns[position])
                if !graph.isExpanded(target) && graph.pi[target] >= kappa, try !isAbsorbing(target) {
                    heap.push(graph.pi[target], Int32(target))
                }
            }
        }
    }

    private func reexploringPass(kappa: Double, budget: inout ExpansionBudget) throws(EngineError) {
        pass &+= 1
        for index in 0..<graph.stateCount { graph.pi[index] = 0 }
        while visitStamp.count < graph.stateCount { visitStamp.append(0) }
        let mass = 1.0 / Double(graph.initialStates.count)
        var queue: [Int32] = []
        for state in graph.initialStates {
            graph.pi[state] = mass
            visitStamp[state] = pass
            queue.append(Int32(state))
        }
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            if graph.isExpanded(state) {
                pushMass(state)
            } else if graph.pi[state] >= kappa, try !isAbsorbing(state) {
                guard budget.take() else { return }
                try expand(state, pushMass: true, trackFrontier: true)
                while visitStamp.count < graph.stateCount { visitStamp.append(0) }
            } else {
                continue
            }
            let begin = graph.rowStart[state]
            for position in begin..<(begin + Int(graph.rowLength[state])) {
                let target = Int(graph.columns[position])
                if visitStamp[target] != pass {
                    visitStamp[target] = pass
                    queue.append(Int32(target))
                }
            }
        }
    }
}

/// A binary max-heap of (pi, state) for the priority method.
struct MassHeap {
    private var masses: [Double] = []
    private var states: [Int32] = []

    mutating func push(_ mass: Double, _ state: Int32) {
        masses.append(mass)
        states.append(state)
        var child = masses.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if masses[parent] >= masses[child] { break }
            masses.swapAt(parent, child)
            states.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Int32? {
        guard let top = states.first else { return nil }
        let last = masses.count - 1
        masses.swapAt(0, last)
        states.swapAt(0, last)
        masses.removeLast()
        states.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= masses.count { break }
            let right = left + 1
            let larger = right < masses.count && masses[right] > masses[left] ? right : left
            if masses[parent] >= masses[larger] { break }
            masses.swapAt(parent, larger)
            states.swapAt(parent, larger)
            parent = larger
        }
        return top
    }
}
