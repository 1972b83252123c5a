// What a check run reports: per property its bounds, counts and refinement rounds.

import PRISM

public struct RoundReport: Sendable {
    public var iteration: Int
    public var kappa: Double
    public var states: Int
    public var transitions: Int
    public var frontier: Int
    public var pmin: Double
    public var pmax: Double
    public var seconds: Double
}

public struct PropertyError: Sendable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

public enum Verdict: String, Sendable {
    case `true`, `false`, unknown
}

/// What ended a property's refinement.
public enum StopReason: String, Sendable {
    /// Pmax - Pmin reached the window.
    case window
    /// Nothing was left to explore: the bounds are as tight as the numerics make them.
    case wholeModel
    /// The refinement rounds (`--maxApproxCount`, or the expansion budget's) ran out.
    case roundLimit
    /// `--max-states`: the bounds are those of the model explored up to the limit.
    case stateLimit
    /// `--time-limit`: the bounds are those of the last round that finished in time.
    case timeLimit
}

/// A property's bounds from one initial state.
public struct InitialStateValue: Sendable {
    /// The state's valuation, `x=0, y=true`.
    public var state: String
    public var pmin: Double
    public var pmax: Double

    public init(state: String, pmin: Double, pmax: Double) {
        self.state = state
        self.pmin = pmin
        self.pmax = pmax
    }
}

public struct PropertyReport: Sendable {
    public var index: Int
    public var name: String?
    public var text: String
    public var kind: PropertyKind?
    public var pmin: Double?
    public var pmax: Double?
    public var windowReached: Bool?
    public var verdict: Verdict?
    public var states: Int?
    public var transitions: Int?
    public var iterations: Int?
    public var kappa: Double?
    public var explorationSeconds = 0.0
    public var checkingSeconds = 0.0
    public var totalSeconds = 0.0
    public var rounds: [RoundReport] = []
    public var error: PropertyError?
    /// Why the refinement ended; nil when nothing was computed.
    public var stoppedBy: StopReason?
    /// The bounds from each initial state (the first is `pmin`/`pmax`, which the refinement aimed
    /// at); at most `CheckRun.maxInitialValues` of them, empty when nothing was computed.
    public var initialValues: [InitialStateValue] = []
    /// How many initial states the model has (`initialValues` may list fewer).
    public var initialStateCount = 1
    /// `filter(op, prop, states)`: its answer; `pmin`/`pmax` are then the filter's value (nil
    /// when it has none, or none with an upper bound), `verdict` its forall/exists.
    public var filter: FilterReport?

    public init(index: Int, name: String? = nil, text: String) {
        self.index = index
        self.name = name
        self.text = text
    }

    public var window: Double? {
        guard let pmin, let pmax else { return nil }
        return pmax - pmin
    }
}

public struct RunReport: Sendable {
    public var properties: [PropertyReport]
    public var states: Int
    public var transitions: Int
    public var initialStates: Int
    public var seconds: Double
}

/// Receives progress as it happens (the command line writes events and progress from it).
public protocol CheckObserver: AnyObject {
    func round(property: Int, _ round: RoundReport)
    func propertyFinished(_ report: PropertyReport)
    func message(_ text: String)
    func progress(states: Int, kappa: Double)
}
