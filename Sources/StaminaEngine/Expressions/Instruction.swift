// The instruction set of the expression machine: a register machine over 64-bit cells.
//
// Every register holds an Int64, a Double (bit pattern) or a Bool (0 or 1); the compiler knows
// each register's type, so instructions are typed and need no tags at run time. Registers
// [0, variableCount) hold the current state's variables, followed by literal registers and then
// temporaries. Control flow (short-circuit `&`/`|`, `? :`) uses forward jumps so that a branch
// that is not taken cannot raise an evaluation error. A shared node (a formula or label body) is
// a routine, compiled once and called where it is used; it runs at most once per loaded state,
// and only when a use is reached, so sharing changes neither results nor errors.

import PRISM

enum Opcode: UInt8, Sendable {
    case copy
    case intAdd, intSubtract, intMultiply, intNegate
    case doubleAdd, doubleSubtract, doubleMultiply, doubleDivide, doubleNegate
    case intToDouble
    case intEqual, intNotEqual, intLess, intLessOrEqual, intGreater, intGreaterOrEqual
    case doubleEqual, doubleNotEqual, doubleLess, doubleLessOrEqual, doubleGreater,
        doubleGreaterOrEqual
    case boolEqual, boolNotEqual
    case not
    case implies
    case intMin, intMax, doubleMin, doubleMax
    case floor, ceil, round
    case intPower, doublePower, intModulo, doubleLog
    /// `if register[a] == 0 { jump to b }`
    case jumpIfFalse
    /// `if register[a] != 0 { jump to b }`
    case jumpIfTrue
    /// Unconditional jump to b.
    case jump
    /// Runs a shared node's routine at b unless it already ran for the loaded state: register a
    /// holds the state generation it last ran in, register a+1 its return address, and register
    /// `destination` the current generation.
    case callShared
    /// Ends a shared node's routine: marks it run (register a := register `destination`) and
    /// returns to the address in register a+1.
    case returnShared
}

struct Instruction: Sendable {
    var opcode: Opcode
    var destination: Int32
    var a: Int32
    var b: Int32

    init(_ opcode: Opcode, _ destination: Int32, _ a: Int32, _ b: Int32 = 0) {
        self.opcode = opcode
        self.destination = destination
        self.a = a
        self.b = b
    }
}

/// What went wrong while evaluating an expression (an operator's fault, `PRISMOperators`); the
/// caller adds the state and the command.
public typealias EvaluationFault = OperatorFault

/// A compiled expression: instructions `start..<end` of the program leave the value in `result`.
public struct CompiledExpression: Sendable, Hashable {
    public var start: Int32
    public var end: Int32
    public var result: Int32
    public var type: ValueType
}
