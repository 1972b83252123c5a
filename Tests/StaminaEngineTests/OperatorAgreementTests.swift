// Constant folding (the front end's `Folding`) and the engine's expression machine share one
// definition of PRISM's operators (`PRISMOperators`); this property test checks that they also give
// the same answer: for random operands, every operator either yields the same value (bit for bit;
// any NaN matches any NaN) on both sides or a fault on both. Operands are drawn from the edges
// (Int64.min and max, -1, 0, NaN, infinities, signed zeros, halves, doubles just inside and outside
// Int64) as well as small and arbitrary values, so negative powers, overflow, modulo by zero or a
// negative number and division by zero all come up. The one documented difference: folding refuses
// a division by zero among constants, where the machine gives IEEE's infinity or NaN.

import Foundation
import PropertyBased
import Testing

@testable import PRISM
@testable import StaminaEngine

@Suite struct OperatorAgreementTests {
    /// What an operator gave: raw 64 bits (an Int64, a Double's bits or a Bool as 0/1), any NaN,
    /// or a fault.
    enum Outcome: Equatable, CustomStringConvertible {
        case bits(UInt64)
        case nan
        case fault

        init(folded: Result<Value, FoldingError>) {
            switch folded {
            case .success(.int(let value)): self = .bits(UInt64(bitPattern: value))
            case .success(.double(let value)): self = value.isNaN ? .nan : .bits(value.bitPattern)
            case .success(.bool(let flag)): self = .bits(flag ? 1 : 0)
            case .failure: self = .fault
            }
        }

        init(machine: Result<UInt64, EvaluationFault>, isDouble: Bool) {
            switch machine {
            case .success(let bits): self = isDouble && Double(bitPattern: bits).isNaN ? .nan : .bits(bits)
            case .failure: self = .fault
            }
        }

        var description: String {
            switch self {
            case .bits(let bits): "bits \(bits) (int \(Int64(bitPattern: bits)), double \(Double(bitPattern: bits)))"
            case .nan: "NaN"
            case .fault: "fault"
            }
        }
    }

    static let integerEdges: [Int64] = [
        .min, .min + 1, -3_037_000_500, -65_536, -2, -1, 0, 1, 2, 3, 63, 64, 3_037_000_500, .max,
    ]
    static let doubleEdges: [Double] = [
        0, -0.0, 1, -1, 0.5, -0.5, 2.5, -2.5, 1.5, .nan, .infinity, -.infinity, 9.223_372_036_854_775_807e18,
        -9.223_372_036_854_775_808e18, 9.3e18, -9.3e18, 4.503_599_627_370_497e15, .greatestFiniteMagnitude,
        .leastNonzeroMagnitude, -.leastNormalMagnitude,
    ]

    /// An edge, a small integer or an arbitrary one, as `selector` says.
    static func integer(_ selector: Int, _ raw: Int64) -> Int64 {
        if selector < integerEdges.count { return integerEdges[selector] }
        if selector < 2 * integerEdges.count { return raw % 41 }
        return raw
    }

    /// An edge, a short decimal or any bit pattern (NaNs and subnormals included), as `selector` says.
    static func double(_ selector: Int, _ raw: Int64) -> Double {
        if selector < doubleEdges.count { return doubleEdges[selector] }
        if selector < 2 * doubleEdges.count { return Double(raw % 4001) / 100 }
        return Double(bitPattern: UInt64(bitPattern: raw))
    }

    /// Runs one instruction of the machine on registers [a, b, result].
    static func machine(_ opcode: Opcode, _ a: UInt64, _ b: UInt64) -> Result<UInt64, EvaluationFault> {
        var registers: [UInt64] = [a, b, 0]
        let code = [Instruction(opcode, 2, 0, 1)]
        return code.withUnsafeBufferPointer { code in
            registers.withUnsafeMutableBufferPointer { r in
                guard let program = code.baseAddress, let file = r.baseAddress else { return .success(0) }
                if let fault = ExpressionMachine.run(program, 0, 1, file) { return .failure(fault) }
                return .success(file[2])
            }
        }
    }

    static func expectAgreement(
        _ name: String, folded: Result<Value, FoldingError>, _ opcode: Opcode, _ a: UInt64, _ b: UInt64 = 0,
        isDouble: Bool
    ) {
        let fromFolding = Outcome(folded: folded)
        let fromMachine = Outcome(machine: machine(opcode, a, b), isDouble: isDouble)
        #expect(fromFolding == fromMachine, "\(name): folding gives \(fromFolding), the machine \(fromMachine)")
    }

    static let comparisons: [(ComparisonOperator, Opcode, Opcode)] = [
        (.equal, .intEqual, .doubleEqual), (.notEqual, .intNotEqual, .doubleNotEqual), (.less, .intLess, .doubleLess),
        (.lessOrEqual, .intLessOrEqual, .doubleLessOrEqual), (.greater, .intGreater, .doubleGreater),
        (.greaterOrEqual, .intGreaterOrEqual, .doubleGreaterOrEqual),
    ]

    static func checkIntegers(_ a: Int64, _ b: Int64) {
        let (x, y) = (UInt64(bitPattern: a), UInt64(bitPattern: b))
        let (ia, ib) = (Value.int(a), Value.int(b))
        let label = "(\(a), \(b))"
        expectAgreement("\(a) + \(b)", folded: Folding.arithmetic(.add, ia, ib), .intAdd, x, y, isDouble: false)
        expectAgreement(
            "\(a) - \(b)", folded: Folding.arithmetic(.subtract, ia, ib), .intSubtract, x, y, isDouble: false)
        expectAgreement(
            "\(a) * \(b)", folded: Folding.arithmetic(.multiply, ia, ib), .intMultiply, x, y, isDouble: false)
        expectAgreement("-\(a)", folded: Folding.negate(ia), .intNegate, x, isDouble: false)
        expectAgreement("pow\(label)", folded: Folding.call(.pow, [ia, ib]), .intPower, x, y, isDouble: false)
        expectAgreement("mod\(label)", folded: Folding.call(.mod, [ia, ib]), .intModulo, x, y, isDouble: false)
        expectAgreement("min\(label)", folded: Folding.call(.min, [ia, ib]), .intMin, x, y, isDouble: false)
        expectAgreement("max\(label)", folded: Folding.call(.max, [ia, ib]), .intMax, x, y, isDouble: false)
        for (op, intOpcode, _) in comparisons {
            expectAgreement(
                "\(a) \(op.rawValue) \(b)", folded: .success(.bool(Folding.compare(op, ia, ib))), intOpcode, x, y,
                isDouble: false)
        }
        // `/` of two integers is real division: the machine converts first (the compiler's intToDouble).
        let (da, db) = (Double(a), Double(b))
        let quotient = machine(.doubleDivide, da.bitPattern, db.bitPattern)
        let folded = Outcome(folded: Folding.divide(ia, ib))
        if b == 0 {
            #expect(folded == .fault, "\(a) / 0 among constants is refused")
        } else {
            #expect(folded == Outcome(machine: quotient, isDouble: true), "\(a) / \(b)")
        }
    }

    static func checkDoubles(_ a: Double, _ b: Double) {
        let (x, y) = (a.bitPattern, b.bitPattern)
        let (da, db) = (Value.double(a), Value.double(b))
        let label = "(\(a), \(b))"
        expectAgreement("\(a) + \(b)", folded: Folding.arithmetic(.add, da, db), .doubleAdd, x, y, isDouble: true)
        expectAgreement(
            "\(a) - \(b)", folded: Folding.arithmetic(.subtract, da, db), .doubleSubtract, x, y, isDouble: true)
        expectAgreement(
            "\(a) * \(b)", folded: Folding.arithmetic(.multiply, da, db), .doubleMultiply, x, y, isDouble: true)
        expectAgreement("-\(a)", folded: Folding.negate(da), .doubleNegate, x, isDouble: true)
        expectAgreement("pow\(label)", folded: Folding.call(.pow, [da, db]), .doublePower, x, y, isDouble: true)
        expectAgreement("log\(label)", folded: Folding.call(.log, [da, db]), .doubleLog, x, y, isDouble: true)
        expectAgreement("min\(label)", folded: Folding.call(.min, [da, db]), .doubleMin, x, y, isDouble: true)
        expectAgreement("max\(label)", folded: Folding.call(.max, [da, db]), .doubleMax, x, y, isDouble: true)
        // floor, ceil and round give integers (or a fault outside Int64, for NaN and infinities).
        expectAgreement("floor(\(a))", folded: Folding.call(.floor, [da]), .floor, x, isDouble: false)
        expectAgreement("ceil(\(a))", folded: Folding.call(.ceil, [da]), .ceil, x, isDouble: false)
        expectAgreement("round(\(a))", folded: Folding.call(.round, [da]), .round, x, isDouble: false)
        for (op, _, doubleOpcode) in comparisons {
            expectAgreement(
                "\(a) \(op.rawValue) \(b)", folded: .success(.bool(Folding.compare(op, da, db))), doubleOpcode, x, y,
                isDouble: false)
        }
        let folded = Outcome(folded: Folding.divide(da, db))
        if b == 0 {
            #expect(folded == .fault, "\(a) / \(b) among constants is refused")
        } else {
            #expect(folded == Outcome(machine: machine(.doubleDivide, x, y), isDouble: true), "\(a) / \(b)")
        }
    }

    @Test func foldingAndTheMachineAgreeOnIntegers() async {
        let selectors = 3 * Self.integerEdges.count - 1
        await propertyCheck(
            count: 3000, input: Gen.int(in: 0...selectors), Gen.int64(), Gen.int(in: 0...selectors), Gen.int64()
        ) { s1, r1, s2, r2 in
            Self.checkIntegers(Self.integer(s1, r1), Self.integer(s2, r2))
        }
    }

    @Test func foldingAndTheMachineAgreeOnDoubles() async {
        let selectors = 3 * Self.doubleEdges.count - 1
        await propertyCheck(
            count: 3000, input: Gen.int(in: 0...selectors), Gen.int64(), Gen.int(in: 0...selectors), Gen.int64()
        ) { s1, r1, s2, r2 in
            Self.checkDoubles(Self.double(s1, r1), Self.double(s2, r2))
        }
    }

    /// Every pair of edges, not only the ones the random draws happen to meet.
    @Test func foldingAndTheMachineAgreeOnEveryPairOfEdges() {
        for a in Self.integerEdges { for b in Self.integerEdges { Self.checkIntegers(a, b) } }
        for a in Self.doubleEdges { for b in Self.doubleEdges { Self.checkDoubles(a, b) } }
    }

    /// The faults the machine reports are the operators' own (their messages name them).
    @Test func theMachineReportsTheOperatorsFaults() {
        #expect(Self.machine(.intPower, 2, UInt64(bitPattern: -1)) == .failure(.negativeExponent))
        #expect(Self.machine(.intPower, 2, 64) == .failure(.integerOverflow))
        #expect(Self.machine(.intModulo, 7, 0) == .failure(.nonPositiveModulus(0)))
        #expect(Self.machine(.intModulo, 7, UInt64(bitPattern: -3)) == .failure(.nonPositiveModulus(-3)))
        #expect(Self.machine(.intModulo, UInt64(bitPattern: -7), 3) == .success(2))
        #expect(Self.machine(.round, (-2.5).bitPattern, 0) == .success(UInt64(bitPattern: -2)))
        #expect(Self.machine(.ceil, Double.infinity.bitPattern, 0) == .failure(.doubleToIntOverflow(.infinity)))
        guard case .failure(.doubleToIntOverflow(let value)) = Self.machine(.floor, Double.nan.bitPattern, 0) else {
            Issue.record("floor(NaN) must fault")
            return
        }
        #expect(value.isNaN)
    }
}
