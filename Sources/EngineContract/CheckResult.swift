// The `--json` document of a finished `stamina check` run (section 3 of the contract). Each type
// writes its members in the order of its `CodingKeys` and writes absent values as null
// (`encode(to:)`), and reads them back with the synthesised `init(from:)`.

/// The whole document: the run's model, parameters, and one result per property (per valuation).
public struct CheckResult: Codable, Sendable, Equatable {
    public struct Engine: Codable, Sendable, Equatable {
        public var name: String
        public var version: String

        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Model: Codable, Sendable, Equatable {
        /// The model file as given on the command line.
        public var file: String
        public var propertiesFile: String?
        /// `ctmc` (the engine refuses other types before a result is written).
        public var type: String
        /// Every constant's value (the last valuation's, in an experiment).
        public var constants: ConstantValues

        public init(file: String, propertiesFile: String?, type: String, constants: ConstantValues) {
            self.file = file
            self.propertiesFile = propertiesFile
            self.type = type
            self.constants = constants
        }

        enum CodingKeys: String, CodingKey { case file, propertiesFile, type, constants }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(propertiesFile, forKey: .propertiesFile)
            try c.encode(type, forKey: .type)
            try c.encode(constants, forKey: .constants)
        }
    }

    /// The settings the run used (defaults filled in).
    public struct Parameters: Codable, Sendable, Equatable {
        public var kappa: Double
        public var reduceKappa: Double
        public var approxFactor: Double
        public var window: Double
        public var maxIterations: Int
        public var method: CheckRequest.Method
        public var propertyTruncation: Bool
        public var exact: Bool
        public var relativeWindow: Bool

        public init(
            kappa: Double, reduceKappa: Double, approxFactor: Double, window: Double, maxIterations: Int,
            method: CheckRequest.Method, propertyTruncation: Bool, exact: Bool, relativeWindow: Bool
        ) {
            self.kappa = kappa
            self.reduceKappa = reduceKappa
            self.approxFactor = approxFactor
            self.window = window
            self.maxIterations = maxIterations
            self.method = method
            self.propertyTruncation = propertyTruncation
            self.exact = exact
            self.relativeWindow = relativeWindow
        }

        enum CodingKeys: String, CodingKey {
            case kappa, reduceKappa, approxFactor, window, maxIterations, method, propertyTruncation, exact
            case relativeWindow
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kappa, forKey: .kappa)
            try c.encode(reduceKappa, forKey: .reduceKappa)
            try c.encode(approxFactor, forKey: .approxFactor)
            try c.encode(window, forKey: .window)
            try c.encode(maxIterations, forKey: .maxIterations)
            try c.encode(method, forKey: .method)
            try c.encode(propertyTruncation, forKey: .propertyTruncation)
            try c.encode(exact, forKey: .exact)
            try c.encode(relativeWindow, forKey: .relativeWindow)
        }
    }

    public struct Seconds: Codable, Sendable, Equatable {
        public var total: Double

        public init(total: Double) { self.total = total }
    }

    public var engine: Engine
    public var model: Model
    public var parameters: Parameters
    public var properties: [PropertyResult]
    /// The last valuation's model: states and transitions explored, initial states.
    public var states: Int
    public var transitions: Int
    public var initialStates: Int
    public var seconds: Seconds
    /// The engine's own peak resident set size.
    public var peakMemoryBytes: Int

    public init(
        engine: Engine, model: Model, parameters: Parameters, properties: [PropertyResult], states: Int,
        transitions: Int, initialStates: Int, seconds: Seconds, peakMemoryBytes: Int
    ) {
        self.engine = engine
        self.model = model
        self.parameters = parameters
        self.properties = properties
        self.states = states
        self.transitions = transitions
        self.initialStates = initialStates
        self.seconds = seconds
        self.peakMemoryBytes = peakMemoryBytes
    }

    enum CodingKeys: String, CodingKey {
        case engine, model, parameters, properties, states, transitions, initialStates, seconds, peakMemoryBytes
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(engine, forKey: .engine)
        try c.encode(model, forKey: .model)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(properties, forKey: .properties)
        try c.encode(states, forKey: .states)
        try c.encode(transitions, forKey: .transitions)
        try c.encode(initialStates, forKey: .initialStates)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
    }
}
