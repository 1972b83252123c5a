// How the next refinement round grows the explored model: STAMINA's pi passes, with a budget that
// doubles with the model, or breadth-first growth around the states the probability leaks through.
//
// pi follows the jump chain, not time. When its passes ran out of budget on states that hold almost
// none of the probability at the time bound (it ran along a count whose rate grows), doubling its
// budget would grow the model, and the cost of every solve, in that direction without end. From then
// on the property's model grows around the leaking states (`LeakingFrontier`), and in later
// properties pi keeps the base budget. Every round also expands the leaking states themselves first.
// Which states are explored never affects the guarantee, only how soon the window is reached.
// When the model is finite and at most 16 times the states the next round would know (the states
// known times the last round's growth) are reachable, the next rounds would approach the whole
// model at the price of several solves: one complete exploration replaces them
// (`exploresCompletely`), and its result is exact. What is reachable is bounded by
// the declared ranges and, tighter, by the values each variable's update steps can reach from its
// initial value (`ReachableStateBound`: QVBS majority declares 3.1e12 states and has 192,000).

import PRISM

struct GrowthPolicy {
    /// New states a pi round may expand at least; it may expand twice the states known so far.
    static let baseBudget = 2_000
    /// The share of the leak whose frontier states the next round expands first.
    static let leakShare = 0.9
    /// pi's latest states are useless when they hold less than this share of the sink's mass.
    static let uselessPiShare = 0.1

    /// A model with at most this many times the states the next round would know is explored
    /// completely: that costs one exact solve, where two more rounds of pi (each may triple the
    /// model) would cost about as much and might still miss the window.
    static let completeFactor = 16.0
    /// The next round is expected to grow the model as the last one did, by at most this factor.
    static let largestGrowth = 4.0

    /// Whether the next round should explore the whole model: `bound` (`stateBound`, nil for an
    /// unbounded model) is within reach of one more round and of `maxStates`. `growth`: how much
    /// the last round multiplied the states known (1 before the first); the next round is expected
    /// to do the same. QVBS peer2peer grew 12,204 -> 46,085 states of 1,048,576: a third round of
    /// 98,634 and then the whole model cost 28 % more CPU than exact mode.
    static func exploresCompletely(stateCount: Int, growth: Double = 1, bound: Double?, maxStates: Int?) -> Bool {
        guard let bound else { return false }
        if let maxStates, bound > Double(maxStates) { return false }
        let expected = Double(max(stateCount, baseBudget)) * min(max(growth, 1), largestGrowth)
        return bound <= completeFactor * expected
    }

    /// The smaller of the two bounds on the reachable states; nil when neither is finite.
    static func stateBound(of model: CheckedModel, layout: StateLayout) -> Double? {
        [layout.stateSpaceBound, ReachableStateBound.states(of: model)].compactMap { $0 }.min()
    }

    /// Frontier states the last transient solve saw probability leave through, most first.
    private(set) var leaking: [Int] = []
    /// Whether the next round grows around `leaking` instead of running pi's passes.
    private(set) var guided = false
    /// Whether pi ran away in an earlier round of this run (of any property).
    private var piRunsAway = false

    /// Forgets the previous property's leak (the graph, and what was learnt about pi, stay).
    mutating func startProperty() {
        leaking = []
        guided = false
    }

    /// Expansions of a guided round: doubling, like pi's budget, so that a model pi was right about
    /// but slow on still grows geometrically.
    func guidedLimit(stateCount: Int) -> Int { max(Self.baseBudget, 2 * leaking.count, stateCount) }

    /// pi's budget this round. A later property starts on the graph the earlier ones explored: it
    /// grows by the base budget first and measures before the budget doubles.
    func piBudget(stateCount: Int, firstRoundOfLaterProperty: Bool) -> Int {
        piRunsAway || firstRoundOfLaterProperty ? Self.baseBudget : max(Self.baseBudget, 2 * stateCount)
    }

    /// Learns from a round that did not reach the window. `piStatesFrom`: the first state pi's
    /// passes numbered this round (the passes number states in the order they find them; the later
    /// half of those is what the budget bought at the end).
    mutating func observe(
        _ ctmc: TruncatedCTMC, finalDistribution: [Double]?, cutShort: Bool, piStatesFrom: Int
    ) {
        leaking = []
        guard let distribution = finalDistribution else {
            guided = false
            return
        }
        leaking = LeakingFrontier.states(
            of: ctmc, distribution: distribution, share: Self.leakShare,
            limit: max(Self.baseBudget, ctmc.stateCount))
        guard cutShort, !leaking.isEmpty else {
            guided = false
            return
        }
        if guided { return }
        let n = ctmc.stateCount
        var piMass = 0.0
        for state in (min(piStatesFrom, n) + n) / 2..<n { piMass += distribution[state] }
        if piMass < Self.uselessPiShare * distribution[ctmc.sink] {
            guided = true
            piRunsAway = true
        }
    }
}
