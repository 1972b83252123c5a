// Syntax expressions to typed `Expr`: name resolution (variables to slots, constants to values,
// formulas and labels inlined), PRISM's typing and promotion rules, and folding of constant
// sub-expressions. Returns nil when the expression has an error (already reported).
//
// Typing, as PRISM: `+ - *` on two ints give an int, otherwise a double (the int side promoted);
// `/` always gives a double; relational operators compare numbers after promotion; `=`/`!=` also
// compare booleans; `!`, `&`, `|`, `=>`, `<=>` take booleans.

extension Checker {
    static func typeName(_ type: ValueType) -> String { type.rawValue }

    /// "an int", "a double", "a bool".
    static func article(_ type: ValueType) -> String { type == .int ? "an int" : "a \(type.rawValue)" }

    /// Int to double, folding literals.
    static func promoted(_ expression: Expr) -> Expr {
        switch expression.type {
        case .double, .bool: return expression
        case .int:
            if case .literal(.int(let value)) = expression { return .literal(.double(Double(value))) }
            return .intToDouble(expression)
        }
    }

    mutating func lower(_ syntax: SyntaxExpression, _ context: ExpressionContext) -> Expr? {
        guard !budgetExceeded else { return nil }
        loweredNodes += 1
        if loweredNodes > FrontEndLimits.maximumNodes {
            budgetExceeded = true
            error(context.file, syntax.start, FrontEndLimits.nodesMessage("the model and properties"))
            return nil
        }
        loweringDepth += 1
        defer { loweringDepth -= 1 }
        if loweringDepth > FrontEndLimits.maximumDepth {
            budgetExceeded = true
            error(context.file, syntax.start, FrontEndLimits.depthMessage())
            return nil
        }
        return lowerNode(syntax, context)
    }

    private mutating func lowerNode(_ syntax: SyntaxExpression, _ context: ExpressionContext) -> Expr? {
        switch syntax.kind {
        case .integer(let value): return .literal(.int(value))
        case .double(let value): return .literal(.double(value))
        case .bool(let value): return .literal(.bool(value))
        case .identifier(let name): return resolve(name, at: syntax.start, context)
        case .label(let name): return resolveLabel(name, at: syntax.start, context)
        case .parenthesized(let inner): return lower(inner, context)
        case .unary(let op, let operand):
            guard let value = lower(operand, context) else { return nil }
            return unary(op, value, at: syntax.start, context)
        case .binary(let op, let left, let right):
            let lhs = lower(left, context)
            let rhs = lower(right, context)
            guard let lhs, let rhs else { return nil }
            return binary(op, lhs, rhs, at: syntax.start, rightOffset: right.start, context)
        case .conditional(let condition, let then, let otherwise):
            let c = lower(condition, context)
            let t = lower(then, context)
            let o = lower(otherwise, context)
            guard let c, let t, let o else { return nil }
            return conditional(c, t, o, at: syntax.start, context)
        case .call(let name, let arguments):
            let lowered = arguments.map { lower($0, context) }
            let values = lowered.compactMap { $0 }
            guard values.count == lowered.count else { return nil }
            return call(name, values, at: syntax.start, context)
        case .probability, .steadyState, .reward:
            error(
                context.file, syntax.start,
                context.allowLabels
                    ? "a P, S or R operator cannot be used inside an arithmetic or comparison expression"
                    : "P, S and R operators are only allowed in properties")
            return nil
        case .temporal(let op, _, _, _):
            error(
                context.file, syntax.start,
                context.allowLabels
                    ? "temporal operator '\(op.rawValue)' cannot be nested here: a P[...] holds one path operator over state formulas"
                    : "temporal operator '\(op.rawValue)' is only allowed inside P[...]")
            return nil
        }
    }

    /// Lowers and requires a type, with a message naming what the expression is for.
    mutating func lower(_ syntax: SyntaxExpression, _ context: ExpressionContext, as type: ValueType, _ what: String)
        -> Expr?
    {
        guard let expression = lower(syntax, context) else { return nil }
        switch (type, expression.type) {
        case (.double, .int): return Checker.promoted(expression)
        case (let wanted, let found) where wanted == found: return expression
        default:
            let wanted = type == .double ? "numeric" : Checker.typeName(type)
            error(context.file, syntax.start, "\(what) must be \(wanted), found \(Checker.typeName(expression.type))")
            return nil
        }
    }

    /// A constant expression's value (no variables), or nil after reporting why not.
    mutating func evaluate(_ syntax: SyntaxExpression, _ context: ExpressionContext) -> Value? {
        var constantContext = context
        constantContext.allowVariables = false
        guard let expression = lower(syntax, constantContext) else { return nil }
        guard let value = Folding.literal(expression) else {
            error(context.file, syntax.start, "\(context.purpose) must be a constant expression")
            return nil
        }
        return value
    }

    private mutating func resolve(_ name: String, at offset: Int, _ context: ExpressionContext) -> Expr? {
        var symbol = symbols[name]
        // The model cannot see what the properties file defines.
        if context.file == .model {
            switch symbol {
            case .constant(let index) where constants[index].file == .properties: symbol = nil
            case .formula(let index) where formulas[index].file == .properties: symbol = nil
            default: break
            }
        }
        switch symbol {
        case .variable(let slot):
            guard context.allowVariables else {
                error(context.file, offset, "\(context.purpose) cannot refer to variable '\(name)'")
                return nil
            }
            return .variable(slot: slot, type: variables[slot].type)
        case .constant(let index):
            return constantValue(index, usedAt: offset, in: context.file).map { .literal($0) }
        case .formula(let index):
            let formula = formulas[index]
            if let cycleStart = expansionStack.firstIndex(of: name) {
                let cycle = (expansionStack[cycleStart...] + [name]).joined(separator: " -> ")
                error(context.file, offset, "cyclic formula definition: \(cycle)")
                return nil
            }
            var inner = context
            inner.file = formula.file
            // A model formula cannot refer to labels, wherever it is used, so its uses in the
            // model and in the properties share one node.
            if formula.file == .model { inner.allowLabels = false }
            let key = SharedBodyKey(
                name: name, isLabel: false, allowVariables: inner.allowVariables, allowLabels: inner.allowLabels)
            if let known = sharedBodies[key] { return known }
            expansionStack.append(name)
            defer { expansionStack.removeLast() }
            let body = lower(formula.body, inner).map { Checker.shared($0, "formula \(name)") }
            sharedBodies[key] = body
            return body
        case nil:
            error(context.file, offset, "undeclared identifier '\(name)'")
            return nil
        }
    }

    mutating func resolveLabel(_ name: String, at offset: Int, _ context: ExpressionContext) -> Expr? {
        guard context.allowLabels else {
            error(context.file, offset, "label references (\"\(name)\") are only allowed in properties")
            return nil
        }
        if name == "init" || name == "deadlock" {
            error(
                context.file, offset,
                "the built-in label \"\(name)\" can only be combined with !, &, |, => and <=> in a property")
            return nil
        }
        guard let label = labels[name] else {
            error(context.file, offset, "unknown label \"\(name)\"")
            return nil
        }
        return labelBody(name, label, at: offset, context)
    }

    /// A label's body as one shared node per kind of use: the model's label list and every property
    /// that names it share it.
    mutating func labelBody(_ name: String, _ label: LabelEntry, at offset: Int, _ context: ExpressionContext)
        -> Expr?
    {
        let key = "\"\(name)\""
        if let cycleStart = expansionStack.firstIndex(of: key) {
            let cycle = (expansionStack[cycleStart...] + [key]).joined(separator: " -> ")
            error(context.file, offset, "cyclic label definition: \(cycle)")
            return nil
        }
        var inner = context
        inner.file = label.file
        // Only the properties file's labels may refer to other labels.
        if label.file == .model { inner.allowLabels = false }
        let sharedKey = SharedBodyKey(
            name: name, isLabel: true, allowVariables: inner.allowVariables, allowLabels: inner.allowLabels)
        if let known = sharedBodies[sharedKey] { return known }
        expansionStack.append(key)
        defer { expansionStack.removeLast() }
        let body = lower(label.body, inner, as: .bool, "label \"\(name)\"").map { Checker.shared($0, "label \(key)") }
        sharedBodies[sharedKey] = body
        return body
    }

    /// A body as a shared node; a literal or a variable is as small as a reference, and a literal
    /// must stay one so that constant folding goes on through formulas.
    static func shared(_ body: Expr, _ name: String) -> Expr {
        switch body {
        case .literal, .variable, .shared: body
        default: .shared(SharedExpr(name: name, body: body))
        }
    }

    /// The value of constant `index`, evaluating its definition on first use.
    mutating func constantValue(_ index: Int, usedAt offset: Int, in role: FileRole) -> Value? {
        switch constants[index].state {
        case .done(let value): return value
        case .failed: return nil
        case .evaluating:
            error(role, offset, "cyclic constant definition: '\(constants[index].name.text)' depends on itself")
            constants[index].state = .failed
            return nil
        case .pending:
            let entry = constants[index]
            if let value = entry.override {
                constants[index].state = .done(value)
                return value
            }
            guard let definition = entry.definition else {
                missingConstants.insert(index)
                return nil
            }
            constants[index].state = .evaluating
            var context = ExpressionContext.constant
            context.file = entry.file
            context.purpose = "the definition of constant '\(entry.name.text)'"
            let value = evaluate(definition, context).flatMap {
                converted(
                    $0, to: entry.type, at: definition.start, in: entry.file, what: "constant '\(entry.name.text)'")
            }
            if case .failed = constants[index].state { return nil }
            constants[index].state = value.map { .done($0) } ?? .failed
            return value
        }
    }

    /// A value stored into something of `type`: ints widen to double; anything else must match.
    mutating func converted(_ value: Value, to type: ValueType, at offset: Int, in role: FileRole, what: String)
        -> Value?
    {
        switch (type, value) {
        case (.int, .int), (.double, .double), (.bool, .bool): return value
        case (.double, .int(let integer)): return .double(Double(integer))
        default:
            error(
                role, offset,
                "\(what) has type \(Checker.typeName(type)) but its value \(Checker.describe(value)) has type \(Checker.typeName(value.type))"
            )
            return nil
        }
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .int(let integer): "\(integer)"
        case .double(let real): "\(real)"
        case .bool(let flag): "\(flag)"
        }
    }

    private mutating func fold(_ result: Result<Value, FoldingError>, at offset: Int, _ context: ExpressionContext)
        -> Expr?
    {
        switch result {
        case .success(let value): return .literal(value)
        case .failure(let failure):
            error(context.file, offset, failure.message)
            return nil
        }
    }

    private mutating func unary(_ op: UnaryOperator, _ operand: Expr, at offset: Int, _ context: ExpressionContext)
        -> Expr?
    {
        switch op {
        case .not:
            guard operand.type == .bool else {
                error(context.file, offset, "'!' needs a bool operand, found \(Checker.typeName(operand.type))")
                return nil
            }
            if case .literal(.bool(let value)) = operand { return .literal(.bool(!value)) }
            return .not(operand)
        case .minus:
            guard operand.type != .bool else {
                error(context.file, offset, "unary '-' needs a numeric operand, found bool")
                return nil
            }
            if let value = Folding.literal(operand) { return fold(Folding.negate(value), at: offset, context) }
            return .negate(operand)
        }
    }

    private mutating func binary(
        _ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, at offset: Int, rightOffset: Int,
        _ context: ExpressionContext
    ) -> Expr? {
        let left = Folding.literal(lhs)
        let right = Folding.literal(rhs)
        switch op {
        case .and, .or, .implies, .iff:
            guard lhs.type == .bool, rhs.type == .bool else {
                error(
                    context.file, lhs.type == .bool ? rightOffset : offset,
                    "'\(op.rawValue)' needs bool operands, found \(Checker.typeName(lhs.type)) and \(Checker.typeName(rhs.type))"
                )
                return nil
            }
            let logical: LogicalOperator =
                switch op {
                case .and: .and
                case .or: .or
                case .implies: .implies
                default: .iff
                }
            if case .bool(let a)? = left, case .bool(let b)? = right {
                return .literal(.bool(Folding.logical(logical, a, b)))
            }
            return .logical(logical, lhs, rhs)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            let comparison: ComparisonOperator =
                switch op {
                case .equal: .equal
                case .notEqual: .notEqual
                case .less: .less
                case .lessEqual: .lessOrEqual
                case .greater: .greater
                default: .greaterOrEqual
                }
            let equality = op == .equal || op == .notEqual
            if lhs.type == .bool || rhs.type == .bool {
                guard equality, lhs.type == rhs.type else {
                    error(
                        context.file, offset,
                        "'\(op.rawValue)' cannot compare \(Checker.typeName(lhs.type)) with \(Checker.typeName(rhs.type))"
                    )
                    return nil
                }
                if let left, let right { return .literal(.bool(Folding.compare(comparison, left, right))) }
                return .compare(comparison, lhs, rhs)
            }
            let (a, b) = Checker.unified(lhs, rhs)
            if let left, let right { return .literal(.bool(Folding.compare(comparison, left, right))) }
            return .compare(comparison, a, b)
        case .plus, .minus, .times, .divide:
            guard lhs.type != .bool, rhs.type != .bool else {
                error(
                    context.file, lhs.type == .bool ? offset : rightOffset,
                    "'\(op.rawValue)' needs numeric operands, found \(Checker.typeName(lhs.type)) and \(Checker.typeName(rhs.type))"
                )
                return nil
            }
            if op == .divide {
                if let left, let right { return fold(Folding.divide(left, right), at: offset, context) }
                return .divide(Checker.promoted(lhs), Checker.promoted(rhs))
            }
            let arithmetic: ArithmeticOperator =
                switch op {
                case .plus: .add
                case .minus: .subtract
                default: .multiply
                }
            if let left, let right { return fold(Folding.arithmetic(arithmetic, left, right), at: offset, context) }
            let (a, b) = Checker.unified(lhs, rhs)
            return .arithmetic(arithmetic, a, b)
        }
    }

    /// Two numeric operands brought to one type (double if either is).
    static func unified(_ lhs: Expr, _ rhs: Expr) -> (Expr, Expr) {
        lhs.type == rhs.type ? (lhs, rhs) : (promoted(lhs), promoted(rhs))
    }

    private mutating func conditional(
        _ condition: Expr, _ then: Expr, _ otherwise: Expr, at offset: Int, _ context: ExpressionContext
    ) -> Expr? {
        guard condition.type == .bool else {
            error(
                context.file, offset, "the condition of '? :' must be bool, found \(Checker.typeName(condition.type))")
            return nil
        }
        var (a, b) = (then, otherwise)
        if a.type != b.type {
            guard a.type != .bool, b.type != .bool else {
                error(
                    context.file, offset,
                    "the branches of '? :' have incompatible types \(Checker.typeName(a.type)) and \(Checker.typeName(b.type))"
                )
                return nil
            }
            (a, b) = Checker.unified(a, b)
        }
        if case .literal(.bool(let choice)) = condition { return choice ? a : b }
        return .ifThenElse(condition, a, b)
    }

    private mutating func call(_ name: String, _ arguments: [Expr], at offset: Int, _ context: ExpressionContext)
        -> Expr?
    {
        guard let function = BuiltinFunction(rawValue: name) else {
            error(
                context.file, offset,
                "unknown function '\(name)' (PRISM has min, max, floor, ceil, round, pow, mod and log)")
            return nil
        }
        let arity: ClosedRange<Int> =
            switch function {
            case .min, .max: 2...Int.max
            case .floor, .ceil, .round: 1...1
            case .pow, .mod, .log: 2...2
            }
        guard arity.contains(arguments.count) else {
            let expected = arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "at least \(arity.lowerBound)"
            error(context.file, offset, "\(name) takes \(expected) arguments, found \(arguments.count)")
            return nil
        }
        if let bad = arguments.first(where: { $0.type == .bool }) {
            _ = bad
            error(context.file, offset, "\(name) needs numeric arguments, found bool")
            return nil
        }
        var typed = arguments
        switch function {
        case .min, .max, .pow:
            if typed.contains(where: { $0.type == .double }) { typed = typed.map(Checker.promoted) }
        case .floor, .ceil, .round, .log:
            typed = typed.map(Checker.promoted)
        case .mod:
            guard typed.allSatisfy({ $0.type == .int }) else {
                error(context.file, offset, "mod needs int arguments, found double")
                return nil
            }
        }
        let values = typed.compactMap(Folding.literal)
        if values.count == typed.count {
            return fold(Folding.call(function, values), at: offset, context)
        }
        return .call(function, typed)
    }
}
