// Evaluates operator-free state formulas on every state of a truncated CTMC, giving one flag per
// state (the sink's flag is always false: nothing is known about it).

import PRISM

struct StateSets {
    let explorer: Explorer
    let atoms: [Expr: CompiledExpression]
    let ctmc: TruncatedCTMC

    func evaluate(_ formula: StateFormula) throws(EngineError) -> [Bool] {
        let n = ctmc.stateCount
        switch formula {
        case .atom(let expression):
            if case .literal(.bool(let value)) = expression {
                var result = [Bool](repeating: value, count: n + 1)
                result[n] = false
                return result
            }
            guard let compiled = atoms[expression] else {
                preconditionFailure("atom not compiled before exploration")
            }
            var result = [Bool](repeating: false, count: n + 1)
            let evaluator = explorer.predicates
            let store = explorer.graph.store
            for state in 0..<n {
                result[state] = try store.withState(state) { (words) throws(EngineError) in
                    try evaluator.bool(compiled, on: words, context: "a property")
                }
            }
            return result
        case .initial:
            var result = [Bool](repeating: false, count: n + 1)
            for state in explorer.graph.initialStates { result[state] = true }
            return result
        case .deadlock:
            return ctmc.deadlock + [false]
        case .not(let inner):
            var result = try evaluate(inner).map { !$0 }
            result[n] = false
            return result
        case .logical(let op, let a, let b):
            let x = try evaluate(a)
            let y = try evaluate(b)
            var result = [Bool](repeating: false, count: n + 1)
            for state in 0..<n {
                result[state] =
                    switch op {
                    case .and: x[state] && y[state]
                    case .or: x[state] || y[state]
                    case .implies: !x[state] || y[state]
                    case .iff: x[state] == y[state]
                    }
            }
            return result
        case .probability, .steadyState, .reward:
            preconditionFailure("nested operators are refused when the property is planned")
        }
    }
}
