// What an exploration runs under, as values handed to the explorer whole: the states it must not
// expand and the state count at which it stops (`ExplorationSettings`), and how many expansions a
// round's truncation passes may still make (`ExpansionBudget`). A refinement loop owns its own, so
// nothing sets one knob of the explorer and restores it afterwards.

struct ExplorationSettings: Sendable, Equatable {
    /// States that are not expanded: the property's truncation predicate (nil: none).
    var absorbing: CompiledExpression?
    /// Exploration stops with `.stateLimit` once the graph holds this many states.
    var maxStates: Int
}

/// New expansions the truncation passes may still make this round. On chains whose embedded jump
/// chain is (nearly) deterministic, e.g. a pure-birth process, `pi` never decays below kappa and a
/// pass would otherwise follow the chain forever. Stopping early is sound: every unexpanded state
/// stays on the frontier, and the transient analysis certifies the bounds whatever was explored.
struct ExpansionBudget: Sendable {
    private(set) var left: Int
    /// Whether a pass stopped because the budget ran out.
    private(set) var exhausted = false

    static let unlimited = ExpansionBudget(left: .max)

    init(left: Int) { self.left = left }

    /// Takes one expansion; false (and `exhausted`) when none is left.
    @inline(__always)
    mutating func take() -> Bool {
        if left <= 0 {
            exhausted = true
            return false
        }
        left -= 1
        return true
    }
}
