// PRISM's integer and real operator semantics, defined once. Constant folding (`Folding`) and the
// engine's expression machine both call these, so a constant folded by the front end and the same
// expression evaluated in a state cannot drift apart (a property test checks that they agree).
//
// Integers are Int64 and report overflow instead of trapping or wrapping. Reals are IEEE doubles:
// `/` is always real division and gives an infinity or NaN for a zero divisor, as PRISM's Java does
// at run time; the front end additionally refuses a division by zero among constants (a modelling
// error it can locate), which is the one place folding is stricter than evaluation. `mod` follows
// PRISM 4.x: the divisor must be positive and the result is the non-negative remainder. `round`
// is Java's Math.round (halves go towards positive infinity). Everything is `@inlinable`: the
// machine's inner loop calls these, and a call across modules there would cost exploration speed.

import Foundation

/// Why an operator has no value for its operands; the caller adds where and in which state.
public enum OperatorFault: Error, Sendable, Hashable {
    case integerOverflow
    /// `mod` with a divisor of zero or below.
    case nonPositiveModulus(Int64)
    case negativeExponent
    /// `floor`, `ceil` or `round` of a value outside Int64 (or NaN, or an infinity).
    case doubleToIntOverflow(Double)
}

public enum PRISMOperators {
    @inlinable
    public static func add(_ a: Int64, _ b: Int64) -> Result<Int64, OperatorFault> {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? .failure(.integerOverflow) : .success(value)
    }

    @inlinable
    public static func subtract(_ a: Int64, _ b: Int64) -> Result<Int64, OperatorFault> {
        let (value, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? .failure(.integerOverflow) : .success(value)
    }

    @inlinable
    public static func multiply(_ a: Int64, _ b: Int64) -> Result<Int64, OperatorFault> {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .failure(.integerOverflow) : .success(value)
    }

    @inlinable
    public static func negate(_ a: Int64) -> Result<Int64, OperatorFault> {
        let (value, overflow) = Int64(0).subtractingReportingOverflow(a)
        return overflow ? .failure(.integerOverflow) : .success(value)
    }

    /// Real division, PRISM's `/` for every operand type.
    @inlinable
    public static func divide(_ a: Double, _ b: Double) -> Double { a / b }

    /// `pow` of two integers: an integer; a negative exponent has no integer result.
    @inlinable
    public static func power(_ base: Int64, _ exponent: Int64) -> Result<Int64, OperatorFault> {
        if exponent < 0 { return .failure(.negativeExponent) }
        var result: Int64 = 1
        var factor = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 {
                let (product, overflow) = result.multipliedReportingOverflow(by: factor)
                if overflow { return .failure(.integerOverflow) }
                result = product
            }
            remaining >>= 1
            if remaining > 0 {
                let (square, overflow) = factor.multipliedReportingOverflow(by: factor)
                if overflow { return .failure(.integerOverflow) }
                factor = square
            }
        }
        return .success(result)
    }

    @inlinable
    public static func power(_ base: Double, _ exponent: Double) -> Double { Foundation.pow(base, exponent) }

    /// PRISM 4.x `mod`: a positive divisor, a non-negative result.
    @inlinable
    public static func modulo(_ a: Int64, _ b: Int64) -> Result<Int64, OperatorFault> {
        guard b > 0 else { return .failure(.nonPositiveModulus(b)) }
        let remainder = a % b
        return .success(remainder < 0 ? remainder + b : remainder)
    }

    /// `log(x, base)`.
    @inlinable
    public static func log(_ value: Double, base: Double) -> Double { Foundation.log(value) / Foundation.log(base) }

    @inlinable
    public static func floor(_ value: Double) -> Result<Int64, OperatorFault> {
        integer(value.rounded(.down), from: value)
    }

    @inlinable
    public static func ceil(_ value: Double) -> Result<Int64, OperatorFault> {
        integer(value.rounded(.up), from: value)
    }

    /// Java's Math.round as PRISM uses it: round(-2.5) = -2, round(2.5) = 3.
    @inlinable
    public static func round(_ value: Double) -> Result<Int64, OperatorFault> {
        integer((value + 0.5).rounded(.down), from: value)
    }

    /// An integral double as an Int64; fails outside Int64 (2^63 itself is outside).
    @inlinable
    static func integer(_ integral: Double, from value: Double) -> Result<Int64, OperatorFault> {
        guard integral.isFinite, integral >= -9.223_372_036_854_775_808e18, integral < 9.223_372_036_854_775_808e18
        else { return .failure(.doubleToIntOverflow(value)) }
        return .success(Int64(integral))
    }

    @inlinable
    public static func min(_ a: Int64, _ b: Int64) -> Int64 { Swift.min(a, b) }

    @inlinable
    public static func max(_ a: Int64, _ b: Int64) -> Int64 { Swift.max(a, b) }

    /// Swift's min: with a NaN, the first operand wins (min(NaN, 1) = NaN, min(1, NaN) = 1), which is
    /// also what folding a many-argument `min` left to right gives.
    @inlinable
    public static func min(_ a: Double, _ b: Double) -> Double { Swift.min(a, b) }

    @inlinable
    public static func max(_ a: Double, _ b: Double) -> Double { Swift.max(a, b) }

    @inlinable
    public static func compare(_ op: ComparisonOperator, _ a: Int64, _ b: Int64) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }

    /// IEEE comparison: every comparison with NaN is false except `!=`.
    @inlinable
    public static func compare(_ op: ComparisonOperator, _ a: Double, _ b: Double) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }
}
