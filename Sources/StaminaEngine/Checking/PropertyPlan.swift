// What the engine computes for a property, decided once before exploring: the path formula
// rewritten into an until (directly or through its dual), or a next, steady-state or reward
// query, plus the property-truncation predicate when truncation is sound for it. A filter's
// property may also be a plain state formula (`filter(count, q=1)`): a truth value per state,
// exact on every explored state.
//
// Duals (PRISM semantics, any time interval I):
//   G^I phi     = !(true U^I !phi)
//   a W^I b     = !((a & !b) U^I (!a & !b))
//   a R^I b     = !(!a U^I !b)
// so a negated until's bounds map as [1 - Qmax, 1 - Qmin].

import PRISM

public enum PropertyKind: String, Sendable {
    /// `stateFormula`: a filter over a state formula without P, S or R (a truth value per state).
    case probability, steadyState, reward, stateFormula
}

struct PropertyPlan: Sendable {
    enum Query: Sendable {
        case until(StateFormula, StateFormula, TimeBound, negated: Bool)
        case next(StateFormula, TimeBound)
        case steadyState(StateFormula)
        case reward(Int, RewardPath)
        /// An operator-free state formula, read per state (1 where it holds, 0 elsewhere).
        case stateFormula(StateFormula)
    }

    var query: Query
    var bound: Bound
    var kind: PropertyKind
    /// States that property-based truncation may leave unexpanded: `!phi1 | phi2` of an until
    /// whose interval starts at 0. Nil when truncation would be unsound or cannot be expressed.
    var truncation: Expr?

    /// Whether the query needs the whole state space: steady state, and rewards other than a
    /// time-bounded one whose structure has a ceiling (`rewardCeiling`).
    func needsFullModel(rewardCeilings: RewardCeilings) -> Bool {
        switch query {
        case .until, .next, .stateFormula: false
        case .steadyState: true
        case .reward: rewardCeilings.ceiling(for: query) == nil
        }
    }

    /// Why the plan cannot be computed on this model, known before anything is explored: it needs
    /// the whole state space (`needsFullModel`) and a variable may grow without end, so the full
    /// exploration would only stop at the state limit. Nil when exploring may succeed.
    func refusalBeforeExploring(rewardCeilings: RewardCeilings, unboundedVariables: [String]) -> UnsupportedProperty? {
        guard needsFullModel(rewardCeilings: rewardCeilings), let first = unboundedVariables.first else { return nil }
        let what = kind == .reward ? "R" : "S"
        let why = rewardCeilings.missing(for: query).map { " (\($0))" } ?? ""
        let more = unboundedVariables.count > 1 ? " (and \(unboundedVariables.count - 1) more)" : ""
        return UnsupportedProperty(
            "this \(what) property is computed on the whole state space\(why), and variable '\(first)'\(more) may grow without end: it has no declared range and none was inferred from the guards and updates, so the model may be infinite. Give it a range (\(first) : [lo..hi]) if it is bounded. On a truncated model STAMINA bounds P properties, and R properties with C<=t or I=t whose state rewards have a ceiling (no transition rewards for C<=t)"
        )
    }

    static let trueFormula = StateFormula.atom(.literal(.bool(true)))

    /// Builds the plan or says, by name, why the property is not supported.
    static func make(_ property: CheckedProperty, rewardCount: Int) -> Result<PropertyPlan, UnsupportedProperty> {
        switch property.formula {
        case .probability(let bound, let path, let optimization):
            if let optimization {
                return .failure(
                    UnsupportedProperty(
                        "P\(optimization.rawValue) is for nondeterministic models; a CTMC has one probability, use P"))
            }
            let query: Query
            switch path {
            case .next(let phi, let interval): query = .next(phi, interval)
            case .until(let a, let b, let interval): query = .until(a, b, interval, negated: false)
            case .eventually(let b, let interval): query = .until(trueFormula, b, interval, negated: false)
            case .globally(let phi, let interval):
                query = .until(trueFormula, .not(phi), interval, negated: true)
            case .weakUntil(let a, let b, let interval):
                query = .until(
                    .logical(.and, a, .not(b)), .logical(.and, .not(a), .not(b)), interval, negated: true)
            case .release(let a, let b, let interval):
                query = .until(.not(a), .not(b), interval, negated: true)
            }
            if let nested = nestedOperator(in: query) { return .failure(nested) }
            var plan = PropertyPlan(query: query, bound: bound, kind: .probability, truncation: nil)
            if case .until(let a, let b, let interval, _) = query, interval.lower == 0,
                let phi1 = expression(a), let phi2 = expression(b)
            {
                plan.truncation = .logical(.or, .not(phi1), phi2)
            }
            return .success(plan)
        case .steadyState(let bound, let phi):
            if containsOperator(phi) {
                return .failure(UnsupportedProperty("nested P, S or R operators inside S are not supported"))
            }
            return .success(PropertyPlan(query: .steadyState(phi), bound: bound, kind: .steadyState, truncation: nil))
        case .reward(.index(let index), let bound, let path, let optimization):
            if let optimization {
                return .failure(
                    UnsupportedProperty(
                        "R\(optimization.rawValue) is for nondeterministic models; a CTMC has one expected reward, use R"
                    ))
            }
            guard index >= 0 && index < rewardCount else {
                return .failure(UnsupportedProperty("the model has no reward structure \(index + 1)"))
            }
            switch path {
            case .total:
                return .failure(UnsupportedProperty("total reward R=? [ C ] is not supported; use C<=t or F"))
            case .reachability(let phi) where containsOperator(phi):
                return .failure(UnsupportedProperty("nested P, S or R operators inside R are not supported"))
            default:
                return .success(PropertyPlan(query: .reward(index, path), bound: bound, kind: .reward, truncation: nil))
            }
        default:
            if property.filter != nil {
                guard !containsOperator(property.formula) else {
                    return .failure(
                        UnsupportedProperty(
                            "a filter's property is a P, S or R operator or a state formula without them; boolean combinations of P, S or R with other formulas are not supported"
                        ))
                }
                return .success(
                    PropertyPlan(
                        query: .stateFormula(property.formula), bound: .query, kind: .stateFormula, truncation: nil))
            }
            return .failure(
                UnsupportedProperty(
                    "only P, S and R operators are supported at the top level of a property (not boolean combinations or plain state formulas; a state formula is read per state inside filter(...), e.g. filter(forall, x>0, \"init\"))"
                ))
        }
    }

    private static func nestedOperator(in query: Query) -> UnsupportedProperty? {
        let formulas: [StateFormula]
        switch query {
        case .until(let a, let b, _, _): formulas = [a, b]
        case .next(let phi, _): formulas = [phi]
        default: formulas = []
        }
        if formulas.contains(where: containsOperator) {
            return UnsupportedProperty(
                "nested probability, steady-state or reward operators inside a path formula are not supported")
        }
        return nil
    }

    static func containsOperator(_ formula: StateFormula) -> Bool {
        switch formula {
        case .atom, .initial, .deadlock: false
        case .not(let inner): containsOperator(inner)
        case .logical(_, let a, let b): containsOperator(a) || containsOperator(b)
        case .probability, .steadyState, .reward: true
        }
    }

    /// The state formula as one boolean expression, when it has no operators and no built-in labels.
    static func expression(_ formula: StateFormula) -> Expr? {
        switch formula {
        case .atom(let e): return e
        case .initial, .deadlock, .probability, .steadyState, .reward: return nil
        case .not(let inner): return expression(inner).map { .not($0) }
        case .logical(let op, let a, let b):
            guard let x = expression(a), let y = expression(b) else { return nil }
            return .logical(op, x, y)
        }
    }

    /// Every atom of the plan, to compile before exploring.
    var atoms: [Expr] {
        var result: [Expr] = []
        func collect(_ formula: StateFormula) {
            switch formula {
            case .atom(let e): result.append(e)
            case .not(let inner): collect(inner)
            case .logical(_, let a, let b):
                collect(a)
                collect(b)
            default: break
            }
        }
        switch query {
        case .until(let a, let b, _, _):
            collect(a)
            collect(b)
        case .next(let phi, _): collect(phi)
        case .steadyState(let phi), .stateFormula(let phi): collect(phi)
        case .reward(_, .reachability(let phi)): collect(phi)
        case .reward: break
        }
        if let truncation { result.append(truncation) }
        return result
    }
}

public struct UnsupportedProperty: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
