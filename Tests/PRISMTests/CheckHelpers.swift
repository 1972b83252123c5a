// Shared helpers: run the front end on inline sources and unwrap the result or the diagnostics.
import PRISM
import Testing

struct CheckFailure: Error, CustomStringConvertible {
    var description: String
}

func check(_ model: String, properties: String? = nil, constants: [String: String] = [:]) -> Result<
    CheckedProgram, Diagnostics
> {
    FrontEnd.check(
        model: SourceText(name: "m.prism", text: model),
        properties: properties.map { SourceText(name: "p.csl", text: $0) },
        constants: ConstantOverrides(constants))
}

/// The checked program, or a thrown error that prints the diagnostics.
func checked(_ model: String, properties: String? = nil, constants: [String: String] = [:]) throws -> CheckedProgram {
    switch check(model, properties: properties, constants: constants) {
    case .success(let program): return program
    case .failure(let diagnostics): throw CheckFailure(description: diagnostics.description)
    }
}

/// The diagnostics, or a thrown error when the check succeeded.
func diagnostics(_ model: String, properties: String? = nil, constants: [String: String] = [:]) throws -> [Diagnostic] {
    switch check(model, properties: properties, constants: constants) {
    case .success: throw CheckFailure(description: "expected diagnostics, but the check succeeded")
    case .failure(let diagnostics): return diagnostics.items
    }
}

/// `line:column: message` of each diagnostic, for compact expectations.
func summaries(_ items: [Diagnostic]) -> [String] {
    items.map { "\($0.location.line):\($0.location.column): \($0.message)" }
}

extension Expr {
    /// The expression with every shared node replaced by its body: the tree a test can compare
    /// with `==` (shared nodes compare by identity). Only for small test expressions.
    var inlined: Expr {
        switch self {
        case .literal, .variable: self
        case .shared(let node): node.body.inlined
        case .intToDouble(let a): .intToDouble(a.inlined)
        case .not(let a): .not(a.inlined)
        case .negate(let a): .negate(a.inlined)
        case .arithmetic(let op, let a, let b): .arithmetic(op, a.inlined, b.inlined)
        case .divide(let a, let b): .divide(a.inlined, b.inlined)
        case .compare(let op, let a, let b): .compare(op, a.inlined, b.inlined)
        case .logical(let op, let a, let b): .logical(op, a.inlined, b.inlined)
        case .ifThenElse(let c, let t, let e): .ifThenElse(c.inlined, t.inlined, e.inlined)
        case .call(let function, let arguments): .call(function, arguments.map(\.inlined))
        }
    }
}

extension StateFormula {
    /// The formula with every atom `inlined`, for comparisons with `==`.
    var inlined: StateFormula {
        switch self {
        case .atom(let e): .atom(e.inlined)
        case .initial, .deadlock: self
        case .not(let a): .not(a.inlined)
        case .logical(let op, let a, let b): .logical(op, a.inlined, b.inlined)
        case .probability(let bound, let path, let optimization): .probability(bound, path.inlined, optimization)
        case .steadyState(let bound, let a): .steadyState(bound, a.inlined)
        case .reward(let reference, let bound, .reachability(let a), let optimization):
            .reward(reference, bound, .reachability(a.inlined), optimization)
        case .reward: self
        }
    }
}

extension PathFormula {
    var inlined: PathFormula {
        switch self {
        case .next(let a, let t): .next(a.inlined, t)
        case .until(let a, let b, let t): .until(a.inlined, b.inlined, t)
        case .eventually(let a, let t): .eventually(a.inlined, t)
        case .globally(let a, let t): .globally(a.inlined, t)
        case .weakUntil(let a, let b, let t): .weakUntil(a.inlined, b.inlined, t)
        case .release(let a, let b, let t): .release(a.inlined, b.inlined, t)
        }
    }
}
