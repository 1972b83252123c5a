// The shared node of an expression DAG: one formula or label body, lowered once.
//
// PRISM formulas and labels are macros, and expanding them as trees makes `f1 = f0*f0 - f0; ...
// f26` cost 3^26 nodes. The front end lowers each body once and every use refers to the same
// `SharedExpr`, so the checked expression is a DAG no larger than the text. Identity is the
// node's identity: hashing and equality never walk the body, and every pass over expressions
// (the engine's compiler, range evaluation) handles each shared node once by keying on it.

public final class SharedExpr: Sendable, Hashable, CustomStringConvertible {
    /// What the node stands for, e.g. `formula f3` or `label "done"`, for debugging and dumps.
    public let name: String
    public let body: Expr
    public let type: ValueType

    public init(name: String, body: Expr) {
        self.name = name
        self.body = body
        type = body.type
    }

    public static func == (lhs: SharedExpr, rhs: SharedExpr) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    public var description: String { name }
}

extension Expr {
    /// Distinct nodes of the expression DAG: each shared node and its body counted once, however
    /// often it is used. Tests use it to show that formulas are shared, not copied.
    public var dagNodeCount: Int {
        var seen: Set<ObjectIdentifier> = []
        func count(_ expression: Expr) -> Int {
            switch expression {
            case .literal, .variable: return 1
            case .intToDouble(let a), .not(let a), .negate(let a): return 1 + count(a)
            case .arithmetic(_, let a, let b), .divide(let a, let b), .compare(_, let a, let b),
                .logical(_, let a, let b):
                return 1 + count(a) + count(b)
            case .ifThenElse(let c, let t, let e): return 1 + count(c) + count(t) + count(e)
            case .call(_, let arguments): return 1 + arguments.reduce(0) { $0 + count($1) }
            case .shared(let node):
                guard seen.insert(ObjectIdentifier(node)).inserted else { return 1 }
                return 1 + count(node.body)
            }
        }
        return count(self)
    }
}
