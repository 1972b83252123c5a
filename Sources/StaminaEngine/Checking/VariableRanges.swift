// Bounds of the model's unbounded `int` variables over the reachable states, inferred by interval
// analysis of the commands: a variable starts at its initial value, and each command's updates,
// evaluated over the ranges narrowed by the command's guard (`n < 10 -> (n'=n+1)` gives n <= 10),
// widen it until nothing changes. A bound that still moves after a few sweeps jumps to the next
// integer constant of the guards (plus or minus one), or to infinity beyond them ("widening with
// thresholds"), so the analysis ends; what it returns is a post-fixpoint, hence an enclosure of
// every reachable value.
//
// It tells two things before anything is explored: whether a reward over `n : int` has a ceiling
// (`RewardCeiling`), and whether a property that needs the whole model is hopeless because a
// variable may grow without end (`CheckRun` refuses it at once instead of exploring millions of
// states). Declared ranges are kept as they are: an update leaving them is a runtime error.

import PRISM

struct VariableRanges: Sendable {
    /// Per slot, the inferred bounds; nil on a side means none was found.
    var lower: [Int64?]
    var upper: [Int64?]

    /// Sweeps after which a bound that still moves is widened to infinity.
    static let sweepsBeforeWidening = 3

    /// The model's variables with the inferred bounds in place of missing declared ones.
    func refined(_ variables: [Variable]) -> [Variable] {
        var result = variables
        for slot in result.indices {
            result[slot].lowerBound = lower[slot]
            result[slot].upperBound = upper[slot]
        }
        return result
    }

    /// Names of the variables that may grow without end.
    func unbounded(_ variables: [Variable]) -> [String] {
        variables.indices.filter { lower[$0] == nil || upper[$0] == nil }.map { variables[$0].name }
    }

    static func infer(_ model: CheckedModel) -> VariableRanges {
        let variables = model.variables
        var lower = variables.map(\.lowerBound)
        var upper = variables.map(\.upperBound)
        let free = variables.indices.filter { !variables[$0].isBounded }
        // With an init block an unbounded variable has no single start (`CheckRun` refuses that).
        if model.initialStates == nil {
            for slot in free {
                if case .int(let value) = variables[slot].initial {
                    lower[slot] = value
                    upper[slot] = value
                }
            }
        }
        if free.isEmpty || model.initialStates != nil { return VariableRanges(lower: lower, upper: upper) }
        let assigned = Set(free)
        let thresholds = Self.thresholds(model.commands)
        // Each sweep either changes nothing (done) or, after widening starts, moves at least one
        // bound to a later threshold or to infinity for good.
        for sweep in 0..<(sweepsBeforeWidening + 2 * free.count * (thresholds.count + 1) + 2) {
            let current = VariableRanges(lower: lower, upper: upper)
            var nextLower = lower
            var nextUpper = upper
            for command in model.commands {
                guard let narrowed = current.narrowed(by: command.guardExpression, variables) else { continue }
                let evaluation = RangeEvaluation(narrowed)
                for update in command.updates {
                    for assignment in update.assignments where assigned.contains(assignment.slot) {
                        let range = evaluation.range(assignment.value)
                        let slot = assignment.slot
                        nextLower[slot] = Self.meet(nextLower[slot], range.lower, lower: true)
                        nextUpper[slot] = Self.meet(nextUpper[slot], range.upper, lower: false)
                    }
                }
            }
            if nextLower == lower && nextUpper == upper { return current }
            if sweep >= sweepsBeforeWidening {
                for slot in free {
                    if let moved = nextLower[slot], moved != lower[slot] {
                        nextLower[slot] = thresholds.last { $0 <= moved }
                    }
                    if let moved = nextUpper[slot], moved != upper[slot] {
                        nextUpper[slot] = thresholds.first { $0 >= moved }
                    }
                }
            }
            lower = nextLower
            upper = nextUpper
        }
        for slot in free {
            lower[slot] = nil
            upper[slot] = nil
        }
        return VariableRanges(lower: lower, upper: upper)
    }

    /// The integer constants compared in the guards, and their neighbours, in increasing order.
    static func thresholds(_ commands: [Command]) -> [Int64] {
        var found = Set<Int64>()
        func collect(_ expression: Expr) {
            switch expression {
            case .literal(.int(let c)) where abs(c) < 1 << 52: found.formUnion([c - 1, c, c + 1])
            case .not(let a), .negate(let a), .intToDouble(let a): collect(a)
            case .compare(_, let a, let b), .logical(_, let a, let b), .arithmetic(_, let a, let b):
                collect(a)
                collect(b)
            default: break
            }
        }
        for command in commands { collect(command.guardExpression) }
        return found.sorted()
    }

    /// The hull of a known bound and a new value of an int expression (an integer within the
    /// enclosure, so its ends round inwards); nil (no bound) beyond what a double holds exactly.
    private static func meet(_ bound: Int64?, _ value: Double, lower: Bool) -> Int64? {
        guard let bound else { return nil }
        let rounded = lower ? value.rounded(.up) : value.rounded(.down)
        guard rounded.isFinite, abs(rounded) < 0x1p52 else { return nil }
        return lower ? Swift.min(bound, Int64(rounded)) : Swift.max(bound, Int64(rounded))
    }

    /// The variables with their ranges cut by the conjuncts `x op e` of `guardExpression`, or nil
    /// when the guard cannot hold in them.
    func narrowed(by guardExpression: Expr, _ variables: [Variable]) -> [Variable]? {
        var result = refined(variables)
        var conjuncts = [guardExpression]
        while let conjunct = conjuncts.popLast() {
            switch conjunct {
            case .logical(.and, let a, let b): conjuncts += [a, b]
            case .compare(let op, let a, let b):
                if case .variable(let slot, .int) = a { Self.cut(&result[slot], op, Self.range(of: b, result)) }
                if case .variable(let slot, .int) = b {
                    Self.cut(&result[slot], op.mirrored, Self.range(of: a, result))
                }
            default: break
            }
        }
        for variable in result {
            if let lo = variable.lowerBound, let hi = variable.upperBound, lo > hi { return nil }
        }
        return RangeEvaluation(result).truth(guardExpression).canBeTrue ? result : nil
    }

    /// The enclosure of an expression; an int expression's ends are rounded inwards to integers
    /// (the interval evaluation widens by an ulp, and `n < 10` must give n <= 9, not 10).
    private static func range(of expression: Expr, _ variables: [Variable]) -> RangeEvaluation.Range {
        let range = RangeEvaluation(variables).range(expression)
        guard expression.type == .int else { return range }
        return RangeEvaluation.Range(lower: range.lower.rounded(.up), upper: range.upper.rounded(.down))
    }

    /// Narrows an int variable's bounds by `variable op e`, e in `range`.
    private static func cut(_ variable: inout Variable, _ op: ComparisonOperator, _ range: RangeEvaluation.Range) {
        func bound(_ value: Double) -> Int64? { value.isFinite && abs(value) < 0x1p52 ? Int64(value) : nil }
        func lowerCut(_ value: Int64?) {
            guard let value else { return }
            variable.lowerBound = variable.lowerBound.map { Swift.max($0, value) } ?? value
        }
        func upperCut(_ value: Int64?) {
            guard let value else { return }
            variable.upperBound = variable.upperBound.map { Swift.min($0, value) } ?? value
        }
        switch op {
        case .less: upperCut(bound(range.upper.rounded(.up) - 1))
        case .lessOrEqual: upperCut(bound(range.upper.rounded(.down)))
        case .greater: lowerCut(bound(range.lower.rounded(.down) + 1))
        case .greaterOrEqual: lowerCut(bound(range.lower.rounded(.up)))
        case .equal:
            upperCut(bound(range.upper.rounded(.down)))
            lowerCut(bound(range.lower.rounded(.up)))
        case .notEqual: break
        }
    }
}

extension ComparisonOperator {
    /// The operator with its operands swapped: `a < b` is `b > a`.
    var mirrored: ComparisonOperator {
        switch self {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        case .equal, .notEqual: self
        }
    }
}
