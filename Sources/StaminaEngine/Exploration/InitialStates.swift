// The model's initial states, packed, in a fixed order.
//
// Without an `init` block there is one: every variable at its initial value. With one, every
// valuation of the (necessarily bounded) variables that satisfies the predicate, enumerated with
// the first variable most significant and the last varying fastest. Results are reported for the
// first of them; STAMINA's reachability estimate starts with mass 1/n on each.

import PRISM

enum InitialStates {
    /// At most this many valuations are tried for an `init` predicate.
    static let enumerationLimit = 1 << 24

    static func enumerate(_ model: inout CompiledModel) throws(EngineError) -> [[UInt64]] {
        let layout = model.layout
        let variables = model.model.variables
        var words = [UInt64](repeating: 0, count: layout.wordCount)
        guard let predicate = model.model.initialStates else {
            for (slot, variable) in variables.enumerated() {
                let value: Int64 =
                    switch variable.initial {
                    case .int(let v): v
                    case .bool(let v): v ? 1 : 0
                    case .double(let v): Int64(v)
                    case nil: variable.lowerBound ?? 0
                    }
                let stored = layout.store(value, slot, in: &words)
                if !stored {
                    throw .outOfRange(
                        variable: variable.name, value: value, range: layout.rangeDescription(slot),
                        state: "initial", command: "\(variable.location): initial value")
                }
            }
            return [words]
        }
        if let unbounded = variables.first(where: { !$0.isBounded && $0.type != .bool }) {
            throw .unboundedVariableInInitBlock(variable: unbounded.name)
        }
        var total = 1
        for variable in variables {
            let span = variable.type == .bool ? 2 : Int((variable.upperBound ?? 0) - (variable.lowerBound ?? 0)) + 1
            let (product, overflow) = total.multipliedReportingOverflow(by: Swift.max(span, 1))
            if overflow || product > enumerationLimit { throw .tooManyInitialStates(limit: enumerationLimit) }
            total = product
        }
        let compiled = model.compile(predicate)
        let evaluator = ExpressionEvaluator(program: model.program, layout: layout)
        var values = variables.map { $0.type == .bool ? Int64(0) : ($0.lowerBound ?? 0) }
        var result: [[UInt64]] = []
        for _ in 0..<total {
            for slot in values.indices { _ = layout.store(values[slot], slot, in: &words) }
            let holds = try evaluator.bool(compiled, on: words, context: "the init predicate")
            if holds { result.append(words) }
            var slot = variables.count - 1
            while slot >= 0 {
                let upper = variables[slot].type == .bool ? 1 : (variables[slot].upperBound ?? 0)
                if values[slot] < upper {
                    values[slot] += 1
                    break
                }
                values[slot] = variables[slot].type == .bool ? 0 : (variables[slot].lowerBound ?? 0)
                slot -= 1
            }
        }
        if result.isEmpty { throw .noInitialState }
        return result
    }
}
