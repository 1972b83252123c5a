/// What can go wrong in the numerical core. Each case carries what a user needs to act on it.
public enum NumericsError: Error, Sendable, Equatable {
    /// A rate that is negative, infinite or NaN, found in `row` (the source state).
    case invalidRate(row: Int, value: Double)
    /// An argument out of its domain (negative time, mismatched vector lengths, ...).
    case invalidArgument(String)
    /// An iterative solver stopped at its iteration limit with this residual (gap between bounds
    /// or change between sweeps, as the solver documents).
    case didNotConverge(iterations: Int, residual: Double)
    /// The caller's `SolverDeadline` passed.
    case timeLimit
}

extension NumericsError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidRate(let row, let value):
            "invalid rate \(value) in the transitions of state \(row) (rates must be finite and >= 0)"
        case .invalidArgument(let message):
            message
        case .didNotConverge(let iterations, let residual):
            "the solver did not converge within \(iterations) iterations (residual \(residual))"
        case .timeLimit:
            "the time limit was reached during the numerical analysis"
        }
    }
}
