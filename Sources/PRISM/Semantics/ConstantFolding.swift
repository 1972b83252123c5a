// Evaluation of operators on known values, used to fold constant sub-expressions into literals.
// Integer arithmetic reports overflow instead of trapping; division by zero and the like are
// errors with a message (the caller locates them).

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
            let (result, overflow) =
                switch op {
                case .add: a.addingReportingOverflow(b)
                case .subtract: a.subtractingReportingOverflow(b)
                case .multiply: a.multipliedReportingOverflow(by: b)
                }
            return overflow
                ? .failure(FoldingError("integer overflow in \(a) \(op.rawValue) \(b)")) : .success(.int(result))
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
            let (result, overflow) = Int64(0).subtractingReportingOverflow(a)
            return overflow ? .failure(FoldingError("integer overflow negating \(a)")) : .success(.int(result))
        case .double(let a): return .success(.double(-a))
        case .bool: return .failure(FoldingError("cannot negate a boolean"))
        }
    }

    static func divide(_ lhs: Value, _ rhs: Value) -> Result<Value, FoldingError> {
        let divisor = double(rhs)
        if divisor == 0 { return .failure(FoldingError("division by zero")) }
        return .success(.double(double(lhs) / divisor))
    }

    static func compare(_ op: ComparisonOperator, _ lhs: Value, _ rhs: Value) -> Bool {
        if case .bool(let a) = lhs, case .bool(let b) = rhs {
            return op == .equal ? a == b : a != b
        }
        if case .int(let a) = lhs, case .int(let b) = rhs {
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            }
        }
        let a = double(lhs)
        let b = double(rhs)
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        }
    }

    static func logical(_ op: LogicalOperator, _ a: Bool, _ b: Bool) -> Bool {
        switch op {
        case .and: a && b
        case .or: a || b
        case .implies: !a || b
        case .iff: a == b
        }
    }

    /// A double to an integer, as `floor`/`ceil`/`round` need; fails outside Int64.
    static func integer(_ value: Double, _ function: String) -> Result<Value, FoldingError> {
        guard value.isFinite, value >= -9.223_372_036_854_775_808e18, value < 9.223_372_036_854_775_808e18 else {
            return .failure(FoldingError("\(function) of \(value) does not fit in an integer"))
        }
        return .success(.int(Int64(value)))
    }

    static func call(_ function: BuiltinFunction, _ arguments: [Value]) -> Result<Value, FoldingError> {
        switch function {
        case .min, .max:
            guard var best = arguments.first else { return .failure(FoldingError("\(function) needs arguments")) }
            for argument in arguments.dropFirst() {
                let smaller = compare(.less, argument, best)
                if function == .min ? smaller : compare(.greater, argument, best) { best = argument }
            }
            return .success(best)
        case .floor: return integer(double(arguments[0]).rounded(.down), "floor")
        case .ceil: return integer(double(arguments[0]).rounded(.up), "ceil")
        // PRISM's round is Math.round: halves go up (towards positive infinity).
        case .round: return integer((double(arguments[0]) + 0.5).rounded(.down), "round")
        case .pow:
            if case .int(let base) = arguments[0], case .int(let exponent) = arguments[1] {
                return integerPower(base, exponent)
            }
            return .success(.double(pow(double(arguments[0]), double(arguments[1]))))
        case .mod:
            guard case .int(let a) = arguments[0], case .int(let b) = arguments[1] else {
                return .failure(FoldingError("mod needs integers"))
            }
            // PRISM 4.x: the divisor must be positive and the result is the non-negative modulo.
            guard b > 0 else { return .failure(FoldingError("modulo with non-positive divisor \(b)")) }
            let remainder = a % b
            return .success(.int(remainder < 0 ? remainder + b : remainder))
        case .log:
            let value = double(arguments[0])
            let base = double(arguments[1])
            return .success(.double(log(value) / log(base)))
        }
    }

    static func integerPower(_ base: Int64, _ exponent: Int64) -> Result<Value, FoldingError> {
        guard exponent >= 0 else {
            return .failure(FoldingError("negative exponent \(exponent) in an integer power"))
        }
        var result: Int64 = 1
        var factor = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 {
                let (product, overflow) = result.multipliedReportingOverflow(by: factor)
                if overflow { return .failure(FoldingError("integer overflow in pow(\(base), \(exponent))")) }
                result = product
            }
            remaining >>= 1
            if remaining > 0 {
                let (square, overflow) = factor.multipliedReportingOverflow(by: factor)
                if overflow { return .failure(FoldingError("integer overflow in pow(\(base), \(exponent))")) }
                factor = square
            }
        }
        return .success(.int(result))
    }
}

struct FoldingError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
