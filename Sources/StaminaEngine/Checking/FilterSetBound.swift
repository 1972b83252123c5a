// Whether a filter's set of states can be known to be explored on a truncated model: the set's
// states lie in a finite box of valuations when the states formula's conjuncts (`q < 3`) cut every
// variable's inferred range (`VariableRanges`) to finitely many values. Every reachable state of
// the set is then one of the box's valuations that satisfy the formula; once as many explored
// states satisfy it as there are such valuations, no state explored later can join the set, and
// the set is closed although the model may be infinite. Counting, not looking states up, keeps
// this independent of how states are stored.

import PRISM

struct FilterSetBound {
    /// Valuations that may satisfy the states formula; nil when nothing bounds them (or there are
    /// more than `limit`).
    let candidates: Int?

    /// Boxes larger than this are not enumerated (a filter ranges over at most
    /// `CheckRun.maxFilterStates` states anyway).
    static let limit = 100_000

    init(_ formula: StateFormula, variables: [Variable], ranges: VariableRanges) {
        guard let expression = Self.enclosing(formula) else {
            candidates = nil
            return
        }
        let flat = Self.flattened(expression)
        guard let box = ranges.narrowed(by: flat, variables) else {
            // The formula cannot hold in any reachable state.
            candidates = 0
            return
        }
        var size = 1
        for variable in box {
            guard let lo = variable.lowerBound, let hi = variable.upperBound, hi >= lo, hi - lo < Int64(Self.limit)
            else {
                candidates = nil
                return
            }
            size *= Int(hi - lo + 1)
            if size > Self.limit {
                candidates = nil
                return
            }
        }
        // Each valuation of the box whose variables are pinned to one value: the interval
        // evaluation may still say "may be true" of a false one, which only makes the count larger
        // (the set then stays open, the sound side).
        var count = 0
        var point = box
        for var index in 0..<size {
            for slot in box.indices {
                let lo = box[slot].lowerBound ?? 0
                let width = Int((box[slot].upperBound ?? lo) - lo + 1)
                let value = lo + Int64(index % width)
                index /= width
                point[slot].lowerBound = value
                point[slot].upperBound = value
            }
            if RangeEvaluation(point).truth(flat).canBeTrue { count += 1 }
        }
        candidates = count
    }

    /// Whether the explored states satisfying the formula (`members`) are all its reachable ones.
    func isClosed(members: Int) -> Bool { candidates.map { members >= $0 } ?? false }

    /// An expression true in every state of the formula (possibly in more): conjuncts it cannot
    /// express ("init", "deadlock") are dropped from a conjunction.
    static func enclosing(_ formula: StateFormula) -> Expr? {
        switch formula {
        case .logical(.and, let a, let b):
            switch (enclosing(a), enclosing(b)) {
            case (let x?, let y?): return .logical(.and, x, y)
            case (let x?, nil), (nil, let x?): return x
            default: return nil
            }
        default:
            return PropertyPlan.expression(formula)
        }
    }

    /// Labels and formulas are shared nodes; the conjuncts inside them cut ranges too.
    static func flattened(_ expression: Expr) -> Expr {
        switch expression {
        case .shared(let node): flattened(node.body)
        case .logical(.and, let a, let b): .logical(.and, flattened(a), flattened(b))
        default: expression
        }
    }
}
