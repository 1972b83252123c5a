// A `filter(op, prop, states)` property's answer in the `--json` document (inside its
// `PropertyResult`): the operator, how many explored states the set matched, whether unexplored
// states may belong to it (`open`), and the value, the extremes, the verdict or the listed states.

public struct FilterResult: Codable, Sendable, Equatable {
    /// Bounds on a value; `upper` is null when nothing bounds it (a reward over an open set).
    public struct Interval: Codable, Sendable, Equatable {
        public var lower: Double
        public var upper: Double?

        public init(lower: Double, upper: Double?) {
            self.lower = lower
            self.upper = upper
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lower, forKey: .lower)
            try c.encode(upper, forKey: .upper)
        }
    }

    /// One state of argmin/argmax/print/printall/first/state.
    public struct ListedState: Codable, Sendable, Equatable {
        public var state: String
        public var pmin: Double
        public var pmax: Double
        public var verdict: String?

        public init(state: String, pmin: Double, pmax: Double, verdict: String?) {
            self.state = state
            self.pmin = pmin
            self.pmax = pmax
            self.verdict = verdict
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(state, forKey: .state)
            try c.encode(pmin, forKey: .pmin)
            try c.encode(pmax, forKey: .pmax)
            try c.encode(verdict, forKey: .verdict)
        }
    }

    /// The engine's `FilterOperator` raw value: min, max, argmin, count, forall, ...
    public var `operator`: String
    /// The states argument as written; null means all states.
    public var states: String?
    public var matched: Int
    public var open: Bool
    /// Whether the answer is decided to the window.
    public var decided: Bool
    public var value: Interval?
    public var minimum: Interval?
    public var maximum: Interval?
    /// forall/exists: the engine's `Verdict` raw value (`unknown` when the bounds do not decide).
    public var verdict: String?
    /// How many states `listed` would hold without the engine's cap.
    public var listedCount: Int
    public var listed: [ListedState]

    public init(operator: String, states: String?, matched: Int, open: Bool) {
        self.operator = `operator`
        self.states = states
        self.matched = matched
        self.open = open
        decided = false
        listedCount = 0
        listed = []
    }

    enum CodingKeys: String, CodingKey {
        case `operator`, states, matched, open, decided, value, minimum, maximum, verdict, listedCount, listed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(`operator`, forKey: .operator)
        try c.encode(states, forKey: .states)
        try c.encode(matched, forKey: .matched)
        try c.encode(open, forKey: .open)
        try c.encode(decided, forKey: .decided)
        try c.encode(value, forKey: .value)
        try c.encode(minimum, forKey: .minimum)
        try c.encode(maximum, forKey: .maximum)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(listedCount, forKey: .listedCount)
        try c.encode(listed, forKey: .listed)
    }
}
