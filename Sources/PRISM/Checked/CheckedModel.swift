// The checked model: what the front end hands to the engine.
//
// Every name is resolved: variables are slots into the state vector, constants are folded into
// literals, formulas and labels are inlined, module renaming is applied, and the system composition
// is flattened into synchronisation groups. The engine compiles these expressions once and never
// sees a name again (except to print a state or a command in an error).

/// The model types of the PRISM language. Only `ctmc` is analysed; the others are parsed so that
/// later stages can refuse them by name.
public enum ModelType: String, Sendable, Hashable, Codable {
    case ctmc, dtmc, mdp, ma, pta, pomdp, popta, smg, csg, tsg, lts
}

public struct CheckedModel: Sendable {
    public var type: ModelType
    /// The state vector: globals first, then each module's variables in declaration order.
    public var variables: [Variable]
    /// Module names, in the order they appear in the model (renamed modules included).
    public var modules: [String]
    public var commands: [Command]
    /// How commands combine into transitions (see `SynchronizationGroup`).
    public var groups: [SynchronizationGroup]
    /// The `init ... endinit` predicate, or nil when each variable's `initial` value is used.
    public var initialStates: Expr?
    /// User labels of the model file, in declaration order (properties' labels are inlined).
    public var labels: [Label]
    public var rewards: [RewardStructure]
    /// Every constant of the model file with its bound value, in declaration order.
    public var constants: [BoundConstant]

    public init(
        type: ModelType, variables: [Variable], modules: [String], commands: [Command],
        groups: [SynchronizationGroup], initialStates: Expr?, labels: [Label],
        rewards: [RewardStructure], constants: [BoundConstant]
    ) {
        self.type = type
        self.variables = variables
        self.modules = modules
        self.commands = commands
        self.groups = groups
        self.initialStates = initialStates
        self.labels = labels
        self.rewards = rewards
        self.constants = constants
    }
}

public struct BoundConstant: Sendable, Hashable {
    public var name: String
    public var value: Value
    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}

public struct Variable: Sendable, Hashable {
    public var name: String
    /// `.int` or `.bool`.
    public var type: ValueType
    /// Both nil for an unbounded `int`; both 0...1 for a `bool`.
    public var lowerBound: Int64?
    public var upperBound: Int64?
    /// The declared (or default) initial value; nil only when the model has an `init` block.
    public var initial: Value?
    /// Index into `CheckedModel.modules`; nil for a global variable.
    public var module: Int?
    public var location: SourceLocation

    public init(
        name: String, type: ValueType, lowerBound: Int64?, upperBound: Int64?, initial: Value?,
        module: Int?, location: SourceLocation
    ) {
        self.name = name
        self.type = type
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.initial = initial
        self.module = module
        self.location = location
    }

    public var isBounded: Bool { lowerBound != nil && upperBound != nil }

    /// Bits needed to store `value - lowerBound` for a bounded variable; nil when unbounded
    /// (the engine chooses a wide field and checks for overflow).
    public var bitWidth: Int? {
        guard let lo = lowerBound, let hi = upperBound else { return nil }
        let span = UInt64(bitPattern: hi &- lo)
        return span == 0 ? 1 : 64 - span.leadingZeroBitCount
    }
}

public struct Command: Sendable, Hashable {
    /// Index into `CheckedModel.modules`.
    public var module: Int
    /// The action label; nil for `[]`.
    public var action: String?
    public var guardExpression: Expr
    public var updates: [Update]
    public var location: SourceLocation
    /// The command as written (after renaming), for error messages.
    public var text: String

    public init(
        module: Int, action: String?, guardExpression: Expr, updates: [Update],
        location: SourceLocation, text: String
    ) {
        self.module = module
        self.action = action
        self.guardExpression = guardExpression
        self.updates = updates
        self.location = location
        self.text = text
    }
}

/// One `rate : (x'=e) & (y'=f)` alternative of a command. `true` is an empty assignment list.
public struct Update: Sendable, Hashable {
    /// A `.double`-typed expression (ints are promoted by the front end).
    public var rate: Expr
    public var assignments: [Assignment]
    public init(rate: Expr, assignments: [Assignment]) {
        self.rate = rate
        self.assignments = assignments
    }
}

public struct Assignment: Sendable, Hashable {
    public var slot: Int
    /// Has the variable's type (`.int` or `.bool`).
    public var value: Expr
    public init(slot: Int, value: Expr) {
        self.slot = slot
        self.value = value
    }
}

/// The flattened system composition. In a state, a group yields transitions as follows: from each
/// part, take the commands whose guard holds; if some part has none, the group yields nothing;
/// otherwise every combination of one enabled command per part, and of one update per chosen
/// command, is a transition whose rate is the product of the chosen updates' rates and whose
/// assignments are the union of theirs (applied simultaneously to the source state).
///
/// The default composition (no `system` block) is the parallel composition of all modules,
/// synchronising on shared actions: one group per unlabelled command (one part, that command);
/// one group per action, with one part per module that has the action in its alphabet.
public struct SynchronizationGroup: Sendable, Hashable {
    /// The action after hiding and renaming; nil for internal transitions.
    public var action: String?
    /// Each part lists command indices (into `CheckedModel.commands`).
    public var parts: [[Int]]
    public init(action: String?, parts: [[Int]]) {
        self.action = action
        self.parts = parts
    }
}

public struct Label: Sendable, Hashable {
    public var name: String
    /// A `.bool`-typed expression.
    public var expression: Expr
    public init(name: String, expression: Expr) {
        self.name = name
        self.expression = expression
    }
}

public struct RewardStructure: Sendable, Hashable {
    /// nil for an unnamed `rewards ... endrewards` block.
    public var name: String?
    public var stateRewards: [StateReward]
    public var transitionRewards: [TransitionReward]
    public init(name: String?, stateRewards: [StateReward], transitionRewards: [TransitionReward]) {
        self.name = name
        self.stateRewards = stateRewards
        self.transitionRewards = transitionRewards
    }
}

/// `guard : value;` — in every state where the guard holds, `value` is earned per time unit.
public struct StateReward: Sendable, Hashable {
    public var guardExpression: Expr
    /// `.double`-typed.
    public var value: Expr
    public init(guardExpression: Expr, value: Expr) {
        self.guardExpression = guardExpression
        self.value = value
    }
}

/// `[action] guard : value;` — earned on each transition labelled `action` (nil: unlabelled)
/// leaving a state where the guard holds.
public struct TransitionReward: Sendable, Hashable {
    public var action: String?
    public var guardExpression: Expr
    public var value: Expr
    public init(action: String?, guardExpression: Expr, value: Expr) {
        self.action = action
        self.guardExpression = guardExpression
        self.value = value
    }
}
