// Runs compiled expressions over a register file. No tree walking, no allocation: one loop over
// a contiguous instruction range, switching on the opcode. What each operator computes is
// `PRISMOperators` (shared with constant folding, inlined here); this file only moves bits.

import PRISM

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
            case .intAdd: if let fault = store(PRISMOperators.add(int(r[a]), int(r[b])), r, d) { return fault }
            case .intSubtract:
                if let fault = store(PRISMOperators.subtract(int(r[a]), int(r[b])), r, d) { return fault }
            case .intMultiply:
                if let fault = store(PRISMOperators.multiply(int(r[a]), int(r[b])), r, d) { return fault }
            case .intNegate: if let fault = store(PRISMOperators.negate(int(r[a])), r, d) { return fault }
            case .doubleAdd: r[d] = (double(r[a]) + double(r[b])).bitPattern
            case .doubleSubtract: r[d] = (double(r[a]) - double(r[b])).bitPattern
            case .doubleMultiply: r[d] = (double(r[a]) * double(r[b])).bitPattern
            case .doubleDivide: r[d] = PRISMOperators.divide(double(r[a]), double(r[b])).bitPattern
            case .doubleNegate: r[d] = (-double(r[a])).bitPattern
            case .intToDouble: r[d] = Double(int(r[a])).bitPattern
            case .intEqual: r[d] = bool(PRISMOperators.compare(.equal, int(r[a]), int(r[b])))
            case .intNotEqual: r[d] = bool(PRISMOperators.compare(.notEqual, int(r[a]), int(r[b])))
            case .intLess: r[d] = bool(PRISMOperators.compare(.less, int(r[a]), int(r[b])))
            case .intLessOrEqual: r[d] = bool(PRISMOperators.compare(.lessOrEqual, int(r[a]), int(r[b])))
            case .intGreater: r[d] = bool(PRISMOperators.compare(.greater, int(r[a]), int(r[b])))
            case .intGreaterOrEqual: r[d] = bool(PRISMOperators.compare(.greaterOrEqual, int(r[a]), int(r[b])))
            case .doubleEqual: r[d] = bool(PRISMOperators.compare(.equal, double(r[a]), double(r[b])))
            case .doubleNotEqual: r[d] = bool(PRISMOperators.compare(.notEqual, double(r[a]), double(r[b])))
            case .doubleLess: r[d] = bool(PRISMOperators.compare(.less, double(r[a]), double(r[b])))
            case .doubleLessOrEqual: r[d] = bool(PRISMOperators.compare(.lessOrEqual, double(r[a]), double(r[b])))
            case .doubleGreater: r[d] = bool(PRISMOperators.compare(.greater, double(r[a]), double(r[b])))
            case .doubleGreaterOrEqual: r[d] = bool(PRISMOperators.compare(.greaterOrEqual, double(r[a]), double(r[b])))
            case .boolEqual: r[d] = bool(r[a] == r[b])
            case .boolNotEqual: r[d] = bool(r[a] != r[b])
            case .not: r[d] = r[a] ^ 1
            case .implies: r[d] = (r[a] ^ 1) | r[b]
            case .intMin: r[d] = UInt64(bitPattern: PRISMOperators.min(int(r[a]), int(r[b])))
            case .intMax: r[d] = UInt64(bitPattern: PRISMOperators.max(int(r[a]), int(r[b])))
            case .doubleMin: r[d] = PRISMOperators.min(double(r[a]), double(r[b])).bitPattern
            case .doubleMax: r[d] = PRISMOperators.max(double(r[a]), double(r[b])).bitPattern
            case .floor: if let fault = store(PRISMOperators.floor(double(r[a])), r, d) { return fault }
            case .ceil: if let fault = store(PRISMOperators.ceil(double(r[a])), r, d) { return fault }
            case .round: if let fault = store(PRISMOperators.round(double(r[a])), r, d) { return fault }
            case .intPower: if let fault = store(PRISMOperators.power(int(r[a]), int(r[b])), r, d) { return fault }
            case .doublePower: r[d] = PRISMOperators.power(double(r[a]), double(r[b])).bitPattern
            case .intModulo: if let fault = store(PRISMOperators.modulo(int(r[a]), int(r[b])), r, d) { return fault }
            case .doubleLog: r[d] = PRISMOperators.log(double(r[a]), base: double(r[b])).bitPattern
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

    /// Writes an integer result to register d, or hands back its fault.
    @inline(__always)
    static func store(_ result: Result<Int64, OperatorFault>, _ r: UnsafeMutablePointer<UInt64>, _ d: Int)
        -> EvaluationFault?
    {
        switch result {
        case .success(let value):
            r[d] = UInt64(bitPattern: value)
            return nil
        case .failure(let fault): return fault
        }
    }
}
