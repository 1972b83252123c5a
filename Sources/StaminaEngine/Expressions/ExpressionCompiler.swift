// Compiles checked `Expr` trees into one shared instruction array (`ExpressionProgram`).
//
// Each call to `compile` appends the instructions of one expression and returns its range and
// result register; literals get shared read-only registers, every node a fresh temporary, so
// compiled expressions never interfere and can be evaluated in any order. A shared node (`Expr.shared`,
// a formula or label body) is compiled once for the whole program, as a routine that every use
// calls; the routine runs at most once per loaded state, so a formula used by several guards,
// rates and rewards is computed once per state, and compiling is linear in the DAG's size.

import PRISM

public struct ExpressionProgram: Sendable {
    var instructions: [Instruction] = []
    /// Initial contents of every register (variables 0, literals their value, temporaries 0).
    public private(set) var registerTemplate: [UInt64]
    public let variableCount: Int
    private var literalRegisters: [Value: Int32] = [:]
    /// Holds the number of the loaded state (bumped by every load); shared routines compare it with
    /// the generation they last ran in. It starts at 1 and routines at 0, so nothing is stale.
    let generationRegister: Int32
    private struct Routine {
        var start: Int32
        var marker: Int32
        var result: Int32
    }
    private var routines: [SharedExpr: Routine] = [:]

    public init(variableCount: Int) {
        self.variableCount = variableCount
        registerTemplate = Array(repeating: 0, count: variableCount)
        registerTemplate.append(1)
        generationRegister = Int32(variableCount)
    }

    /// Instructions in the program, every compiled expression and shared routine included.
    public var instructionCount: Int { instructions.count }

    /// Shared nodes compiled (each once, however often it is used).
    public var sharedRoutineCount: Int { routines.count }

    public var registerCount: Int { registerTemplate.count }

    /// Compiles `expression`; the front end has already made every conversion explicit.
    public mutating func compile(_ expression: Expr) -> CompiledExpression {
        let start = Int32(instructions.count)
        let result = emit(expression)
        return CompiledExpression(
            start: start, end: Int32(instructions.count), result: result, type: expression.type)
    }

    private mutating func newRegister() -> Int32 {
        registerTemplate.append(0)
        return Int32(registerTemplate.count - 1)
    }

    private mutating func literal(_ value: Value) -> Int32 {
        if let register = literalRegisters[value] { return register }
        let register = newRegister()
        registerTemplate[Int(register)] = Self.bits(of: value)
        literalRegisters[value] = register
        return register
    }

    static func bits(of value: Value) -> UInt64 {
        switch value {
        case .int(let v): UInt64(bitPattern: v)
        case .double(let v): v.bitPattern
        case .bool(let v): v ? 1 : 0
        }
    }

    private mutating func append(_ opcode: Opcode, _ a: Int32, _ b: Int32 = 0) -> Int32 {
        let destination = newRegister()
        instructions.append(Instruction(opcode, destination, a, b))
        return destination
    }

    private mutating func emit(_ expression: Expr) -> Int32 {
        switch expression {
        case .literal(let value):
            return literal(value)
        case .variable(let slot, _):
            return Int32(slot)
        case .intToDouble(let operand):
            return append(.intToDouble, emit(operand))
        case .not(let operand):
            return append(.not, emit(operand))
        case .negate(let operand):
            return append(operand.type == .int ? .intNegate : .doubleNegate, emit(operand))
        case .arithmetic(let op, let lhs, let rhs):
            let isInt = lhs.type == .int
            let opcode: Opcode =
                switch op {
                case .add: isInt ? .intAdd : .doubleAdd
                case .subtract: isInt ? .intSubtract : .doubleSubtract
                case .multiply: isInt ? .intMultiply : .doubleMultiply
                }
            let a = emit(lhs)
            return append(opcode, a, emit(rhs))
        case .divide(let lhs, let rhs):
            let a = emit(lhs)
            return append(.doubleDivide, a, emit(rhs))
        case .compare(let op, let lhs, let rhs):
            let a = emit(lhs)
            let b = emit(rhs)
            return append(Self.comparison(op, lhs.type), a, b)
        case .logical(let op, let lhs, let rhs):
            switch op {
            case .and: return emitShortCircuit(lhs, rhs, skipWhen: .jumpIfFalse)
            case .or: return emitShortCircuit(lhs, rhs, skipWhen: .jumpIfTrue)
            case .implies:
                let a = emit(lhs)
                return append(.implies, a, emit(rhs))
            case .iff:
                let a = emit(lhs)
                return append(.boolEqual, a, emit(rhs))
            }
        case .ifThenElse(let condition, let then, let otherwise):
            let destination = newRegister()
            let c = emit(condition)
            let jumpToElse = instructions.count
            instructions.append(Instruction(.jumpIfFalse, 0, c, 0))
            let t = emit(then)
            instructions.append(Instruction(.copy, destination, t))
            let jumpToEnd = instructions.count
            instructions.append(Instruction(.jump, 0, 0, 0))
            instructions[jumpToElse].b = Int32(instructions.count)
            let e = emit(otherwise)
            instructions.append(Instruction(.copy, destination, e))
            instructions[jumpToEnd].b = Int32(instructions.count)
            return destination
        case .call(let function, let arguments):
            return emitCall(function, arguments)
        case .shared(let node):
            let routine = routine(node)
            instructions.append(Instruction(.callShared, generationRegister, routine.marker, routine.start))
            return routine.result
        }
    }

    /// A shared node's routine, emitted at its first use and jumped over there, so that only a call
    /// runs it; nested shared nodes become routines of their own.
    private mutating func routine(_ node: SharedExpr) -> Routine {
        if let known = routines[node] { return known }
        let jumpOver = instructions.count
        instructions.append(Instruction(.jump, 0, 0, 0))
        // The marker (last generation run) and the return address sit in adjacent registers.
        let marker = newRegister()
        _ = newRegister()
        let start = Int32(instructions.count)
        let result = emit(node.body)
        instructions.append(Instruction(.returnShared, generationRegister, marker))
        instructions[jumpOver].b = Int32(instructions.count)
        let routine = Routine(start: start, marker: marker, result: result)
        routines[node] = routine
        return routine
    }

    /// `a & b` / `a | b`: the right operand is evaluated only when it decides the result.
    private mutating func emitShortCircuit(_ lhs: Expr, _ rhs: Expr, skipWhen jump: Opcode) -> Int32 {
        let destination = newRegister()
        let a = emit(lhs)
        instructions.append(Instruction(.copy, destination, a))
        let jumpIndex = instructions.count
        instructions.append(Instruction(jump, 0, destination, 0))
        let b = emit(rhs)
        instructions.append(Instruction(.copy, destination, b))
        instructions[jumpIndex].b = Int32(instructions.count)
        return destination
    }

    private mutating func emitCall(_ function: BuiltinFunction, _ arguments: [Expr]) -> Int32 {
        let registers = arguments.map { emit($0) }
        let isInt = arguments.first?.type == .int
        switch function {
        case .min, .max:
            let opcode: Opcode =
                function == .min ? (isInt ? .intMin : .doubleMin) : (isInt ? .intMax : .doubleMax)
            guard var accumulator = registers.first else { return literal(.int(0)) }
            for register in registers.dropFirst() {
                accumulator = append(opcode, accumulator, register)
            }
            return accumulator
        case .floor: return append(.floor, registers[0])
        case .ceil: return append(.ceil, registers[0])
        case .round: return append(.round, registers[0])
        case .pow: return append(isInt ? .intPower : .doublePower, registers[0], registers[1])
        case .mod: return append(.intModulo, registers[0], registers[1])
        case .log: return append(.doubleLog, registers[0], registers[1])
        }
    }

    private static func comparison(_ op: ComparisonOperator, _ type: ValueType) -> Opcode {
        switch (type, op) {
        case (.int, .equal): .intEqual
        case (.int, .notEqual): .intNotEqual
        case (.int, .less): .intLess
        case (.int, .lessOrEqual): .intLessOrEqual
        case (.int, .greater): .intGreater
        case (.int, .greaterOrEqual): .intGreaterOrEqual
        case (.double, .equal): .doubleEqual
        case (.double, .notEqual): .doubleNotEqual
        case (.double, .less): .doubleLess
        case (.double, .lessOrEqual): .doubleLessOrEqual
        case (.double, .greater): .doubleGreater
        case (.double, .greaterOrEqual): .doubleGreaterOrEqual
        // Booleans only compare for (in)equality; ordering falls back to 0 < 1 as integers.
        case (.bool, .equal): .boolEqual
        case (.bool, .notEqual): .boolNotEqual
        case (.bool, .less): .intLess
        case (.bool, .lessOrEqual): .intLessOrEqual
        case (.bool, .greater): .intGreater
        case (.bool, .greaterOrEqual): .intGreaterOrEqual
        }
    }
}
