// Runs compiled expressions over a register file. No tree walking, no allocation: one loop over
// a contiguous instruction range, switching on the opcode.

import Foundation

enum ExpressionMachine {
    /// Runs instructions `start..<end`; returns the fault that stopped evaluation, if any.
    @inline(__always)
    static func run(
        _ code: UnsafePointer<Instruction>, _ start: Int32, _ end: Int32,
        _ r: UnsafeMutablePointer<UInt64>
    ) -> EvaluationFault? {
        var pc = Int(start)
        let stop = Int(end)
        while pc < stop {
            let instruction = code[pc]
            pc += 1
            let a = Int(instruction.a)
            let b = Int(instruction.b)
            let d = Int(instruction.destination)
            switch instruction.opcode {
            case .copy: r[d] = r[a]
            case .intAdd:
                let (v, o) = int(r[a]).addingReportingOverflow(int(r[b]))
                if o { return .integerOverflow }
                r[d] = UInt64(bitPattern: v)
            case .intSubtract:
                let (v, o) = int(r[a]).subtractingReportingOverflow(int(r[b]))
                if o { return .integerOverflow }
                r[d] = UInt64(bitPattern: v)
            case .intMultiply:
                let (v, o) = int(r[a]).multipliedReportingOverflow(by: int(r[b]))
                if o { return .integerOverflow }
                r[d] = UInt64(bitPattern: v)
            case .intNegate:
                let (v, o) = Int64(0).subtractingReportingOverflow(int(r[a]))
                if o { return .integerOverflow }
                r[d] = UInt64(bitPattern: v)
            case .doubleAdd: r[d] = (double(r[a]) + double(r[b])).bitPattern
            case .doubleSubtract: r[d] = (double(r[a]) - double(r[b])).bitPattern
            case .doubleMultiply: r[d] = (double(r[a]) * double(r[b])).bitPattern
            case .doubleDivide: r[d] = (double(r[a]) / double(r[b])).bitPattern
            case .doubleNegate: r[d] = (-double(r[a])).bitPattern
            case .intToDouble: r[d] = Double(int(r[a])).bitPattern
            case .intEqual: r[d] = bool(r[a] == r[b])
            case .intNotEqual: r[d] = bool(r[a] != r[b])
            case .intLess: r[d] = bool(int(r[a]) < int(r[b]))
            case .intLessOrEqual: r[d] = bool(int(r[a]) <= int(r[b]))
            case .intGreater: r[d] = bool(int(r[a]) > int(r[b]))
            case .intGreaterOrEqual: r[d] = bool(int(r[a]) >= int(r[b]))
            case .doubleEqual: r[d] = bool(double(r[a]) == double(r[b]))
            case .doubleNotEqual: r[d] = bool(double(r[a]) != double(r[b]))
            case .doubleLess: r[d] = bool(double(r[a]) < double(r[b]))
            case .doubleLessOrEqual: r[d] = bool(double(r[a]) <= double(r[b]))
            case .doubleGreater: r[d] = bool(double(r[a]) > double(r[b]))
            case .doubleGreaterOrEqual: r[d] = bool(double(r[a]) >= double(r[b]))
            case .boolEqual: r[d] = bool(r[a] == r[b])
            case .boolNotEqual: r[d] = bool(r[a] != r[b])
            case .not: r[d] = r[a] ^ 1
            case .implies: r[d] = (r[a] ^ 1) | r[b]
            case .intMin: r[d] = UInt64(bitPattern: Swift.min(int(r[a]), int(r[b])))
            case .intMax: r[d] = UInt64(bitPattern: Swift.max(int(r[a]), int(r[b])))
            case .doubleMin: r[d] = Swift.min(double(r[a]), double(r[b])).bitPattern
            case .doubleMax: r[d] = Swift.max(double(r[a]), double(r[b])).bitPattern
            case .floor:
                guard let v = toInt(Foundation.floor(double(r[a]))) else {
                    return .doubleToIntOverflow(double(r[a]))
                }
                r[d] = UInt64(bitPattern: v)
            case .ceil:
                guard let v = toInt(Foundation.ceil(double(r[a]))) else {
                    return .doubleToIntOverflow(double(r[a]))
                }
                r[d] = UInt64(bitPattern: v)
            case .round:
                // PRISM rounds halves up: round(-2.5) = -2.
                guard let v = toInt(Foundation.floor(double(r[a]) + 0.5)) else {
                    return .doubleToIntOverflow(double(r[a]))
                }
                r[d] = UInt64(bitPattern: v)
            case .intPower:
                switch power(int(r[a]), int(r[b])) {
                case .success(let v): r[d] = UInt64(bitPattern: v)
                case .failure(let fault): return fault
                }
            case .doublePower: r[d] = Foundation.pow(double(r[a]), double(r[b])).bitPattern
            case .intModulo:
                let divisor = int(r[b])
                if divisor == 0 { return .moduloByZero }
                if divisor == -1 {
                    r[d] = 0
                } else {
                    var remainder = int(r[a]) % divisor
                    if remainder < 0 && divisor > 0 { remainder += divisor }
                    r[d] = UInt64(bitPattern: remainder)
                }
            case .doubleLog:
                r[d] = (Foundation.log(double(r[a])) / Foundation.log(double(r[b]))).bitPattern
            case .jumpIfFalse: if r[a] == 0 { pc = b }
            case .jumpIfTrue: if r[a] != 0 { pc = b }
            case .jump: pc = b
            case .callShared:
                if r[a] != r[d] {
                    r[a + 1] = UInt64(pc)
                    pc = b
                }
            case .returnShared:
                r[a] = r[d]
                pc = Int(r[a + 1])
            }
        }
        return nil
    }

    @inline(__always) static func int(_ bits: UInt64) -> Int64 { Int64(bitPattern: bits) }
    @inline(__always) static func double(_ bits: UInt64) -> Double { Double(bitPattern: bits) }
    @inline(__always) static func bool(_ value: Bool) -> UInt64 { value ? 1 : 0 }

    static func toInt(_ value: Double) -> Int64? {
        guard value.isFinite, value >= -9.223_372_036_854_775_808e18, value < 9.223_372_036_854_775_808e18
        else { return nil }
        return Int64(value)
    }

    static func power(_ base: Int64, _ exponent: Int64) -> Result<Int64, EvaluationFault> {
        if exponent < 0 { return .failure(.negativeExponent) }
        var result: Int64 = 1
        var factor = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 {
                let (v, o) = result.multipliedReportingOverflow(by: factor)
                if o { return .failure(.integerOverflow) }
                result = v
            }
            remaining >>= 1
            if remaining > 0 {
                let (v, o) = factor.multipliedReportingOverflow(by: factor)
                if o { return .failure(.integerOverflow) }
                factor = v
            }
        }
        return .success(result)
    }
}
