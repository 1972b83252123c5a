// Properties to `CheckedProperty`: state formulas (P, S, R operators, the built-in labels and
// boolean combinations of them) around boolean atoms, path formulas with time bounds, and
// reward references resolved to reward-structure indices.

extension Checker {
    mutating func checkProperty(_ syntax: PropertySyntax, rewards: [RewardStructure]) -> CheckedProperty? {
        if let filter = syntax.filter { return checkFilter(syntax, filter, rewards: rewards) }
        guard let formula = stateFormula(syntax.expression, rewards: rewards) else { return nil }
        let file = file(.properties)
        return CheckedProperty(
            name: syntax.name, formula: formula,
            text: file.text(from: syntax.expression.start, to: syntax.expression.end),
            location: file.location(of: syntax.start))
    }

    /// `filter(op, prop, states)`: a known operator, a property of the kind the operator reads
    /// (a number for min, max, sum, ...; a truth value for count, forall, exists), and states
    /// without P, S or R operators.
    private mutating func checkFilter(_ syntax: PropertySyntax, _ filter: FilterSyntax, rewards: [RewardStructure])
        -> CheckedProperty?
    {
        guard let op = FilterOperator(rawValue: filter.op.text) else {
            let known = FilterOperator.allCases.map(\.rawValue).joined(separator: ", ")
            error(.properties, filter.op.offset, "unknown filter operator '\(filter.op.text)' (known: \(known))")
            return nil
        }
        let formula = stateFormula(syntax.expression, rewards: rewards)
        var states = StateFormula.atom(.literal(.bool(true)))
        if let statesSyntax = filter.states {
            guard let lowered = stateFormula(statesSyntax, rewards: rewards) else { return nil }
            if Self.containsOperator(lowered) {
                error(
                    .properties, statesSyntax.start,
                    "the states of a filter must be a formula without P, S or R operators")
                return nil
            }
            states = lowered
        }
        guard let formula else { return nil }
        let numerical = Self.isNumerical(formula)
        switch op.operand {
        case .numerical where !numerical:
            error(
                .properties, syntax.expression.start,
                "filter '\(op.rawValue)' needs a numerical property such as P=? [ ... ], found a true/false one")
            return nil
        case .boolean where numerical:
            error(
                .properties, syntax.expression.start,
                "filter '\(op.rawValue)' needs a true/false property such as P>=0.5 [ ... ] or a state formula, found a numerical one (=?)"
            )
            return nil
        default: break
        }
        let file = file(.properties)
        return CheckedProperty(
            name: syntax.name, formula: formula, text: file.text(from: filter.start, to: filter.end),
            location: file.location(of: syntax.start),
            filter: PropertyFilter(
                op: op, states: states, statesText: filter.states.map { file.text(from: $0.start, to: $0.end) }))
    }

    /// A P, S or R query (`=?`): its value per state is a number, not a truth value.
    static func isNumerical(_ formula: StateFormula) -> Bool {
        switch formula {
        case .probability(.query, _, _), .steadyState(.query, _), .reward(_, .query, _, _): true
        default: false
        }
    }

    static func containsOperator(_ formula: StateFormula) -> Bool {
        switch formula {
        case .atom, .initial, .deadlock: false
        case .not(let inner): containsOperator(inner)
        case .logical(_, let a, let b): containsOperator(a) || containsOperator(b)
        case .probability, .steadyState, .reward: true
        }
    }

    /// True when the expression needs the state-formula structure (an operator or built-in label).
    private func hasStateOperator(_ syntax: SyntaxExpression) -> Bool {
        switch syntax.kind {
        case .probability, .steadyState, .reward: return true
        case .label(let name): return name == "init" || name == "deadlock"
        case .parenthesized(let inner), .unary(.not, let inner): return hasStateOperator(inner)
        case .binary(let op, let lhs, let rhs):
            switch op {
            case .and, .or, .implies, .iff: return hasStateOperator(lhs) || hasStateOperator(rhs)
            default: return false
            }
        default: return false
        }
    }

    mutating func stateFormula(_ syntax: SyntaxExpression, rewards: [RewardStructure]) -> StateFormula? {
        guard hasStateOperator(syntax) else {
            if case .temporal = syntax.kind {
                error(
                    .properties, syntax.start,
                    "a path formula must be inside P[...] (nested temporal operators are not supported)")
                return nil
            }
            return lower(syntax, .property, as: .bool, "a state formula").map { .atom($0) }
        }
        switch syntax.kind {
        case .parenthesized(let inner):
            return stateFormula(inner, rewards: rewards)
        case .label(let name):
            return name == "init" ? .initial : .deadlock
        case .unary(_, let inner):
            return stateFormula(inner, rewards: rewards).map { .not($0) }
        case .binary(let op, let lhs, let rhs):
            let left = stateFormula(lhs, rewards: rewards)
            let right = stateFormula(rhs, rewards: rewards)
            guard let left, let right else { return nil }
            let logical: LogicalOperator =
                switch op {
                case .and: .and
                case .or: .or
                case .implies: .implies
                default: .iff
                }
            return .logical(logical, left, right)
        case .probability(let boundSyntax, let path):
            let (bound, optimization) = operatorBound(boundSyntax, probability: true)
            guard let bound, let formula = pathFormula(path, rewards: rewards) else { return nil }
            return .probability(bound, formula, optimization)
        case .steadyState(let boundSyntax, let inner):
            let (bound, _) = operatorBound(boundSyntax, probability: true)
            guard let bound, let formula = stateFormula(inner, rewards: rewards) else { return nil }
            return .steadyState(bound, formula)
        case .reward(let index, let boundSyntax, let path):
            let reference = rewardReference(index, at: syntax.start, rewards: rewards)
            let (bound, optimization) = operatorBound(boundSyntax, probability: false)
            let rewardPath = self.rewardPath(path, rewards: rewards)
            guard let reference, let bound, let rewardPath else { return nil }
            return .reward(reference, bound, rewardPath, optimization)
        default:
            return nil
        }
    }

    private mutating func operatorBound(_ syntax: SyntaxBound, probability: Bool) -> (Bound?, Optimization?) {
        switch syntax {
        case .query(let optimization): return (.query, optimization)
        case .compare(let op, let expression):
            var context = ExpressionContext.property
            context.purpose = "the bound"
            guard let value = evaluate(expression, context) else { return (nil, nil) }
            guard value.type != .bool else {
                error(.properties, expression.start, "the bound must be a number, found bool")
                return (nil, nil)
            }
            let number = Folding.double(value)
            if probability && !(0...1).contains(number) {
                error(.properties, expression.start, "the probability bound \(number) is not between 0 and 1")
                return (nil, nil)
            }
            return (.compare(op, number), nil)
        }
    }

    private mutating func pathFormula(_ syntax: SyntaxExpression, rewards: [RewardStructure]) -> PathFormula? {
        switch syntax.kind {
        case .parenthesized(let inner):
            return pathFormula(inner, rewards: rewards)
        case .temporal(let op, let lhs, let rhs, let boundSyntax):
            let bound = timeBound(boundSyntax)
            let right = stateFormula(rhs, rewards: rewards)
            let left = lhs.map { stateFormula($0, rewards: rewards) }
            guard let bound, let right else { return nil }
            switch op {
            case .next: return .next(right, bound)
            case .eventually: return .eventually(right, bound)
            case .globally: return .globally(right, bound)
            case .until, .weakUntil, .release:
                guard let left = left ?? nil else { return nil }
                switch op {
                case .until: return .until(left, right, bound)
                case .weakUntil: return .weakUntil(left, right, bound)
                default: return .release(left, right, bound)
                }
            }
        default:
            error(.properties, syntax.start, "expected a path formula (X, F, G, U, W or R) inside P[...]")
            return nil
        }
    }

    private mutating func timeValue(_ syntax: SyntaxExpression) -> Double? {
        var context = ExpressionContext.property
        context.purpose = "a time bound"
        guard let value = evaluate(syntax, context) else { return nil }
        guard value.type != .bool else {
            error(.properties, syntax.start, "a time bound must be a number, found bool")
            return nil
        }
        let number = Folding.double(value)
        guard number >= 0 else {
            error(.properties, syntax.start, "a time bound must not be negative, found \(number)")
            return nil
        }
        return number
    }

    private mutating func timeBound(_ syntax: SyntaxTimeBound?) -> TimeBound? {
        guard let syntax else { return .unbounded }
        var bound = TimeBound(lowerStrict: syntax.lowerStrict, upperStrict: syntax.upperStrict)
        var ok = true
        if let lower = syntax.lower {
            if let value = timeValue(lower) { bound.lower = value } else { ok = false }
        }
        if let upper = syntax.upper {
            if let value = timeValue(upper) { bound.upper = value } else { ok = false }
        }
        guard ok else { return nil }
        if let upper = bound.upper, upper < bound.lower {
            error(.properties, syntax.offset, "the time interval is empty: \(bound.lower) > \(upper)")
            return nil
        }
        return bound
    }

    private mutating func rewardReference(_ syntax: SyntaxRewardIndex?, at offset: Int, rewards: [RewardStructure])
        -> RewardReference?
    {
        switch syntax {
        case nil:
            guard !rewards.isEmpty else {
                error(.properties, offset, "the model has no reward structure")
                return nil
            }
            // PRISM uses the first reward structure when none is named.
            return .index(0)
        case .name(let name)?:
            guard let index = rewards.firstIndex(where: { $0.name == name.text }) else {
                let known = rewards.compactMap(\.name).map { "\"\($0)\"" }.joined(separator: ", ")
                error(
                    .properties, name.offset,
                    "unknown reward structure \"\(name.text)\"" + (known.isEmpty ? "" : " (the model has \(known))"))
                return nil
            }
            return .index(index)
        case .expression(let expression)?:
            var context = ExpressionContext.property
            context.purpose = "a reward structure index"
            guard let value = evaluate(expression, context) else { return nil }
            guard case .int(let number) = value, number >= 1, number <= Int64(rewards.count) else {
                error(
                    .properties, expression.start,
                    "reward structure index \(Checker.describe(value)) is not between 1 and \(rewards.count)")
                return nil
            }
            return .index(Int(number) - 1)
        }
    }

    private mutating func rewardPath(_ syntax: SyntaxRewardPath, rewards: [RewardStructure]) -> RewardPath? {
        switch syntax {
        case .cumulative(nil): return .total
        case .cumulative(let time?): return timeValue(time).map { .cumulative($0) }
        case .instantaneous(let time): return timeValue(time).map { .instantaneous($0) }
        case .reachability(let target): return stateFormula(target, rewards: rewards).map { .reachability($0) }
        case .steadyState: return .steadyState
        }
    }
}
