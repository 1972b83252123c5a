// Checked CSL properties: a typed AST whose atoms are boolean expressions over the model's
// variable slots (labels and formulas inlined). Later stages refuse what they do not support by
// name; the front end accepts the whole PRISM property language listed here.

public struct CheckedProperty: Sendable, Hashable {
    /// The `"name":` prefix, if any.
    public var name: String?
    public var formula: StateFormula
    /// The property as written (constants not substituted), for output.
    public var text: String
    public var location: SourceLocation
    /// `filter(op, formula, states)` around the formula, when the property is written so.
    public var filter: PropertyFilter?

    public init(
        name: String?, formula: StateFormula, text: String, location: SourceLocation, filter: PropertyFilter? = nil
    ) {
        self.name = name
        self.formula = formula
        self.text = text
        self.location = location
        self.filter = filter
    }
}

/// PRISM's filter operators (`+`, `&` and `|` are read as sum, forall and exists).
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    case min, max, argmin, argmax, count, sum, avg, first, print, printall, forall, exists, range, state

    /// Whether the operator reads a boolean per state (count, forall, exists), a number (min, max,
    /// argmin, argmax, sum, avg, range) or either (first, print, printall, state).
    public var operand: FilterOperand {
        switch self {
        case .count, .forall, .exists: .boolean
        case .min, .max, .argmin, .argmax, .sum, .avg, .range: .numerical
        case .first, .print, .printall, .state: .either
        }
    }
}

public enum FilterOperand: Sendable, Hashable {
    case boolean, numerical, either
}

/// `filter(op, prop, states)` of a whole property; `states` is `true` when omitted.
public struct PropertyFilter: Sendable, Hashable {
    public var op: FilterOperator
    /// An operator-free state formula (labels, `"init"`, `"deadlock"` allowed).
    public var states: StateFormula
    /// The states argument as written, nil when omitted.
    public var statesText: String?

    public init(op: FilterOperator, states: StateFormula, statesText: String?) {
        self.op = op
        self.states = states
        self.statesText = statesText
    }
}

public enum Bound: Sendable, Hashable {
    /// `=?`
    case query
    /// `>= p`, `< p`, ...; only `<`, `<=`, `>`, `>=` occur.
    case compare(ComparisonOperator, Double)
}

public enum Optimization: String, Sendable, Hashable {
    case minimum = "min", maximum = "max"
}

public indirect enum StateFormula: Sendable, Hashable {
    /// A boolean expression over variables (labels and formulas as shared nodes).
    case atom(Expr)
    /// The built-in `"init"` label.
    case initial
    /// The built-in `"deadlock"` label.
    case deadlock
    case not(StateFormula)
    case logical(LogicalOperator, StateFormula, StateFormula)
    /// `P=? [path]`, `P>=p [path]`; `Pmin`/`Pmax` keep their optimisation for the error message.
    case probability(Bound, PathFormula, Optimization?)
    /// `S=? [phi]`
    case steadyState(Bound, StateFormula)
    /// `R{"r"}=? [...]`
    case reward(RewardReference, Bound, RewardPath, Optimization?)
}

/// A time interval of a CSL path operator; `upper` nil means unbounded.
public struct TimeBound: Sendable, Hashable {
    public var lower: Double
    public var lowerStrict: Bool
    public var upper: Double?
    public var upperStrict: Bool

    public init(lower: Double = 0, lowerStrict: Bool = false, upper: Double? = nil, upperStrict: Bool = false) {
        self.lower = lower
        self.lowerStrict = lowerStrict
        self.upper = upper
        self.upperStrict = upperStrict
    }

    public static let unbounded = TimeBound()
    public var isUnbounded: Bool { lower == 0 && upper == nil }
}

public indirect enum PathFormula: Sendable, Hashable {
    case next(StateFormula, TimeBound)
    case until(StateFormula, StateFormula, TimeBound)
    /// `F phi`
    case eventually(StateFormula, TimeBound)
    /// `G phi`
    case globally(StateFormula, TimeBound)
    /// `phi1 W phi2`
    case weakUntil(StateFormula, StateFormula, TimeBound)
    /// `phi1 R phi2`
    case release(StateFormula, StateFormula, TimeBound)
}

public enum RewardReference: Sendable, Hashable {
    /// `R=?` on a model with one reward structure, or `R{1}`: index into `CheckedModel.rewards`.
    case index(Int)
}

public enum RewardPath: Sendable, Hashable {
    /// `C<=t`
    case cumulative(Double)
    /// `I=t`
    case instantaneous(Double)
    /// `F phi`
    case reachability(StateFormula)
    /// `S`
    case steadyState
    /// `C` (total reward)
    case total
}
