// Resolved, typed expressions.
//
// The front end makes every implicit conversion explicit (`.intToDouble`), so the operands of an
// arithmetic or comparison node always have the same type and each node's type follows from its
// operands. That lets the engine compile an expression into typed instructions without a table.

public enum ValueType: String, Sendable, Hashable, Codable {
    case int, double, bool
}

public enum Value: Sendable, Hashable {
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public var type: ValueType {
        switch self {
        case .int: .int
        case .double: .double
        case .bool: .bool
        }
    }
}

public enum ArithmeticOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*"
}

public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">",
        greaterOrEqual = ">="
}

public enum LogicalOperator: String, Sendable, Hashable {
    case and = "&", or = "|", implies = "=>", iff = "<=>"
}

/// Built-in functions. Argument and result types, after promotion by the front end:
/// `min`/`max`: n >= 2 arguments of one numeric type, result that type;
/// `floor`/`ceil`/`round`: one `.double`, result `.int` (PRISM's `round` rounds half up);
/// `pow`: two `.int` (result `.int`) or two `.double` (result `.double`);
/// `mod`: two `.int`, result `.int` (non-negative for a positive divisor, as PRISM);
/// `log`: two `.double` (value, base), result `.double`.
public enum BuiltinFunction: String, Sendable, Hashable {
    case min, max, floor, ceil, round, pow, mod, log
}

public indirect enum Expr: Sendable, Hashable {
    case literal(Value)
    case variable(slot: Int, type: ValueType)
    case intToDouble(Expr)
    /// Boolean negation.
    case not(Expr)
    /// Numeric negation.
    case negate(Expr)
    case arithmetic(ArithmeticOperator, Expr, Expr)
    /// Real division: both operands `.double`, result `.double`.
    case divide(Expr, Expr)
    case compare(ComparisonOperator, Expr, Expr)
    case logical(LogicalOperator, Expr, Expr)
    case ifThenElse(Expr, Expr, Expr)
    case call(BuiltinFunction, [Expr])
    /// A formula or label body lowered once and referenced wherever the name is used, so that a
    /// model whose formulas use each other many times stays as small as its text (see `SharedExpr`).
    case shared(SharedExpr)

    public var type: ValueType {
        switch self {
        case .literal(let value): value.type
        case .shared(let node): node.type
        case .variable(_, let type): type
        case .intToDouble, .divide: .double
        case .not, .compare, .logical: .bool
        case .negate(let operand): operand.type
        case .arithmetic(_, let lhs, _): lhs.type
        case .ifThenElse(_, let then, _): then.type
        case .call(let function, let arguments):
            switch function {
            case .floor, .ceil, .round, .mod: .int
            case .log: .double
            case .min, .max, .pow: arguments.first?.type ?? .double
            }
        }
    }
}
