// The checked model in the shape the successor generator runs: every guard, rate and assigned
// value compiled into one `ExpressionProgram`, commands, updates and synchronisation parts in flat
// arrays indexed by integers.

import PRISM

public struct CompiledModel: Sendable {
    struct CompiledCommand: Sendable {
        var guardExpression: CompiledExpression
        var updateStart: Int32
        var updateEnd: Int32
    }
    struct CompiledUpdate: Sendable {
        var rate: CompiledExpression
        var assignmentStart: Int32
        var assignmentEnd: Int32
    }
    struct CompiledAssignment: Sendable {
        var slot: Int32
        var value: CompiledExpression
    }
    struct CompiledGroup: Sendable {
        /// Range into `parts`.
        var partStart: Int32
        var partEnd: Int32
    }
    struct Part: Sendable {
        /// Range into `partCommands`.
        var commandStart: Int32
        var commandEnd: Int32
    }

    public let model: CheckedModel
    public let layout: StateLayout
    var program: ExpressionProgram
    var commands: [CompiledCommand] = []
    var updates: [CompiledUpdate] = []
    var assignments: [CompiledAssignment] = []
    var groups: [CompiledGroup] = []
    var parts: [Part] = []
    var partCommands: [Int32] = []

    public init(_ model: CheckedModel) {
        self.model = model
        layout = StateLayout(variables: model.variables)
        program = ExpressionProgram(variableCount: model.variables.count)
        for command in model.commands {
            let guardExpression = program.compile(command.guardExpression)
            let updateStart = Int32(updates.count)
            for update in command.updates {
                let rate = program.compile(update.rate)
                let assignmentStart = Int32(assignments.count)
                for assignment in update.assignments {
                    assignments.append(
                        CompiledAssignment(slot: Int32(assignment.slot), value: program.compile(assignment.value)))
                }
                updates.append(
                    CompiledUpdate(
                        rate: rate, assignmentStart: assignmentStart, assignmentEnd: Int32(assignments.count)))
            }
            commands.append(
                CompiledCommand(
                    guardExpression: guardExpression, updateStart: updateStart, updateEnd: Int32(updates.count)))
        }
        for group in model.groups {
            let partStart = Int32(parts.count)
            for part in group.parts {
                let commandStart = Int32(partCommands.count)
                partCommands.append(contentsOf: part.map { Int32($0) })
                parts.append(Part(commandStart: commandStart, commandEnd: Int32(partCommands.count)))
            }
            groups.append(CompiledGroup(partStart: partStart, partEnd: Int32(parts.count)))
        }
    }

    /// Compiles an extra expression (a label, a property atom, a reward) into the same program.
    public mutating func compile(_ expression: Expr) -> CompiledExpression {
        program.compile(expression)
    }

    func commandDescription(_ index: Int) -> String {
        let command = model.commands[index]
        return "\(command.location): \(command.text)"
    }
}
