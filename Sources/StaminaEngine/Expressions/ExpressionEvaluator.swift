// Owns a register file and a copy of a program's instructions, and evaluates compiled
// expressions against one loaded state at a time.

import PRISM

final class ExpressionEvaluator {
    let code: UnsafeMutablePointer<Instruction>
    let registers: UnsafeMutablePointer<UInt64>
    let layout: StateLayout
    let registerCount: Int
    let generationRegister: Int

    init(program: ExpressionProgram, layout: StateLayout) {
        self.layout = layout
        let code = UnsafeMutablePointer<Instruction>.allocate(capacity: Swift.max(program.instructions.count, 1))
        program.instructions.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { code.initialize(from: base, count: source.count) }
        }
        self.code = code
        registerCount = program.registerCount
        generationRegister = Int(program.generationRegister)
        let registers = UnsafeMutablePointer<UInt64>.allocate(capacity: Swift.max(registerCount, 1))
        program.registerTemplate.withUnsafeBufferPointer { template in
            if let base = template.baseAddress { registers.initialize(from: base, count: template.count) }
        }
        self.registers = registers
    }

    deinit {
        code.deallocate()
        registers.deallocate()
    }

    /// Makes `state` the current state.
    @inline(__always)
    func load(_ state: UnsafePointer<UInt64>) {
        layout.unpack(state, into: registers)
        // Every shared node's value belongs to the previous state now.
        registers[generationRegister] &+= 1
    }

    /// Evaluates `expression` against the current state; returns the raw register bits.
    @inline(__always)
    func evaluate(_ expression: CompiledExpression) -> Result<UInt64, EvaluationFault> {
        if let fault = ExpressionMachine.run(code, expression.start, expression.end, registers) {
            return .failure(fault)
        }
        return .success(registers[Int(expression.result)])
    }

    /// Evaluates a bool expression on `state`; faults are reported with `context`.
    func bool(_ expression: CompiledExpression, on state: UnsafePointer<UInt64>, context: String) throws(EngineError)
        -> Bool
    {
        load(state)
        switch evaluate(expression) {
        case .success(let bits): return bits != 0
        case .failure(let fault):
            throw .evaluation(fault: fault, context: context, state: layout.describe(state))
        }
    }

    func double(_ expression: CompiledExpression, on state: UnsafePointer<UInt64>, context: String)
        throws(EngineError) -> Double
    {
        load(state)
        switch evaluate(expression) {
        case .success(let bits):
            switch expression.type {
            case .double: return Double(bitPattern: bits)
            case .int: return Double(Int64(bitPattern: bits))
            case .bool: return bits != 0 ? 1 : 0
            }
        case .failure(let fault):
            throw .evaluation(fault: fault, context: context, state: layout.describe(state))
        }
    }
}
