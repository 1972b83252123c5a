// The hard budgets that bound what any input can cost the front end, and the engine after it.
//
// Formulas and labels are shared (`SharedExpr`), so the checked model grows linearly with the
// text; these budgets bound the rest. Depth bounds every recursive walk (the parsers, typing,
// folding, the engine's compiler and range evaluation, and the release of the nodes), so no
// input can overflow a thread's stack; the node budget bounds memory and time. Each refusal is a
// located diagnostic that names the limit.

public enum FrontEndLimits {
    /// Most nesting levels the recursive-descent parsers open: parentheses, function arguments,
    /// `P[...]` bodies, chains of unary operators and of `? :`. Each level costs about twenty
    /// parser frames (some 25 KB of stack in a debug build), so this is lower than `maximumDepth`.
    public static let maximumNesting = 100

    /// Deepest expression accepted: parentheses, unary operators, `? :` and the length of an
    /// operator chain (`a + b + c` is a left-deep tree) all count, and so, when the expression is
    /// typed, does each formula or label reference (its body's depth is added to the use site's).
    /// Together the two keep every pass within about 3 MB of stack in a debug build (measured),
    /// well inside the 8 MB that the main thread and Swift's task threads have on Linux.
    public static let maximumDepth = 1000

    /// Most expression nodes in one source file's syntax, and in the typed expressions the whole
    /// check builds (each formula or label body counted once per way it is used: model, constant
    /// or property context; each renamed module's commands counted again).
    public static var maximumNodes: Int { nodeBudget }

    public static let defaultMaximumNodes = 400_000

    /// The node budget of checks run in this task: the server checks a submission in its own
    /// process under a much smaller budget (so that no upload costs it more than a few MB) and
    /// gives the rest to a limited child process with the full one.
    @TaskLocal public static var nodeBudget = defaultMaximumNodes

    /// Whether a diagnostic is a refusal by the node budget (a case for the larger budget).
    public static func isNodeBudgetRefusal(_ message: String) -> Bool {
        message.hasSuffix("too many expression nodes: more than \(maximumNodes)")
    }

    static func depthMessage() -> String {
        "expression nested too deeply: more than \(maximumDepth) levels (parentheses, operator chains and formula or label references all count)"
    }

    static func nestingMessage() -> String {
        "expression nested too deeply: more than \(maximumNesting) levels of parentheses, arguments, unary operators or conditionals"
    }

    static func nodesMessage(_ what: String) -> String {
        "\(what) has too many expression nodes: more than \(maximumNodes)"
    }
}
