// An upper bound on the reward rate of every state of a model, explored or not, found by interval
// evaluation of the reward items over the declared variable ranges.
//
// It is what makes time-bounded rewards answerable on a truncated (possibly infinite) model: the
// truncated chain's paths agree with the real ones until they enter the sink, so the real expected
// reward differs from the truncated chain's (sink earning 0) only on paths that reached the sink,
// and there it is at most the ceiling per time unit (see `PropertyChecker.reward`). Variables are
// taken over their declared ranges, or for an unbounded `int` over the range inferred from the
// guards and updates (`VariableRanges`): `n < c : c - n` has the ceiling c when n never goes
// below 0. A reward that depends on a variable without either has no ceiling; such properties
// need the whole model, and `missing(for:)` says which variable is why.

import PRISM

enum RewardCeiling {
    /// The ceiling of a structure's state rewards, or nil when one of them may be unbounded.
    static func of(_ structure: RewardStructure, variables: [Variable]) -> Double? {
        let ranges = RangeEvaluation(variables)
        var total = 0.0
        for item in structure.stateRewards {
            guard ranges.truth(item.guardExpression).canBeTrue else { continue }
            let range = ranges.range(item.value)
            guard range.upper.isFinite else { return nil }
            total = (total + max(0, range.upper)).nextUp
        }
        return total
    }
}

/// The ceilings of a model's reward structures, as time-bounded reward queries use them.
struct RewardCeilings: Sendable {
    var stateRewards: [Double?]
    /// Transition rewards earn rate x impulse, and rates on unexplored states have no ceiling.
    var hasTransitionRewards: [Bool]

    /// Per structure, the variables without a (declared or inferred) bound its state rewards read.
    var unboundedVariables: [[String]]

    init(_ model: CheckedModel, ranges: VariableRanges? = nil) {
        let variables = (ranges ?? VariableRanges.infer(model)).refined(model.variables)
        stateRewards = model.rewards.map { RewardCeiling.of($0, variables: variables) }
        hasTransitionRewards = model.rewards.map { !$0.transitionRewards.isEmpty }
        unboundedVariables = model.rewards.map { structure in
            var slots = Set<Int>()
            var seen = Set<SharedExpr>()
            for item in structure.stateRewards {
                Self.collectSlots(item.guardExpression, into: &slots, seen: &seen)
                Self.collectSlots(item.value, into: &slots, seen: &seen)
            }
            return slots.sorted().filter { variables[$0].lowerBound == nil || variables[$0].upperBound == nil }
                .map { variables[$0].name }
        }
    }

    /// The variables an expression reads; each shared node (formula, label) is walked once, so the
    /// walk is linear in the DAG, not in the tree it stands for.
    private static func collectSlots(_ expression: Expr, into slots: inout Set<Int>, seen: inout Set<SharedExpr>) {
        switch expression {
        case .variable(let slot, _): slots.insert(slot)
        case .literal: break
        case .shared(let node):
            if seen.insert(node).inserted { collectSlots(node.body, into: &slots, seen: &seen) }
        case .intToDouble(let a), .not(let a), .negate(let a): collectSlots(a, into: &slots, seen: &seen)
        case .arithmetic(_, let a, let b), .divide(let a, let b), .compare(_, let a, let b), .logical(_, let a, let b):
            collectSlots(a, into: &slots, seen: &seen)
            collectSlots(b, into: &slots, seen: &seen)
        case .ifThenElse(let a, let b, let c):
            for e in [a, b, c] { collectSlots(e, into: &slots, seen: &seen) }
        case .call(_, let arguments):
            for e in arguments { collectSlots(e, into: &slots, seen: &seen) }
        }
    }

    /// Why a truncated model cannot bound `query`, for the refusal message; nil when it can.
    func missing(for query: PropertyPlan.Query) -> String? {
        guard case .reward(let structure, let path) = query, stateRewards.indices.contains(structure) else {
            return nil
        }
        switch path {
        case .instantaneous, .cumulative:
            if ceiling(for: query) != nil { return nil }
            if case .cumulative = path, hasTransitionRewards[structure] {
                return "its reward structure has transition rewards, which have no ceiling on unexplored states (C<=t)"
            }
            let names = unboundedVariables[structure]
            if names.isEmpty { return "its state rewards have no ceiling over the variables' ranges" }
            return
                "its state rewards have no ceiling: they read \(names.map { "'\($0)'" }.joined(separator: ", ")), which has no declared or inferred bound"
        case .reachability: return "R [ F ... ] is computed on the whole model"
        case .steadyState: return "R [ S ] is computed on the whole model"
        case .total: return "R [ C ] is not supported"
        }
    }

    /// The ceiling a truncated model can use for `query`; nil when it needs the whole model.
    func ceiling(for query: PropertyPlan.Query) -> Double? {
        guard case .reward(let structure, let path) = query, stateRewards.indices.contains(structure) else {
            return nil
        }
        switch path {
        case .instantaneous: return stateRewards[structure]
        case .cumulative: return hasTransitionRewards[structure] ? nil : stateRewards[structure]
        case .reachability, .steadyState, .total: return nil
        }
    }
}

/// Interval evaluation of checked expressions: every value an expression can take in a state whose
/// variables lie in their declared ranges lies in the computed interval. Each floating-point result
/// is widened by one ulp on each side, so rounding cannot break the enclosure.
struct RangeEvaluation {
    struct Range: Equatable {
        var lower: Double
        var upper: Double
        static let unbounded = Range(lower: -.infinity, upper: .infinity)
        init(lower: Double, upper: Double) {
            // NaN (e.g. infinity minus infinity) means nothing is known.
            if lower.isNaN || upper.isNaN {
                self.lower = -.infinity
                self.upper = .infinity
            } else {
                self.lower = lower
                self.upper = upper
            }
        }
        init(exactly value: Double) { self.init(lower: value, upper: value) }
        var widened: Range { Range(lower: lower.nextDown, upper: upper.nextUp) }
        var containsZero: Bool { lower <= 0 && upper >= 0 }
    }

    struct Truth: Equatable {
        var canBeTrue: Bool
        var canBeFalse: Bool
        static let unknown = Truth(canBeTrue: true, canBeFalse: true)
    }

    let variables: [Variable]
    init(_ variables: [Variable]) { self.variables = variables }

    /// Each shared node (formula or label body) evaluated once, so the walk is linear in the DAG.
    private final class Memo {
        var ranges: [SharedExpr: Range] = [:]
        var truths: [SharedExpr: Truth] = [:]
    }
    private let memo = Memo()

    func range(_ expression: Expr) -> Range {
        switch expression {
        case .shared(let node):
            if let known = memo.ranges[node] { return known }
            let result = range(node.body)
            memo.ranges[node] = result
            return result
        case .literal(let value):
            switch value {
            case .int(let v): return Range(exactly: Double(v)).widened
            case .double(let v): return Range(exactly: v)
            case .bool(let v): return Range(exactly: v ? 1 : 0)
            }
        case .variable(let slot, _):
            guard slot < variables.count else { return .unbounded }
            // A variable may be bounded on one side only (`VariableRanges`: n >= 0).
            let lo = variables[slot].lowerBound.map { Double($0) } ?? -.infinity
            let hi = variables[slot].upperBound.map { Double($0) } ?? .infinity
            return Range(lower: lo, upper: hi).widened
        case .intToDouble(let inner): return range(inner)
        case .negate(let inner):
            let r = range(inner)
            return Range(lower: -r.upper, upper: -r.lower)
        case .arithmetic(let op, let a, let b):
            let x = range(a)
            let y = range(b)
            switch op {
            case .add: return Range(lower: x.lower + y.lower, upper: x.upper + y.upper).widened
            case .subtract: return Range(lower: x.lower - y.upper, upper: x.upper - y.lower).widened
            case .multiply: return Self.product(x, y)
            }
        case .divide(let a, let b):
            let y = range(b)
            if y.containsZero { return .unbounded }
            return Self.product(range(a), Range(lower: 1 / y.upper, upper: 1 / y.lower).widened)
        case .ifThenElse(let condition, let then, let otherwise):
            let truth = truth(condition)
            if !truth.canBeFalse { return range(then) }
            if !truth.canBeTrue { return range(otherwise) }
            return Self.hull(range(then), range(otherwise))
        case .call(let function, let arguments):
            return call(function, arguments.map(range))
        case .not, .compare, .logical:
            let t = truth(expression)
            return Range(lower: t.canBeFalse ? 0 : 1, upper: t.canBeTrue ? 1 : 0)
        }
    }

    func truth(_ expression: Expr) -> Truth {
        switch expression {
        case .shared(let node):
            if let known = memo.truths[node] { return known }
            let result = truth(node.body)
            memo.truths[node] = result
            return result
        case .literal(.bool(let v)): return Truth(canBeTrue: v, canBeFalse: !v)
        case .not(let inner):
            let t = truth(inner)
            return Truth(canBeTrue: t.canBeFalse, canBeFalse: t.canBeTrue)
        case .logical(let op, let a, let b):
            let x = truth(a)
            let y = truth(b)
            switch op {
            case .and:
                return Truth(canBeTrue: x.canBeTrue && y.canBeTrue, canBeFalse: x.canBeFalse || y.canBeFalse)
            case .or:
                return Truth(canBeTrue: x.canBeTrue || y.canBeTrue, canBeFalse: x.canBeFalse && y.canBeFalse)
            case .implies:
                return Truth(canBeTrue: x.canBeFalse || y.canBeTrue, canBeFalse: x.canBeTrue && y.canBeFalse)
            case .iff:
                return .unknown
            }
        case .compare(let op, let a, let b):
            let x = range(a)
            let y = range(b)
            switch op {
            case .less: return Truth(canBeTrue: x.lower < y.upper, canBeFalse: x.upper >= y.lower)
            case .lessOrEqual: return Truth(canBeTrue: x.lower <= y.upper, canBeFalse: x.upper > y.lower)
            case .greater: return Truth(canBeTrue: x.upper > y.lower, canBeFalse: x.lower <= y.upper)
            case .greaterOrEqual: return Truth(canBeTrue: x.upper >= y.lower, canBeFalse: x.lower < y.upper)
            case .equal, .notEqual:
                let overlap = x.lower <= y.upper && y.lower <= x.upper
                let single = x.lower == x.upper && y.lower == y.upper
                let equal = Truth(canBeTrue: overlap, canBeFalse: !single || x.lower != y.lower)
                return op == .equal ? equal : Truth(canBeTrue: equal.canBeFalse, canBeFalse: equal.canBeTrue)
            }
        case .ifThenElse(let condition, let then, let otherwise):
            let c = truth(condition)
            if !c.canBeFalse { return truth(then) }
            if !c.canBeTrue { return truth(otherwise) }
            let x = truth(then)
            let y = truth(otherwise)
            return Truth(canBeTrue: x.canBeTrue || y.canBeTrue, canBeFalse: x.canBeFalse || y.canBeFalse)
        default:
            return .unknown
        }
    }

    private func call(_ function: BuiltinFunction, _ arguments: [Range]) -> Range {
        guard let first = arguments.first else { return .unbounded }
        switch function {
        case .min:
            return arguments.dropFirst().reduce(first) {
                Range(lower: Swift.min($0.lower, $1.lower), upper: Swift.min($0.upper, $1.upper))
            }
        case .max:
            return arguments.dropFirst().reduce(first) {
                Range(lower: Swift.max($0.lower, $1.lower), upper: Swift.max($0.upper, $1.upper))
            }
        // Monotone, and within one of their argument.
        case .floor, .ceil, .round: return Range(lower: first.lower - 1, upper: first.upper + 1)
        case .mod:
            // PRISM's mod is in [0, |divisor|) for a non-zero divisor.
            guard arguments.count == 2 else { return .unbounded }
            let bound = Swift.max(abs(arguments[1].lower), abs(arguments[1].upper))
            return Range(lower: 0, upper: bound)
        case .pow, .log:
            // Rarely in rewards; an exact constant is already folded by the front end.
            return .unbounded
        }
    }

    private static func product(_ x: Range, _ y: Range) -> Range {
        let corners = [x.lower * y.lower, x.lower * y.upper, x.upper * y.lower, x.upper * y.upper]
        // 0 x infinity is NaN: the enclosure is then unknown.
        if corners.contains(where: \.isNaN) { return .unbounded }
        return Range(lower: corners.min() ?? -.infinity, upper: corners.max() ?? .infinity).widened
    }

    private static func hull(_ x: Range, _ y: Range) -> Range {
        Range(lower: Swift.min(x.lower, y.lower), upper: Swift.max(x.upper, y.upper))
    }
}
