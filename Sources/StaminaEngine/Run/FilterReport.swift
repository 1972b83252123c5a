// What `filter(op, prop, states)` reports: one value, a truth value, or a list of states, each as
// sound bounds. On a truncated model the states not yet explored may belong to the filter's set
// too (`open`); the bounds then account for them, so an aggregate can stay undecided.

import PRISM

public struct ValueInterval: Sendable, Equatable {
    public var lower: Double
    /// Nil when nothing bounds the value from above (a sum or count over an open set).
    public var upper: Double?

    public init(lower: Double, upper: Double?) {
        self.lower = lower
        self.upper = upper
    }
}

/// One state of the filter's set with its value's bounds (and its truth value for a P>=p).
public struct FilterStateValue: Sendable, Equatable {
    /// The state's valuation, `x=0, y=true`.
    public var state: String
    public var pmin: Double
    public var pmax: Double
    public var verdict: Verdict?

    public init(state: String, pmin: Double, pmax: Double, verdict: Verdict? = nil) {
        self.state = state
        self.pmin = pmin
        self.pmax = pmax
        self.verdict = verdict
    }
}

public struct FilterReport: Sendable {
    public var op: FilterOperator
    /// The states argument as written; nil means all states.
    public var statesText: String?
    /// States of the explored model in the set.
    public var matched: Int
    /// Whether states not explored may belong to the set too and change the answer (truncated
    /// model, set neither within the initial states nor bounded by the variables' ranges).
    public var open: Bool
    /// min, max, sum, avg, first, state, count: the value's bounds; range: from the lowest the
    /// minimum can be to the highest the maximum can be.
    public var value: ValueInterval?
    /// range: the minimum's and the maximum's bounds.
    public var minimum: ValueInterval?
    public var maximum: ValueInterval?
    /// forall, exists; `unknown` when the bounds do not decide it.
    public var verdict: Verdict?
    /// argmin/argmax: the states that may attain the extremum; print/printall: the values (print
    /// lists the states whose value may be non-zero); first/state: the state; at most
    /// `CheckRun.maxFilterListed` of them.
    public var states: [FilterStateValue] = []
    /// How many states `states` would hold without the cap.
    public var stateCount = 0
    /// Whether the answer is decided to the window: a value as wide as the window at most, a
    /// verdict that is not `unknown`, a list whose members are certain.
    public var decided = false

    public init(op: FilterOperator, statesText: String?, matched: Int, open: Bool) {
        self.op = op
        self.statesText = statesText
        self.matched = matched
        self.open = open
    }
}
