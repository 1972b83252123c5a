// A bound on the number of reachable states, tighter than the product of the declared ranges
// (`StateLayout.stateSpaceBound`), so that truncation knows when its rounds are about to explore
// (almost) the whole model and one complete exploration is cheaper (`GrowthPolicy`).
//
// Models of genetic circuits count molecules in steps: `D : [0..250] init 200` moved only by
// `D' = D + 50` and `D' = D - 50` takes 6 of its 251 declared values. The declared ranges of QVBS
// "majority" allow 3.1e12 states where 192,000 are reachable, and truncation refined round after
// round up to (almost) the whole model, at twice the cost of exact mode. Here an int variable's
// values are those of its declared range congruent to its initial value modulo the gcd of its
// steps: `x' = x + k` moves it by k, `x' = c` by c - x0, and any other update (`min(x + 1, M)`,
// another variable) counts as step 1, the whole range. A bool no update changes has one value.
// The bound is sound whatever the guards and rates: it drops only values that no sequence of
// updates can produce from the initial state.

import PRISM

enum ReachableStateBound {
    /// The product of the per-variable counts; nil when a variable is unbounded or the model
    /// starts from an `init` block (no single initial value to count steps from).
    static func states(of model: CheckedModel) -> Double? {
        guard model.initialStates == nil else { return nil }
        var steps = [Int64](repeating: 0, count: model.variables.count)
        for command in model.commands {
            for update in command.updates {
                for assignment in update.assignments {
                    let slot = assignment.slot
                    guard slot < steps.count else { return nil }
                    let initial = model.variables[slot].initial
                    steps[slot] = gcd(steps[slot], step(assignment.value, slot: slot, initial: initial))
                }
            }
        }
        var product = 1.0
        for (slot, variable) in model.variables.enumerated() {
            guard let count = values(of: variable, step: steps[slot]) else { return nil }
            product *= count
        }
        return product
    }

    /// How many values `variable` can take when every update moves it by a multiple of `step`
    /// (0: it never changes).
    static func values(of variable: Variable, step: Int64) -> Double? {
        if variable.type == .bool { return step == 0 ? 1 : 2 }
        guard let lower = variable.lowerBound, let upper = variable.upperBound, upper >= lower else { return nil }
        let size = Double(upper) - Double(lower) + 1
        guard case .int(let start) = variable.initial, start >= lower, start <= upper else { return size }
        if step == 0 { return 1 }
        let above = (Double(upper) - Double(start)) / Double(step)
        let below = (Double(start) - Double(lower)) / Double(step)
        return min(size, above.rounded(.down) + below.rounded(.down) + 1)
    }

    /// The step an assignment moves its variable by; 1 when it may set any value.
    static func step(_ value: Expr, slot: Int, initial: Value?) -> Int64 {
        if let offset = offset(value, slot: slot) { return magnitude(offset) }
        switch (value, initial) {
        case (.literal(.int(let target)), .int(let start)):
            let (difference, overflow) = target.subtractingReportingOverflow(start)
            return overflow ? 1 : magnitude(difference)
        case (.literal(.bool(let target)), .bool(let start)): return target == start ? 0 : 1
        case (.shared(let node), _): return step(node.body, slot: slot, initial: initial)
        default: return 1
        }
    }

    /// k when `value` is the variable in `slot` plus the constant k (`x + 2 - 1`), else nil.
    static func offset(_ value: Expr, slot: Int) -> Int64? {
        switch value {
        case .variable(let other, _) where other == slot: return 0
        case .shared(let node): return offset(node.body, slot: slot)
        case .arithmetic(.add, let base, .literal(.int(let k))), .arithmetic(.add, .literal(.int(let k)), let base):
            return offset(base, slot: slot).flatMap { sum($0, k) }
        case .arithmetic(.subtract, let base, .literal(.int(let k))):
            return offset(base, slot: slot).flatMap { k == .min ? nil : sum($0, -k) }
        default: return nil
        }
    }

    private static func sum(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : result
    }

    private static func magnitude(_ value: Int64) -> Int64 { value == .min ? 1 : abs(value) }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
