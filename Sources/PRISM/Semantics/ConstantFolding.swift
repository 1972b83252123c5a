// Evaluation of operators on known values, used to fold constant sub-expressions into literals.
// The operators' semantics are `PRISMOperators` (shared with the engine's expression machine); this
// file only unwraps `Value`s and words the faults as messages (the caller locates them). The one
// rule of its own: a division by zero among constants is refused rather than folded to an infinity.

import Foundation

enum Folding {
    static func literal(_ expression: Expr) -> Value? {
        if case .literal(let value) = expression { return value }
        return nil
    }

    static func double(_ value: Value) -> Double {
        switch value {
        case .int(let integer): Double(integer)
        case .double(let real): real
        case .bool(let flag): flag ? 1 : 0
        }
    }

    static func arithmetic(_ op: ArithmeticOperator, _ lhs: Value, _ rhs: Value) -> Result<Value, FoldingError> {
        if case .int(let a) = lhs, case .int(let b) = rhs {
            let result =
                switch op {
                case .add: PRISMOperators.add(a, b)
                case .subtract: PRISMOperators.subtract(a, b)
                case .multiply: PRISMOperators.multiply(a, b)
                }
            return result.map(Value.int).mapError { _ in FoldingError("integer overflow in \(a) \(op.rawValue) \(b)") }
        }
        let a = double(lhs)
        let b = double(rhs)
        switch op {
        case .add: return .success(.double(a + b))
        case .subtract: return .success(.double(a - b))
        case .multiply: return .success(.double(a * b))
        }
    }

    static func negate(_ value: Value) -> Result<Value, FoldingError> {
        switch value {
        case .int(let a):
            return PRISMOperators.negate(a).map(Value.int).mapError { _ in
                FoldingError("integer overflow negating \(a)")
            }
        case .double(let a): return .success(.double(-a))
        case .bool: return .failure(FoldingError("cannot negate a boolean"))
        }
    }

    static func divide(_ lhs: Value, _ rhs: Value) -> Result<Value, FoldingError> {
        let divisor = double(rhs)
        if divisor == 0 { return .failure(FoldingError("division by zero")) }
        return .success(.double(PRISMOperators.divide(double(lhs), divisor)))
    }

    static func compare(_ op: ComparisonOperator, _ lhs: Value, _ rhs: Value) -> Bool {
        if case .bool(let a) = lhs, case .bool(let b) = rhs {
            return op == .equal ? a == b : a != b
        }
        if case .int(let a) = lhs, case .int(let b) = rhs { return PRISMOperators.compare(op, a, b) }
        return PRISMOperators.compare(op, double(lhs), double(rhs))
    }

    static func logical(_ op: LogicalOperator, _ a: Bool, _ b: Bool) -> Bool {
        switch op {
        case .and: a && b
        case .or: a || b
        case .implies: !a || b
        case .iff: a == b
        }
    }

    /// The result of `floor`/`ceil`/`round`, or why it does not fit in an integer.
    static func integer(_ result: Result<Int64, OperatorFault>, _ function: BuiltinFunction) -> Result<
        Value, FoldingError
    > {
        result.map(Value.int).mapError { fault in
            guard case .doubleToIntOverflow(let value) = fault else { return FoldingError("\(function): \(fault)") }
            return FoldingError("\(function) of \(value) does not fit in an integer")
        }
    }

    static func call(_ function: BuiltinFunction, _ arguments: [Value]) -> Result<Value, FoldingError> {
        switch function {
        case .min, .max:
            // The checker promotes every argument to double when one is, so they share one type;
            // many arguments fold left to right, as the machine evaluates them.
            guard var best = arguments.first else { return .failure(FoldingError("\(function) needs arguments")) }
            for argument in arguments.dropFirst() {
                if case .int(let a) = best, case .int(let b) = argument {
                    best = .int(function == .min ? PRISMOperators.min(a, b) : PRISMOperators.max(a, b))
                } else {
                    let (a, b) = (double(best), double(argument))
                    best = .double(function == .min ? PRISMOperators.min(a, b) : PRISMOperators.max(a, b))
                }
            }
            return .success(best)
        case .floor: return integer(PRISMOperators.floor(double(arguments[0])), function)
        case .ceil: return integer(PRISMOperators.ceil(double(arguments[0])), function)
        case .round: return integer(PRISMOperators.round(double(arguments[0])), function)
        case .pow:
            if case .int(let base) = arguments[0], case .int(let exponent) = arguments[1] {
                return integerPower(base, exponent)
            }
            return .success(.double(PRISMOperators.power(double(arguments[0]), double(arguments[1]))))
        case .mod:
            guard case .int(let a) = arguments[0], case .int(let b) = arguments[1] else {
                return .failure(FoldingError("mod needs integers"))
            }
            return PRISMOperators.modulo(a, b).map(Value.int).mapError { _ in
                FoldingError("modulo with non-positive divisor \(b)")
            }
        case .log:
            return .success(.double(PRISMOperators.log(double(arguments[0]), base: double(arguments[1]))))
        }
    }

    static func integerPower(_ base: Int64, _ exponent: Int64) -> Result<Value, FoldingError> {
        PRISMOperators.power(base, exponent).map(Value.int).mapError { fault in
            fault == .negativeExponent
                ? FoldingError("negative exponent \(exponent) in an integer power")
                : FoldingError("integer overflow in pow(\(base), \(exponent))")
        }
    }
}

struct FoldingError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
