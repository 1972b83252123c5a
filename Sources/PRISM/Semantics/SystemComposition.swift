// Flattening a system composition into synchronisation groups (see `SynchronizationGroup`).
// For each node we compute its alphabet and its groups: a module gives one group per unlabelled
// command and one per action; `A |[S]| B` pairs every group of A with every group of B on each
// action of S (an action of S missing on either side blocks it); `A || B` is `|[S]|` with S the
// shared actions; `A ||| B` is `|[]|`; hiding relabels groups as internal (nil); renaming relabels.

struct ComposedSystem {
    var alphabet: Set<String>
    var groups: [SynchronizationGroup]
}

extension Checker {
    static func moduleSystem(_ module: Int, commands: [Command]) -> ComposedSystem {
        var groups: [SynchronizationGroup] = []
        var actionOrder: [String] = []
        var byAction: [String: [Int]] = [:]
        for (index, command) in commands.enumerated() where command.module == module {
            if let action = command.action {
                if byAction[action] == nil { actionOrder.append(action) }
                byAction[action, default: []].append(index)
            } else {
                groups.append(SynchronizationGroup(action: nil, parts: [[index]]))
            }
        }
        for action in actionOrder {
            groups.append(SynchronizationGroup(action: action, parts: [byAction[action] ?? []]))
        }
        return ComposedSystem(alphabet: Set(actionOrder), groups: groups)
    }

    static func parallel(_ left: ComposedSystem, _ right: ComposedSystem, synchronising actions: Set<String>)
        -> ComposedSystem
    {
        var groups: [SynchronizationGroup] = []
        for group in left.groups where group.action.map({ !actions.contains($0) }) ?? true {
            groups.append(group)
        }
        for group in right.groups where group.action.map({ !actions.contains($0) }) ?? true {
            groups.append(group)
        }
        for l in left.groups {
            guard let action = l.action, actions.contains(action) else { continue }
            for r in right.groups where r.action == action {
                groups.append(SynchronizationGroup(action: action, parts: l.parts + r.parts))
            }
        }
        return ComposedSystem(alphabet: left.alphabet.union(right.alphabet), groups: groups)
    }

    /// No `system` block: every module in parallel, synchronising on shared actions.
    static func defaultComposition(moduleCount: Int, commands: [Command]) -> [SynchronizationGroup] {
        var unlabelled: [SynchronizationGroup] = []
        var actionOrder: [String] = []
        var parts: [String: [[Int]]] = [:]
        for module in 0..<moduleCount {
            var moduleParts: [String: [Int]] = [:]
            var moduleOrder: [String] = []
            for (index, command) in commands.enumerated() where command.module == module {
                if let action = command.action {
                    if moduleParts[action] == nil { moduleOrder.append(action) }
                    moduleParts[action, default: []].append(index)
                } else {
                    unlabelled.append(SynchronizationGroup(action: nil, parts: [[index]]))
                }
            }
            for action in moduleOrder {
                if parts[action] == nil { actionOrder.append(action) }
                parts[action, default: []].append(moduleParts[action] ?? [])
            }
        }
        return unlabelled + actionOrder.map { SynchronizationGroup(action: $0, parts: parts[$0] ?? []) }
    }

    mutating func composeSystem(_ system: SystemSyntax, modules: [String], commands: [Command])
        -> [SynchronizationGroup]
    {
        var used: [String: Int] = [:]
        let composed = compose(system, modules: modules, commands: commands, used: &used)
        for name in modules where used[name] == nil {
            error(.model, system.offset, "module '\(name)' does not appear in the system definition")
        }
        return composed?.groups ?? []
    }

    private mutating func compose(
        _ system: SystemSyntax, modules: [String], commands: [Command], used: inout [String: Int]
    ) -> ComposedSystem? {
        switch system.kind {
        case .module(let name):
            guard let index = modules.firstIndex(of: name.text) else {
                error(.model, name.offset, "unknown module '\(name.text)' in the system definition")
                return nil
            }
            if used[name.text] != nil {
                error(.model, name.offset, "module '\(name.text)' appears more than once in the system definition")
                return nil
            }
            used[name.text] = index
            return Checker.moduleSystem(index, commands: commands)
        case .fullParallel(let a, let b):
            let left = compose(a, modules: modules, commands: commands, used: &used)
            let right = compose(b, modules: modules, commands: commands, used: &used)
            guard let left, let right else { return nil }
            return Checker.parallel(left, right, synchronising: left.alphabet.intersection(right.alphabet))
        case .interleaved(let a, let b):
            let left = compose(a, modules: modules, commands: commands, used: &used)
            let right = compose(b, modules: modules, commands: commands, used: &used)
            guard let left, let right else { return nil }
            return Checker.parallel(left, right, synchronising: [])
        case .parallel(let a, let actions, let b):
            let left = compose(a, modules: modules, commands: commands, used: &used)
            let right = compose(b, modules: modules, commands: commands, used: &used)
            guard let left, let right else { return nil }
            return Checker.parallel(left, right, synchronising: Set(actions.map(\.text)))
        case .hide(let inner, let actions):
            guard var composed = compose(inner, modules: modules, commands: commands, used: &used) else { return nil }
            let hidden = Set(actions.map(\.text))
            for index in composed.groups.indices {
                if let action = composed.groups[index].action, hidden.contains(action) {
                    composed.groups[index].action = nil
                }
            }
            composed.alphabet.subtract(hidden)
            return composed
        case .rename(let inner, let renames):
            guard var composed = compose(inner, modules: modules, commands: commands, used: &used) else { return nil }
            var map: [String: String] = [:]
            for (from, to) in renames {
                if !composed.alphabet.contains(from.text) {
                    error(.model, from.offset, "action '\(from.text)' is not in the alphabet of the renamed component")
                }
                map[from.text] = to.text
            }
            for index in composed.groups.indices {
                if let action = composed.groups[index].action, let target = map[action] {
                    composed.groups[index].action = target
                }
            }
            composed.alphabet = Set(composed.alphabet.map { map[$0] ?? $0 })
            return composed
        }
    }
}
