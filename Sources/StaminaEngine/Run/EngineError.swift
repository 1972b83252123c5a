// Everything the engine can refuse or fail with, carrying what a user needs to find the cause
// (state valuation, command location and text, limit hit). Converted to text or JSON at the edge.

import PRISM

public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// Input errors (exit 1).
    case unsupportedModelType(ModelType)
    /// `location`: where the variable is declared (filled in by `CheckRun`).
    case unboundedVariableInInitBlock(variable: String, location: SourceLocation? = nil)
    case noInitialState
    case tooManyInitialStates(limit: Int)
    /// Runtime errors of the model (exit 2).
    case invalidRate(value: Double, state: String, command: String)
    case outOfRange(variable: String, value: Int64, range: String, state: String, command: String)
    case evaluation(fault: EvaluationFault, context: String, state: String)
    case conflictingAssignments(variable: String, first: String, second: String, state: String)
    case timeLimit(seconds: Double)
    case stateLimit(states: Int)
    case numerics(String)

    public var isInputError: Bool {
        switch self {
        case .unsupportedModelType, .unboundedVariableInInitBlock, .noInitialState, .tooManyInitialStates: true
        default: false
        }
    }

    /// A stable code for JSON output.
    public var code: String {
        switch self {
        case .unsupportedModelType: "UNSUPPORTED_MODEL_TYPE"
        case .unboundedVariableInInitBlock: "UNBOUNDED_INIT"
        case .noInitialState: "NO_INITIAL_STATE"
        case .tooManyInitialStates: "TOO_MANY_INITIAL_STATES"
        case .invalidRate: "INVALID_RATE"
        case .outOfRange: "OUT_OF_RANGE"
        case .evaluation(let fault, _, _): fault == .integerOverflow ? "OVERFLOW" : "EVALUATION_ERROR"
        case .conflictingAssignments: "CONFLICTING_ASSIGNMENTS"
        case .timeLimit: "TIME_LIMIT"
        case .stateLimit: "STATE_LIMIT"
        case .numerics: "NUMERICS_ERROR"
        }
    }

    public var description: String {
        switch self {
        case .unsupportedModelType(let type):
            "model type \(type.rawValue) is not supported; STAMINA analyses CTMCs"
        case .unboundedVariableInInitBlock(let variable, let location):
            "\(location.map { "\($0): " } ?? "")the init block constrains unbounded variable '\(variable)', declared here without a range; give it bounds"
        case .noInitialState:
            "the model has no initial state (the init predicate is never true)"
        case .tooManyInitialStates(let limit):
            "the init block allows more than \(limit) initial states"
        case .invalidRate(let value, let state, let command):
            "rate \(value) is not a non-negative finite number in state (\(state)) for command \(command)"
        case .outOfRange(let variable, let value, let range, let state, let command):
            "update gives \(variable)=\(value), outside \(range), in state (\(state)) for command \(command)"
        case .evaluation(let fault, let context, let state):
            "\(Self.describe(fault)) while evaluating \(context) in state (\(state))"
        case .conflictingAssignments(let variable, let first, let second, let state):
            "variable '\(variable)' is assigned by two synchronising commands, \(first) and \(second), in state (\(state))"
        case .timeLimit(let seconds):
            "time limit of \(seconds) s reached"
        case .stateLimit(let states):
            "state limit reached after \(states) states (the model may be infinite); raise --max-states"
        case .numerics(let message):
            "numerical solver failed: \(message)"
        }
    }

    static func describe(_ fault: EvaluationFault) -> String {
        switch fault {
        case .integerOverflow: "integer overflow"
        case .nonPositiveModulus(let divisor): "modulo with non-positive divisor \(divisor)"
        case .negativeExponent: "negative exponent in integer pow"
        case .doubleToIntOverflow(let value): "\(value) does not fit an integer"
        }
    }
}
