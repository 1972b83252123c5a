// The model-file grammar: model type, constants, formulas, labels, globals, modules (plain and
// renamed), reward structures, `init ... endinit` and `system ... endsystem`.
// Recovery: an error inside a statement skips to its `;`; an error in a module skips to the
// next command; so one run reports the errors of many statements.

extension Parser {
    static func modelType(named text: String) -> ModelType? {
        switch text {
        case "ctmc", "stochastic": .ctmc
        case "dtmc", "probabilistic": .dtmc
        case "mdp", "nondeterministic": .mdp
        case "pta": .pta
        case "pomdp": .pomdp
        case "popta": .popta
        // Storm's model types (not PRISM keywords, so only recognised at the top level).
        case "ma": .ma
        case "lts": .lts
        case "smg": .smg
        case "csg": .csg
        case "tsg": .tsg
        default: nil
        }
    }

    mutating func parseModel() -> ModelSyntax {
        var model = ModelSyntax()
        var sawInit = false
        var sawSystem = false
        while kind != .endOfFile {
            let before = index
            do {
                try parseTopLevelItem(&model, sawInit: &sawInit, sawSystem: &sawSystem)
            } catch {
                record(error)
                while !atTopLevelStart() { advance() }
            }
            if index == before { advance() }
        }
        return model
    }

    private mutating func parseTopLevelItem(
        _ model: inout ModelSyntax, sawInit: inout Bool, sawSystem: inout Bool
    ) throws(SyntaxError) {
        let start = current.start
        if let type = Parser.modelType(named: text(current)),
            kind == .identifier || Parser.modelTypeKeywords.contains(kind)
        {
            advance()
            if model.type != nil {
                throw SyntaxError(offset: start, message: "there were multiple model type declarations")
            }
            model.type = type
            model.typeOffset = start
            return
        }
        switch kind {
        case .keyword(.const), .keyword(.rate), .keyword(.prob):
            model.constants.append(try parseConstant())
        case .keyword(.formula):
            model.formulas.append(try parseFormula())
        case .keyword(.label):
            model.labels.append(try parseLabel())
        case .keyword(.global):
            advance()
            model.globals.append(try parseVariableDeclaration())
        case .keyword(.module):
            model.modules.append(try parseModule())
        case .keyword(.rewards):
            model.rewards.append(try parseRewards())
        case .keyword(.`init`):
            advance()
            let expression = try parseExpression()
            try expect(.keyword(.endinit), "to close 'init'")
            if sawInit {
                throw SyntaxError(offset: start, message: "there were multiple init...endinit constructs")
            }
            sawInit = true
            model.initial = expression
        case .keyword(.system):
            advance()
            let system = try parseSystem()
            try expect(.keyword(.endsystem), "to close 'system'")
            if sawSystem {
                throw SyntaxError(offset: start, message: "there were multiple system...endsystem constructs")
            }
            sawSystem = true
            model.system = system
        default:
            throw unexpected(
                "a model type, 'const', 'formula', 'label', 'global', 'module', 'rewards', 'init' or 'system'")
        }
    }

    static func isKeyword(_ kind: TokenKind) -> Bool {
        if case .keyword = kind { return true }
        return false
    }

    private static let modelTypeKeywords: Set<TokenKind> = [
        .keyword(.ctmc), .keyword(.stochastic), .keyword(.dtmc), .keyword(.probabilistic), .keyword(.mdp),
        .keyword(.nondeterministic), .keyword(.pta), .keyword(.pomdp), .keyword(.popta),
    ]

    /// `const [int|double|bool] name [= e];`, or the old `rate name = e;` / `prob name = e;`.
    mutating func parseConstant() throws(SyntaxError) -> ConstantDeclaration {
        var type: ValueType = .int
        let opening = advance()
        if opening.kind == .keyword(.const) {
            switch kind {
            case .keyword(.int): advance()
            case .keyword(.double):
                advance()
                type = .double
            case .keyword(.bool):
                advance()
                type = .bool
            default: break
            }
        } else {
            type = .double
        }
        let name = try expectIdentifier("a constant name")
        var value: SyntaxExpression?
        if accept(.equal) { value = try parseExpression() }
        try expect(.semicolon, "after the constant definition")
        return ConstantDeclaration(name: name, type: type, value: value)
    }

    mutating func parseFormula() throws(SyntaxError) -> NamedExpression {
        advance()
        let name = try expectIdentifier("a formula name")
        try expect(.equal, "after the formula name")
        let body = try parseExpression()
        try expect(.semicolon, "after the formula")
        return NamedExpression(name: name, body: body)
    }

    mutating func parseLabel() throws(SyntaxError) -> NamedExpression {
        advance()
        guard kind == .string else {
            if kind == .identifier {
                throw SyntaxError(offset: current.start, message: "label names must be enclosed in double quotes")
            }
            throw unexpected("a label name in double quotes")
        }
        let token = advance()
        let name = Name(text: file.text(from: token.start + 1, to: token.end - 1), offset: token.start)
        try expect(.equal, "after the label name")
        let body = try parseExpression()
        try expect(.semicolon, "after the label")
        return NamedExpression(name: name, body: body)
    }

    mutating func parseVariableDeclaration() throws(SyntaxError) -> VariableDeclaration {
        let name = try expectIdentifier("a variable name")
        try expect(.colon, "after the variable name")
        let type: VariableTypeSyntax
        switch kind {
        case .leftBracket:
            advance()
            let low = try parseExpression()
            try expect(.dots, "in the range '[low..high]'")
            let high = try parseExpression()
            try expect(.rightBracket, "to close the range")
            type = .range(low, high)
        case .keyword(.int):
            advance()
            type = .int
        case .keyword(.bool):
            advance()
            type = .bool
        case .keyword(.clock):
            advance()
            type = .clock
        default:
            throw unexpected("a type ('[low..high]', 'int', 'bool' or 'clock')")
        }
        var initial: SyntaxExpression?
        if accept(.keyword(.`init`)) { initial = try parseExpression() }
        try expect(.semicolon, "after the variable declaration")
        return VariableDeclaration(name: name, type: type, initial: initial)
    }

    private mutating func parseModule() throws(SyntaxError) -> ModuleItem {
        advance()
        let name = try expectIdentifier("a module name")
        if accept(.equal) {
            let base = try expectIdentifier("the name of the module to rename")
            try expect(.leftBracket, "before the renamings")
            var renames: [(from: Name, to: Name)] = []
            repeat {
                let from = try expectRenamable()
                try expect(.equal, "in a renaming 'old=new'")
                let to = try expectRenamable()
                renames.append((from, to))
            } while accept(.comma)
            try expect(.rightBracket, "after the renamings")
            try expect(.keyword(.endmodule), "to close the renamed module")
            return .renamed(RenamedModuleSyntax(name: name, base: base, renames: renames))
        }
        var module = ModuleSyntax(name: name, variables: [], commands: [])
        // A keyword followed by `:` is a declaration with a reserved name: parse it to say so.
        while kind == .identifier || (peekKind(1) == .colon && Parser.isKeyword(kind)) {
            let before = index
            do {
                module.variables.append(try parseVariableDeclaration())
            } catch {
                record(error)
                recoverToStatementEnd()
            }
            if index == before { advance() }
        }
        if accept(.keyword(.invariant)) {
            do {
                _ = try parseExpression()
                try expect(.keyword(.endinvariant), "to close 'invariant'")
            } catch {
                record(error)
                while kind != .keyword(.endinvariant) && kind != .keyword(.endmodule) && kind != .endOfFile {
                    advance()
                }
                _ = accept(.keyword(.endinvariant))
            }
        }
        while kind != .keyword(.endmodule) {
            let before = index
            if kind == .leftBracket {
                do {
                    module.commands.append(try parseCommand())
                } catch {
                    record(error)
                    recoverToStatementEnd()
                }
            } else if kind == .endOfFile || kind == .keyword(.module) || kind == .keyword(.rewards)
                || kind == .keyword(.system) || kind == .keyword(.formula) || kind == .keyword(.const)
            {
                throw unexpected("'endmodule' to close module '\(name.text)'")
            } else {
                let message =
                    kind == .identifier && peekKind(1) == .colon
                    ? "variable declarations must come before the commands of a module"
                    : "expected a command '[action] guard -> updates;' or 'endmodule', found \(describeCurrent())"
                record(SyntaxError(offset: current.start, message: message))
                recoverToStatementEnd()
            }
            if index == before { advance() }
        }
        advance()
        return .module(module)
    }

    /// Renamings may rename the function keywords `min` and `max` too (PRISM allows it).
    private mutating func expectRenamable() throws(SyntaxError) -> Name {
        if kind == .keyword(.min) || kind == .keyword(.max) {
            let token = advance()
            return Name(text: text(token), offset: token.start)
        }
        return try expectIdentifier("a name to rename")
    }

    private mutating func parseCommand() throws(SyntaxError) -> CommandSyntax {
        let start = advance().start
        var action: Name?
        if kind != .rightBracket { action = try expectIdentifier("an action name or ']'") }
        try expect(.rightBracket, "after the action")
        let guardExpression = try parseExpression()
        try expect(.arrow, "after the guard")
        var updates: [UpdateSyntax] = []
        if startsUpdate() {
            updates.append(try parseUpdate(rate: nil))
        } else {
            repeat {
                let rate = try parseExpression()
                try expect(.colon, "after the rate")
                updates.append(try parseUpdate(rate: rate))
            } while accept(.plus)
        }
        try expect(.semicolon, "after the command")
        return CommandSyntax(
            action: action, guardExpression: guardExpression, updates: updates, start: start, end: previousEnd)
    }

    /// An update without a rate: `true` alone or `(x'=...)`.
    private func startsUpdate() -> Bool {
        if kind == .keyword(.true) { return peekKind(1) == .semicolon }
        return kind == .leftParen && peekKind(1) == .primedIdentifier
    }

    private mutating func parseUpdate(rate: SyntaxExpression?) throws(SyntaxError) -> UpdateSyntax {
        let offset = rate?.start ?? current.start
        if accept(.keyword(.true)) { return UpdateSyntax(rate: rate, assignments: [], offset: offset) }
        var assignments: [AssignmentSyntax] = []
        repeat {
            try expect(.leftParen, "before an assignment (x'=e)")
            guard kind == .primedIdentifier else { throw unexpected("a primed variable such as x'") }
            let token = advance()
            let name = Name(text: file.text(from: token.start, to: token.end - 1), offset: token.start)
            try expect(.equal, "after \(name.text)'")
            let value = try parseExpression()
            try expect(.rightParen, "to close the assignment")
            assignments.append(AssignmentSyntax(variable: name, value: value))
        } while accept(.and)
        return UpdateSyntax(rate: rate, assignments: assignments, offset: offset)
    }

    private mutating func parseRewards() throws(SyntaxError) -> RewardStructureSyntax {
        let offset = advance().start
        var name: Name?
        if kind == .string {
            let token = advance()
            name = Name(text: file.text(from: token.start + 1, to: token.end - 1), offset: token.start)
        }
        var items: [RewardItemSyntax] = []
        while kind != .keyword(.endrewards) {
            if kind == .endOfFile || kind == .keyword(.module) || kind == .keyword(.rewards) {
                throw unexpected("'endrewards'")
            }
            let before = index
            do {
                let itemOffset = current.start
                var action: Name??
                if accept(.leftBracket) {
                    action = .some(nil)
                    if kind != .rightBracket { action = .some(try expectIdentifier("an action name or ']'")) }
                    try expect(.rightBracket, "after the action")
                }
                let guardExpression = try parseExpression()
                try expect(.colon, "after the reward guard")
                let value = try parseExpression()
                try expect(.semicolon, "after the reward")
                items.append(
                    RewardItemSyntax(action: action, guardExpression: guardExpression, value: value, offset: itemOffset)
                )
            } catch {
                record(error)
                recoverToStatementEnd()
            }
            if index == before { advance() }
        }
        advance()
        return RewardStructureSyntax(name: name, items: items, offset: offset)
    }
}
