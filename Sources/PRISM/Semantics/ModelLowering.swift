// The model file to a `CheckedModel`: declarations, variables with their bounds and initial
// values, commands with ownership checks, labels, rewards, `init ... endinit` and the system
// composition.

extension Checker {
    mutating func declareConstants(_ declarations: [ConstantDeclaration], in role: FileRole) {
        for declaration in declarations {
            let index = constants.count
            if declare(declaration.name, as: .constant(index), in: role) {
                constants.append(
                    ConstantEntry(
                        name: declaration.name, type: declaration.type, definition: declaration.value, file: role))
            }
        }
    }

    mutating func declareFormulas(_ declarations: [NamedExpression], in role: FileRole) {
        for declaration in declarations {
            let index = formulas.count
            if declare(declaration.name, as: .formula(index), in: role) {
                formulas.append(FormulaEntry(name: declaration.name, body: declaration.body, file: role))
            }
        }
    }

    mutating func declareLabels(_ declarations: [NamedExpression], in role: FileRole) {
        for declaration in declarations {
            let name = declaration.name.text
            if name == "init" || name == "deadlock" {
                error(role, declaration.name.offset, "\"\(name)\" is a built-in label and cannot be redefined")
            } else if labels[name] != nil {
                error(role, declaration.name.offset, "label \"\(name)\" is already defined")
            } else {
                labels[name] = LabelEntry(name: declaration.name, body: declaration.body, file: role)
                if role == .model { modelLabelOrder.append(name) }
            }
        }
    }

    /// Attaches `--const` values to constants; unknown names and ill-typed values are errors.
    mutating func applyOverrides(_ overrides: ConstantOverrides) {
        let file = SourceFile(SourceText(name: "--const", text: overrides.source))
        let fromText = !overrides.source.isEmpty
        func report(_ offset: Int, _ message: String) -> Diagnostic {
            fromText
                ? file.diagnostic(at: offset, message)
                : Diagnostic(
                    location: SourceLocation(file: "--const", line: 1, column: 1), message: message, snippet: "")
        }
        for entry in overrides.entries {
            guard case .constant(let index)? = symbols[entry.name] else {
                let known = constants.map(\.name.text).joined(separator: ", ")
                diagnostics.append(
                    report(
                        entry.offset,
                        "--const sets '\(entry.name)', which is not a constant of the model or properties"
                            + (known.isEmpty ? "" : " (constants: \(known))")))
                continue
            }
            switch ConstantOverrides.parseValue(entry.text, as: constants[index].type) {
            case .success(let value): constants[index].override = value
            case .failure(let problem):
                diagnostics.append(
                    report(
                        entry.offset,
                        "--const \(entry.name)=\(entry.text): constant '\(entry.name)' has type \(constants[index].type.rawValue); \(problem.message)"
                    ))
                constants[index].state = .failed
            }
        }
    }

    /// The single "undefined constants" error, listing every constant without a value.
    mutating func reportUndefinedConstants() {
        let missing = constants.indices.filter { index in
            guard case .pending = constants[index].state else { return false }
            return constants[index].definition == nil && constants[index].override == nil
        }
        guard let first = missing.first else { return }
        let list = missing.map { "\(constants[$0].name.text) (\(constants[$0].type.rawValue))" }.joined(separator: ", ")
        let example = missing.map { "\(constants[$0].name.text)=..." }.joined(separator: ",")
        error(
            constants[first].file, constants[first].name.offset,
            "undefined constants: \(list); set them with --const \(example)")
    }

    mutating func checkModel(_ syntax: ModelSyntax) -> CheckedModel {
        // PRISM's default model type is mdp.
        let type = syntax.type ?? .mdp

        // Modules in model order, renamed ones expanded.
        var plain: [String: ModuleSyntax] = [:]
        for case .module(let module) in syntax.modules { plain[module.name.text] = plain[module.name.text] ?? module }
        let formulaBodies = Dictionary(
            formulas.filter { $0.file == .model }.map { ($0.name.text, $0.body) }, uniquingKeysWith: { a, _ in a })
        var modules: [(syntax: ModuleSyntax, renaming: IdentifierRenaming?)] = []
        var moduleNames: Set<String> = []
        for item in syntax.modules {
            let name = item.name
            if !moduleNames.insert(name.text).inserted {
                error(.model, name.offset, "module '\(name.text)' is already defined")
                continue
            }
            switch item {
            case .module(let module): modules.append((module, nil))
            case .renamed(let renamed):
                if let (module, renaming) = expandRenamedModule(renamed, modules: plain, formulas: formulaBodies) {
                    modules.append((module, renaming))
                }
            }
        }

        // Slots: globals first, then each module's variables.
        var declarations: [(VariableDeclaration, Int?)] = syntax.globals.map { ($0, nil) }
        for (index, module) in modules.enumerated() {
            declarations += module.syntax.variables.map { ($0, index) }
        }
        var declared: [(VariableDeclaration, Int?)] = []
        for (declaration, module) in declarations {
            let slot = variables.count
            guard declare(declaration.name, as: .variable(slot), in: .model) else { continue }
            let valueType: ValueType =
                switch declaration.type {
                case .bool: .bool
                default: .int
                }
            variables.append(
                Variable(
                    name: declaration.name.text, type: valueType, lowerBound: nil, upperBound: nil, initial: nil,
                    module: module, location: modelFile.location(of: declaration.name.offset)))
            declared.append((declaration, module))
        }
        let hasInitBlock = syntax.initial != nil
        for (slot, (declaration, _)) in declared.enumerated() {
            checkVariable(declaration, slot: slot, hasInitBlock: hasInitBlock)
        }

        var commands: [Command] = []
        for (index, module) in modules.enumerated() {
            for command in module.syntax.commands {
                if let checked = checkCommand(
                    command, module: index, moduleName: module.syntax.name.text,
                    renaming: module.renaming)
                {
                    commands.append(checked)
                }
            }
        }

        var checkedLabels: [Label] = []
        for name in modelLabelOrder {
            guard let label = labels[name] else { continue }
            var context = ExpressionContext.model
            context.purpose = "label \"\(name)\""
            if let expression = labelBody(name, label, at: label.name.offset, context) {
                checkedLabels.append(Label(name: name, expression: expression))
            }
        }

        var rewardNames: Set<String> = []
        for reward in syntax.rewards {
            if let name = reward.name, !rewardNames.insert(name.text).inserted {
                error(.model, name.offset, "reward structure \"\(name.text)\" is already defined")
            }
        }
        let rewards = syntax.rewards.compactMap { checkRewards($0) }
        var initial: Expr?
        if let block = syntax.initial {
            initial = lower(block, .model, as: .bool, "the init...endinit predicate")
        }

        let moduleNameList = modules.map { $0.syntax.name.text }
        let groups: [SynchronizationGroup]
        if let system = syntax.system {
            groups = composeSystem(system, modules: moduleNameList, commands: commands)
        } else {
            groups = Checker.defaultComposition(moduleCount: modules.count, commands: commands)
        }

        var bound: [BoundConstant] = []
        for index in constants.indices where constants[index].file == .model {
            let entry = constants[index]
            if entry.definition == nil && entry.override == nil { continue }
            if let value = constantValue(index, usedAt: entry.name.offset, in: entry.file) {
                bound.append(BoundConstant(name: entry.name.text, value: value))
            }
        }

        return CheckedModel(
            type: type, variables: variables, modules: moduleNameList, commands: commands, groups: groups,
            initialStates: initial, labels: checkedLabels, rewards: rewards, constants: bound)
    }

    private mutating func checkVariable(_ declaration: VariableDeclaration, slot: Int, hasInitBlock: Bool) {
        var context = ExpressionContext.constant
        let name = declaration.name.text
        switch declaration.type {
        case .bool:
            variables[slot].lowerBound = 0
            variables[slot].upperBound = 1
        case .int, .clock:
            break
        case .range(let low, let high):
            context.purpose = "the lower bound of '\(name)'"
            let lowValue = evaluate(low, context).flatMap { value -> Int64? in
                if case .int(let integer) = value { return integer }
                error(.model, low.start, "the lower bound of '\(name)' must be an int, found \(value.type.rawValue)")
                return nil
            }
            context.purpose = "the upper bound of '\(name)'"
            let highValue = evaluate(high, context).flatMap { value -> Int64? in
                if case .int(let integer) = value { return integer }
                error(.model, high.start, "the upper bound of '\(name)' must be an int, found \(value.type.rawValue)")
                return nil
            }
            if let lowValue, let highValue, lowValue > highValue {
                error(
                    .model, low.start,
                    "the range of '\(name)' is empty: lower bound \(lowValue) > upper bound \(highValue)")
            } else {
                variables[slot].lowerBound = lowValue
                variables[slot].upperBound = highValue
            }
        }
        if let initial = declaration.initial {
            if hasInitBlock {
                error(
                    .model, initial.start,
                    "variable '\(name)' has an initial value but the model has an init...endinit block")
                return
            }
            context.purpose = "the initial value of '\(name)'"
            guard let value = evaluate(initial, context) else { return }
            let type = variables[slot].type
            guard let stored = converted(value, to: type, at: initial.start, in: .model, what: "variable '\(name)'")
            else {
                return
            }
            if case .int(let integer) = stored, let low = variables[slot].lowerBound,
                let high = variables[slot].upperBound,
                !(low...high).contains(integer)
            {
                error(
                    .model, initial.start,
                    "the initial value \(integer) of '\(name)' is outside its range \(low)..\(high)")
                return
            }
            variables[slot].initial = stored
        } else if !hasInitBlock {
            switch variables[slot].type {
            case .bool: variables[slot].initial = .bool(false)
            default: variables[slot].initial = .int(variables[slot].lowerBound ?? 0)
            }
        }
    }

    private mutating func checkCommand(
        _ command: CommandSyntax, module: Int, moduleName: String, renaming: IdentifierRenaming?
    ) -> Command? {
        var context = ExpressionContext.model
        context.purpose = "a guard"
        let guardExpression = lower(command.guardExpression, context, as: .bool, "the guard")
        var updates: [Update] = []
        var ok = guardExpression != nil
        for update in command.updates {
            var rate: Expr = .literal(.double(1))
            if let syntax = update.rate {
                if let lowered = lower(syntax, context, as: .double, "the rate") { rate = lowered } else { ok = false }
            }
            var assignments: [Assignment] = []
            var assigned: Set<Int> = []
            for assignment in update.assignments {
                guard let slot = assignableSlot(assignment.variable, module: module, moduleName: moduleName) else {
                    ok = false
                    continue
                }
                if !assigned.insert(slot).inserted {
                    error(
                        .model, assignment.variable.offset, "variable '\(assignment.variable.text)' is assigned twice")
                    ok = false
                    continue
                }
                let variable = variables[slot]
                guard let value = lower(assignment.value, context) else {
                    ok = false
                    continue
                }
                guard value.type == variable.type else {
                    error(
                        .model, assignment.value.start,
                        "cannot assign \(Checker.article(value.type)) value to \(variable.type.rawValue) variable '\(variable.name)'"
                    )
                    ok = false
                    continue
                }
                assignments.append(Assignment(slot: slot, value: value))
            }
            updates.append(Update(rate: rate, assignments: assignments))
        }
        guard ok, let guardExpression else { return nil }
        let text = renamedText(modelFile.text(from: command.start, to: command.end), renaming)
        return Command(
            module: module, action: command.action?.text, guardExpression: guardExpression, updates: updates,
            location: modelFile.location(of: command.start), text: text)
    }

    /// PRISM: a module may update only its own variables and the globals.
    private mutating func assignableSlot(_ name: Name, module: Int, moduleName: String) -> Int? {
        guard case .variable(let slot)? = symbols[name.text] else {
            if symbols[name.text] == nil {
                error(.model, name.offset, "undeclared variable '\(name.text)'")
            } else {
                error(.model, name.offset, "'\(name.text)' is not a variable and cannot be assigned")
            }
            return nil
        }
        if let owner = variables[slot].module, owner != module {
            error(
                .model, name.offset,
                "module '\(moduleName)' cannot assign '\(name.text)', which belongs to another module")
            return nil
        }
        return slot
    }

    private mutating func checkRewards(_ syntax: RewardStructureSyntax) -> RewardStructure? {
        var stateRewards: [StateReward] = []
        var transitionRewards: [TransitionReward] = []
        for item in syntax.items {
            let guardExpression = lower(item.guardExpression, .model, as: .bool, "the reward guard")
            let value = lower(item.value, .model, as: .double, "the reward value")
            guard let guardExpression, let value else { continue }
            if let action = item.action {
                transitionRewards.append(
                    TransitionReward(action: action?.text, guardExpression: guardExpression, value: value))
            } else {
                stateRewards.append(StateReward(guardExpression: guardExpression, value: value))
            }
        }
        return RewardStructure(
            name: syntax.name?.text, stateRewards: stateRewards, transitionRewards: transitionRewards)
    }
}
