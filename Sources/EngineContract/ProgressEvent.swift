// The lines of the `--events` file (section 5 of the contract): after every refinement round a
// `round` event, and when a property is finished a `property` event. `property` is the property's
// index in the run (counting every valuation's properties of an experiment from 0 each time).

public enum ProgressEvent: Codable, Sendable, Equatable {
    case round(Round)
    case property(PropertyFinished)

    /// The `type` member's values.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case round, property
    }

    public struct Round: Codable, Sendable, Equatable {
        public var property: Int
        public var iteration: Int
        public var kappa: Double
        public var states: Int
        public var transitions: Int
        public var frontier: Int
        public var pmin: Double
        public var pmax: Double
        public var seconds: Double

        public init(property: Int, round: PropertyResult.Round) {
            self.property = property
            iteration = round.iteration
            kappa = round.kappa
            states = round.states
            transitions = round.transitions
            frontier = round.frontier
            pmin = round.pmin
            pmax = round.pmax
            seconds = round.seconds
        }
    }

    public struct PropertyFinished: Codable, Sendable, Equatable {
        public var property: Int
        public var pmin: Double?
        public var pmax: Double?
        public var windowReached: Bool?

        public init(property: Int, pmin: Double?, pmax: Double?, windowReached: Bool?) {
            self.property = property
            self.pmin = pmin
            self.pmax = pmax
            self.windowReached = windowReached
        }
    }

    public var kind: Kind {
        switch self {
        case .round: .round
        case .property: .property
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, property, iteration, kappa, states, transitions, frontier, pmin, pmax, seconds, windowReached
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .type) {
        case .round: self = .round(try Round(from: decoder))
        case .property: self = .property(try PropertyFinished(from: decoder))
        }
    }

    /// `type` first, then the members in the order of `CodingKeys`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .type)
        switch self {
        case .round(let r):
            try c.encode(r.property, forKey: .property)
            try c.encode(r.iteration, forKey: .iteration)
            try c.encode(r.kappa, forKey: .kappa)
            try c.encode(r.states, forKey: .states)
            try c.encode(r.transitions, forKey: .transitions)
            try c.encode(r.frontier, forKey: .frontier)
            try c.encode(r.pmin, forKey: .pmin)
            try c.encode(r.pmax, forKey: .pmax)
            try c.encode(r.seconds, forKey: .seconds)
        case .property(let p):
            try c.encode(p.property, forKey: .property)
            try c.encode(p.pmin, forKey: .pmin)
            try c.encode(p.pmax, forKey: .pmax)
            try c.encode(p.windowReached, forKey: .windowReached)
        }
    }
}
