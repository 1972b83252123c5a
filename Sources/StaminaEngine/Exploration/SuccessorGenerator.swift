// Computes the outgoing transitions of one packed state from the model's synchronisation groups
// (see `SynchronizationGroup`): enabled commands per part, every combination of one update per
// part, rate = product of the chosen rates, assignments applied simultaneously to the source.
//
// Results land in reusable buffers (`targets`, `rates`, `groupOfTransition`); nothing is
// allocated per state. Duplicate targets are not merged here (the explorer merges by index).

import PRISM

final class SuccessorGenerator {
    let evaluator: ExpressionEvaluator
    let layout: StateLayout
    let model: CompiledModel
    let wordCount: Int
    // Flat copies of the compiled model, read through raw pointers in the hot loop.
    let commands: UnsafeMutablePointer<CompiledModel.CompiledCommand>
    let updates: UnsafeMutablePointer<CompiledModel.CompiledUpdate>
    let assignments: UnsafeMutablePointer<CompiledModel.CompiledAssignment>
    let groups: UnsafeMutablePointer<CompiledModel.CompiledGroup>
    let groupCount: Int
    let parts: UnsafeMutablePointer<CompiledModel.Part>
    let partCommands: UnsafeMutablePointer<Int32>

    /// Packed targets (`wordCount` words each), rates and the group of each transition.
    let targets = FlatBuffer<UInt64>(capacity: 256)
    let rates = FlatBuffer<Double>(capacity: 64)
    let groupOfTransition = FlatBuffer<Int32>(capacity: 64)
    var transitionCount = 0

    // Scratch for synchronising groups, sized for the worst case.
    let enabledUpdates: UnsafeMutablePointer<Int32>
    let enabledCommandOfUpdate: UnsafeMutablePointer<Int32>
    let partEnabledStart: UnsafeMutablePointer<Int>
    let choice: UnsafeMutablePointer<Int>
    let slotOwner: UnsafeMutablePointer<Int32>
    let slotStamp: UnsafeMutablePointer<UInt32>
    var stamp: UInt32 = 0

    static func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
        for (index, element) in array.enumerated() { (pointer + index).initialize(to: element) }
        return pointer
    }

    static func filled<T>(_ value: T, count: Int) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
        return pointer
    }

    init(model: CompiledModel) {
        self.model = model
        layout = model.layout
        evaluator = ExpressionEvaluator(program: model.program, layout: model.layout)
        wordCount = model.layout.wordCount
        commands = Self.copy(model.commands)
        updates = Self.copy(model.updates)
        assignments = Self.copy(model.assignments)
        groups = Self.copy(model.groups)
        groupCount = model.groups.count
        parts = Self.copy(model.parts)
        partCommands = Self.copy(model.partCommands)
        enabledUpdates = Self.filled(0, count: model.updates.count + 1)
        enabledCommandOfUpdate = Self.filled(0, count: model.updates.count + 1)
        partEnabledStart = Self.filled(0, count: model.parts.count + 2)
        choice = Self.filled(0, count: model.parts.count + 1)
        slotOwner = Self.filled(-1, count: model.layout.variables.count)
        slotStamp = Self.filled(0, count: model.layout.variables.count)
    }

    deinit {
        commands.deallocate()
        updates.deallocate()
        assignments.deallocate()
        groups.deallocate()
        parts.deallocate()
        partCommands.deallocate()
        enabledUpdates.deallocate()
        enabledCommandOfUpdate.deallocate()
        partEnabledStart.deallocate()
        choice.deallocate()
        slotOwner.deallocate()
        slotStamp.deallocate()
    }

    /// Fills the buffers with the transitions of `source`; returns their number.

    func generate(_ source: UnsafePointer<UInt64>) throws(EngineError) -> Int {
        evaluator.load(source)
        transitionCount = 0
        targets.count = 0
        rates.count = 0
        groupOfTransition.count = 0
        for groupIndex in 0..<groupCount {
            let group = groups[groupIndex]
            if group.partEnd - group.partStart != 1 {
                try generateSynchronised(groupIndex, source)
                continue
            }
            let part = parts[Int(group.partStart)]
            for position in Int(part.commandStart)..<Int(part.commandEnd) {
                let commandIndex = Int(partCommands[position])
                let command = commands[commandIndex]
                if try !guardHolds(command, commandIndex, source) { continue }
                for updateIndex in Int(command.updateStart)..<Int(command.updateEnd) {
                    let update = updates[updateIndex]
                    let rate = try evaluateRate(update, commandIndex, source)
                    if rate == 0 { continue }
                    let target = targets.reserveTail(wordCount)
                    target.update(from: source, count: wordCount)
                    for a in Int(update.assignmentStart)..<Int(update.assignmentEnd) {
                        try assign(assignments[a], into: target, commandIndex, source)
                    }
                    targets.count += wordCount
                    rates.append(rate)
                    groupOfTransition.append(Int32(groupIndex))
                    transitionCount += 1
                }
            }
        }
        return transitionCount
    }

    @inline(__always)
    func evaluateRate(_ update: CompiledModel.CompiledUpdate, _ commandIndex: Int, _ source: UnsafePointer<UInt64>)
        throws(EngineError) -> Double
    {
        let r = update.rate
        if let fault = ExpressionMachine.run(evaluator.code, r.start, r.end, evaluator.registers) {
            throw evaluationError(fault, commandIndex, source, what: "a rate")
        }
        let bits = evaluator.registers[Int(r.result)]
        let rate = r.type == .int ? Double(Int64(bitPattern: bits)) : Double(bitPattern: bits)
        guard rate >= 0 && rate.isFinite else {
            throw .invalidRate(
                value: rate, state: layout.describe(source), command: model.commandDescription(commandIndex))
        }
        return rate
    }

    @inline(__always)
    func assign(
        _ assignment: CompiledModel.CompiledAssignment, into target: UnsafeMutablePointer<UInt64>,
        _ commandIndex: Int, _ source: UnsafePointer<UInt64>
    ) throws(EngineError) {
        let v = assignment.value
        if let fault = ExpressionMachine.run(evaluator.code, v.start, v.end, evaluator.registers) {
            throw evaluationError(fault, commandIndex, source, what: "an update")
        }
        let value = Int64(bitPattern: evaluator.registers[Int(v.result)])
        let slot = Int(assignment.slot)
        if !layout.store(value, slot, in: target) {
            throw outOfRange(slot, value, commandIndex, source)
        }
    }

    /// Whether the command's guard holds in the state loaded into the registers.
    @inline(__always)
    func guardHolds(_ command: CompiledModel.CompiledCommand, _ commandIndex: Int, _ source: UnsafePointer<UInt64>)
        throws(EngineError) -> Bool
    {
        let g = command.guardExpression
        if let fault = ExpressionMachine.run(evaluator.code, g.start, g.end, evaluator.registers) {
            throw evaluationError(fault, commandIndex, source, what: "the guard")
        }
        return evaluator.registers[Int(g.result)] != 0
    }

    func evaluationError(_ fault: EvaluationFault, _ commandIndex: Int, _ source: UnsafePointer<UInt64>, what: String)
        -> EngineError
    {
        .evaluation(
            fault: fault, context: "\(what) of command \(model.commandDescription(commandIndex))",
            state: layout.describe(source))
    }

    func outOfRange(_ slot: Int, _ value: Int64, _ commandIndex: Int, _ source: UnsafePointer<UInt64>)
        -> EngineError
    {
        if layout.isUnbounded(slot) {
            return .evaluation(
                fault: .integerOverflow,
                context:
                    "the update of unbounded variable '\(layout.variables[slot].name)' (value \(value) exceeds 32 bits) of command \(model.commandDescription(commandIndex))",
                state: layout.describe(source))
        }
        return .outOfRange(
            variable: layout.variables[slot].name, value: value, range: layout.rangeDescription(slot),
            state: layout.describe(source), command: model.commandDescription(commandIndex))
    }

    /// A group with several parts: one enabled (command, update) pair per part, in every combination.

    func generateSynchronised(_ groupIndex: Int, _ source: UnsafePointer<UInt64>) throws(EngineError) {
        let group = groups[groupIndex]
        var enabledCount = 0
        var partCount = 0
        for partIndex in Int(group.partStart)..<Int(group.partEnd) {
            partEnabledStart[partCount] = enabledCount
            partCount += 1
            let part = parts[partIndex]
            for position in Int(part.commandStart)..<Int(part.commandEnd) {
                let commandIndex = Int(partCommands[position])
                let command = commands[commandIndex]
                if try !guardHolds(command, commandIndex, source) { continue }
                for updateIndex in Int(command.updateStart)..<Int(command.updateEnd) {
                    enabledUpdates[enabledCount] = Int32(updateIndex)
                    enabledCommandOfUpdate[enabledCount] = Int32(commandIndex)
                    enabledCount += 1
                }
            }
            if enabledCount == partEnabledStart[partCount - 1] { return }
        }
        partEnabledStart[partCount] = enabledCount
        for part in 0..<partCount { choice[part] = 0 }
        // Rates and values are evaluated against the source state (still in the registers).
        while true {
            var rate = 1.0
            let target = targets.reserveTail(wordCount)
            target.update(from: source, count: wordCount)
            stamp &+= 1
            for part in 0..<partCount {
                let entry = partEnabledStart[part] + choice[part]
                let updateIndex = Int(enabledUpdates[entry])
                let commandIndex = Int(enabledCommandOfUpdate[entry])
                let update = updates[updateIndex]
                rate *= try evaluateRate(update, commandIndex, source)
                for a in Int(update.assignmentStart)..<Int(update.assignmentEnd) {
                    let slot = Int(assignments[a].slot)
                    if slotStamp[slot] == stamp && slotOwner[slot] != Int32(commandIndex) {
                        throw .conflictingAssignments(
                            variable: layout.variables[slot].name,
                            first: model.commandDescription(Int(slotOwner[slot])),
                            second: model.commandDescription(commandIndex), state: layout.describe(source))
                    }
                    slotStamp[slot] = stamp
                    slotOwner[slot] = Int32(commandIndex)
                    try assign(assignments[a], into: target, commandIndex, source)
                }
            }
            if rate != 0 {
                targets.count += wordCount
                rates.append(rate)
                groupOfTransition.append(Int32(groupIndex))
                transitionCount += 1
            }
            // Next combination (odometer, last part fastest).
            var part = partCount - 1
            while part >= 0 {
                choice[part] += 1
                if partEnabledStart[part] + choice[part] < partEnabledStart[part + 1] { break }
                choice[part] = 0
                part -= 1
            }
            if part < 0 { return }
        }
    }
}
