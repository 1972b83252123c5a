// One property's result in the `--json` document (section 3 of the contract): its bounds, how the
// run ended for it, its rounds, and its error when it was not computed.

public struct PropertyResult: Codable, Sendable, Equatable {
    /// "computed" (window reached), "partial" (a sound interval, window not reached: see
    /// `stoppedBy`) or "notComputed" (see `error`).
    public enum Status: String, Codable, Sendable {
        case computed, partial, notComputed
    }

    /// Whether `window` is an absolute width or relative to Pmin (`--relative`).
    public enum WindowKind: String, Codable, Sendable {
        case absolute, relative
    }

    /// The bounds from one initial state.
    public struct InitialState: Codable, Sendable, Equatable {
        public var state: String
        public var pmin: Double
        public var pmax: Double

        public init(state: String, pmin: Double, pmax: Double) {
            self.state = state
            self.pmin = pmin
            self.pmax = pmax
        }
    }

    public struct Seconds: Codable, Sendable, Equatable {
        public var exploration: Double
        public var checking: Double
        public var total: Double

        public init(exploration: Double, checking: Double, total: Double) {
            self.exploration = exploration
            self.checking = checking
            self.total = total
        }
    }

    /// One refinement round, as the `round` event also reports it.
    public struct Round: Codable, Sendable, Equatable {
        public var iteration: Int
        public var kappa: Double
        public var states: Int
        public var transitions: Int
        public var frontier: Int
        public var pmin: Double
        public var pmax: Double
        public var seconds: Double

        public init(
            iteration: Int, kappa: Double, states: Int, transitions: Int, frontier: Int, pmin: Double, pmax: Double,
            seconds: Double
        ) {
            self.iteration = iteration
            self.kappa = kappa
            self.states = states
            self.transitions = transitions
            self.frontier = frontier
            self.pmin = pmin
            self.pmax = pmax
            self.seconds = seconds
        }
    }

    /// Why a property has no result (the run went on with the others).
    public struct Failure: Codable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var name: String?
    public var text: String
    /// The engine's `PropertyKind` raw value: `probability`, `reward`, `steadyState`, ...
    public var kind: String?
    public var pmin: Double?
    public var pmax: Double?
    /// pmax - pmin as computed.
    public var window: Double?
    public var windowReached: Bool?
    /// For a bounded query (`P>=0.5 [...]`): the engine's `Verdict` raw value.
    public var verdict: String?
    /// The experiment's valuation (`--const N=1:2:9`); empty without ranges.
    public var constants: ConstantValues
    public var status: Status
    /// The engine's `StopReason` raw value when the window was not reached.
    public var stoppedBy: String?
    public var windowKind: WindowKind
    /// The width the window asks for: the window, or window x pmin with `--relative`.
    public var windowTarget: Double?
    public var initialStateCount: Int
    /// The bounds from each initial state; pmin/pmax are the first's.
    public var initialStates: [InitialState]
    /// filter(op, prop, states): its answer (pmin/pmax are its value when it has one).
    public var filter: FilterResult?
    public var states: Int?
    public var transitions: Int?
    public var iterations: Int?
    public var kappa: Double?
    public var seconds: Seconds
    public var rounds: [Round]
    public var error: Failure?

    public init(text: String, status: Status, windowKind: WindowKind, seconds: Seconds) {
        self.text = text
        self.status = status
        self.windowKind = windowKind
        self.seconds = seconds
        constants = ConstantValues()
        initialStateCount = 1
        initialStates = []
        rounds = []
    }

    enum CodingKeys: String, CodingKey {
        case name, text, kind, pmin, pmax, window, windowReached, verdict, constants, status, stoppedBy, windowKind
        case windowTarget, initialStateCount, initialStates, filter, states, transitions, iterations, kappa, seconds,
            rounds
        case error
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(text, forKey: .text)
        try c.encode(kind, forKey: .kind)
        try c.encode(pmin, forKey: .pmin)
        try c.encode(pmax, forKey: .pmax)
        try c.encode(window, forKey: .window)
        try c.encode(windowReached, forKey: .windowReached)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(constants, forKey: .constants)
        try c.encode(status, forKey: .status)
        try c.encode(stoppedBy, forKey: .stoppedBy)
        try c.encode(windowKind, forKey: .windowKind)
        try c.encode(windowTarget, forKey: .windowTarget)
        try c.encode(initialStateCount, forKey: .initialStateCount)
        try c.encode(initialStates, forKey: .initialStates)
        try c.encode(filter, forKey: .filter)
        try c.encode(states, forKey: .states)
        try c.encode(transitions, forKey: .transitions)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(kappa, forKey: .kappa)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(rounds, forKey: .rounds)
        try c.encode(error, forKey: .error)
    }
}
