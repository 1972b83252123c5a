// Module renaming (`module P2 = P1 [x1=x2, a=b] endmodule`) as PRISM does it: formulas used in
// the base module are expanded first, then every identifier and action in the copy is renamed.
// The result is an ordinary module syntax tree, checked like any other. A formula is not copied
// into each use: its body is renamed once per renamed module and becomes a formula of its own
// (`f@P2`), which the checker shares like any other, so nested formulas cannot blow up here.

struct IdentifierRenaming {
    var map: [String: String]
    /// Where each new name is written in the renaming clause, so that errors about a renamed
    /// declaration point there rather than into the base module.
    var targets: [String: Int] = [:]
    var formulas: [String: SyntaxExpression]
    /// Identifiers seen in the base module (after formula expansion), to refuse renaming names
    /// that do not occur.
    var seen: Set<String> = []
    /// The renamed copies of the formulas the module uses, named `formula@module`.
    var renamedFormulas: [(name: String, body: SyntaxExpression)] = []
    private var renamedFormulaNames: Set<String> = []
    private let suffix: String
    private var expanding: [String] = []

    init(map: [String: String], formulas: [String: SyntaxExpression], module: String) {
        self.map = map
        self.formulas = formulas
        suffix = "@" + module
    }

    func name(_ text: String) -> String { map[text] ?? text }

    func renamed(_ name: Name) -> Name { Name(text: self.name(name.text), offset: name.offset) }

    mutating func rewrite(_ expression: SyntaxExpression) -> SyntaxExpression {
        var result = expression
        switch expression.kind {
        case .integer, .double, .bool, .label: return expression
        case .identifier(let text):
            if let body = formulas[text], !expanding.contains(text), expanding.count < 100 {
                if renamedFormulaNames.insert(text).inserted {
                    expanding.append(text)
                    defer { expanding.removeLast() }
                    renamedFormulas.append((text + suffix, rewrite(body)))
                }
                result.kind = .identifier(text + suffix)
                return result
            }
            seen.insert(text)
            result.kind = .identifier(name(text))
        case .unary(let op, let operand):
            result.kind = .unary(op, rewrite(operand))
        case .binary(let op, let lhs, let rhs):
            result.kind = .binary(op, rewrite(lhs), rewrite(rhs))
        case .conditional(let c, let t, let o):
            result.kind = .conditional(rewrite(c), rewrite(t), rewrite(o))
        case .call(let function, let arguments):
            seen.insert(function)
            result.kind = .call(name(function), arguments.map { rewrite($0) })
        case .parenthesized(let inner):
            result.kind = .parenthesized(rewrite(inner))
        case .probability, .steadyState, .reward, .temporal:
            // Refused later by the expression checker; nothing to rename inside.
            return expression
        }
        return result
    }

    mutating func rewrite(_ declaration: VariableDeclaration) -> VariableDeclaration {
        seen.insert(declaration.name.text)
        var result = declaration
        result.name = renamed(declaration.name)
        if let offset = targets[declaration.name.text] { result.name.offset = offset }
        switch declaration.type {
        case .range(let low, let high): result.type = .range(rewrite(low), rewrite(high))
        case .int, .bool, .clock: break
        }
        result.initial = declaration.initial.map { rewrite($0) }
        return result
    }

    mutating func rewrite(_ command: CommandSyntax) -> CommandSyntax {
        var result = command
        if let action = command.action {
            seen.insert(action.text)
            result.action = renamed(action)
        }
        result.guardExpression = rewrite(command.guardExpression)
        result.updates = command.updates.map { update in
            var copy = update
            copy.rate = update.rate.map { rewrite($0) }
            copy.assignments = update.assignments.map { assignment in
                seen.insert(assignment.variable.text)
                return AssignmentSyntax(variable: renamed(assignment.variable), value: rewrite(assignment.value))
            }
            return copy
        }
        return result
    }
}

extension Checker {
    /// The module a renaming denotes, or nil after reporting why it is wrong.
    mutating func expandRenamedModule(
        _ renamed: RenamedModuleSyntax, modules: [String: ModuleSyntax], formulas: [String: SyntaxExpression]
    ) -> (module: ModuleSyntax, renaming: IdentifierRenaming)? {
        guard let base = modules[renamed.base.text] else {
            error(
                .model, renamed.base.offset,
                "module '\(renamed.name.text)' renames '\(renamed.base.text)', which is not a module defined in full")
            return nil
        }
        var map: [String: String] = [:]
        var ok = true
        for (from, to) in renamed.renames {
            if map[from.text] != nil {
                error(.model, from.offset, "'\(from.text)' is renamed twice")
                ok = false
            }
            map[from.text] = to.text
        }
        // A renaming is a few bytes but copies the whole base module: bound what copies add up to.
        let size = moduleSizes[base.name.text] ?? Checker.nodeCount(base)
        moduleSizes[base.name.text] = size
        copiedNodes += size
        guard copiedNodes <= FrontEndLimits.maximumNodes, !budgetExceeded else {
            if !budgetExceeded {
                budgetExceeded = true
                error(.model, renamed.name.offset, FrontEndLimits.nodesMessage("the renamed modules' copies"))
            }
            return nil
        }
        var renaming = IdentifierRenaming(map: map, formulas: formulas, module: renamed.name.text)
        for (from, to) in renamed.renames { renaming.targets[from.text] = to.offset }
        var module = base
        module.name = renamed.name
        module.variables = base.variables.map { renaming.rewrite($0) }
        module.commands = base.commands.map { renaming.rewrite($0) }
        for (name, body) in renaming.renamedFormulas {
            symbols[name] = .formula(self.formulas.count)
            self.formulas.append(FormulaEntry(name: Name(text: name, offset: body.start), body: body, file: .model))
        }
        for variable in base.variables where map[variable.name.text] == nil {
            error(
                .model, renamed.name.offset,
                "module '\(renamed.name.text)' must rename variable '\(variable.name.text)' of module '\(base.name.text)'"
            )
            ok = false
        }
        for (from, _) in renamed.renames where !renaming.seen.contains(from.text) {
            error(
                .model, from.offset,
                "'\(from.text)' does not occur in module '\(base.name.text)', so it cannot be renamed")
            ok = false
        }
        return ok ? (module, renaming) : nil
    }

    /// Expression nodes in a module's declarations and commands: what one renamed copy costs.
    static func nodeCount(_ module: ModuleSyntax) -> Int {
        var total = 0
        for variable in module.variables {
            if case .range(let low, let high) = variable.type { total += nodeCount(low) + nodeCount(high) }
            total += variable.initial.map(nodeCount) ?? 0
        }
        for command in module.commands {
            total += nodeCount(command.guardExpression)
            for update in command.updates {
                total += update.rate.map(nodeCount) ?? 0
                for assignment in update.assignments { total += nodeCount(assignment.value) }
            }
        }
        return total
    }

    static func nodeCount(_ expression: SyntaxExpression) -> Int {
        switch expression.kind {
        case .integer, .double, .bool, .identifier, .label: 1
        case .unary(_, let a), .parenthesized(let a), .probability(_, let a), .steadyState(_, let a): 1 + nodeCount(a)
        case .binary(_, let a, let b): 1 + nodeCount(a) + nodeCount(b)
        case .conditional(let a, let b, let c): 1 + nodeCount(a) + nodeCount(b) + nodeCount(c)
        case .call(_, let arguments): 1 + arguments.reduce(0) { $0 + nodeCount($1) }
        case .reward, .temporal: 1
        }
    }

    /// A command's text with the renaming applied to its identifiers, for error messages.
    func renamedText(_ text: String, _ renaming: IdentifierRenaming?) -> String {
        guard let renaming else { return text }
        let bytes = Array(text.utf8)
        var result = ""
        var last = 0
        var lexer = Lexer(bytes: bytes)
        while true {
            let token = lexer.next()
            if token.kind == .endOfFile { break }
            guard token.kind == .identifier || token.kind == .primedIdentifier else { continue }
            let primed = token.kind == .primedIdentifier
            let name = String(decoding: bytes[token.start..<(primed ? token.end - 1 : token.end)], as: UTF8.self)
            guard let replacement = renaming.map[name] else { continue }
            result += String(decoding: bytes[last..<token.start], as: UTF8.self) + replacement + (primed ? "'" : "")
            last = token.end
        }
        return result + String(decoding: bytes[last...], as: UTF8.self)
    }
}
