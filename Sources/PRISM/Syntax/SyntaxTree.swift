// The syntax tree: what the user wrote, with byte offsets for diagnostics. Nothing here is
// resolved or typed; `Semantics/` turns it into the checked model.

/// A name as written, with its byte offset.
struct Name: Sendable, Hashable {
    var text: String
    var offset: Int
}

enum UnaryOperator: Sendable {
    case not, minus
}

enum BinaryOperator: String, Sendable {
    case or = "|", and = "&", implies = "=>", iff = "<=>"
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case plus = "+", minus = "-", times = "*", divide = "/"
}

enum TemporalOperator: String, Sendable {
    case next = "X", eventually = "F", globally = "G", until = "U", weakUntil = "W", release = "R"
}

/// `<=t`, `<t`, `>=t`, `>t`, `[a,b]`, `=t` after a temporal operator.
struct SyntaxTimeBound: Sendable {
    var lower: SyntaxExpression?
    var lowerStrict = false
    var upper: SyntaxExpression?
    var upperStrict = false
    var offset: Int
}

/// `=?`, `min=?`, `max=?` or `~ p` after P, S or R.
enum SyntaxBound: Sendable {
    case query(Optimization?)
    case compare(ComparisonOperator, SyntaxExpression)
}

enum SyntaxRewardIndex: Sendable {
    case name(Name)
    case expression(SyntaxExpression)
}

enum SyntaxRewardPath: Sendable {
    case cumulative(SyntaxExpression?)
    case instantaneous(SyntaxExpression)
    case reachability(SyntaxExpression)
    case steadyState
}

struct SyntaxExpression: Sendable {
    indirect enum Kind: Sendable {
        case integer(Int64)
        case double(Double)
        case bool(Bool)
        case identifier(String)
        /// `"name"` (a label reference, in properties only).
        case label(String)
        case unary(UnaryOperator, SyntaxExpression)
        case binary(BinaryOperator, SyntaxExpression, SyntaxExpression)
        case conditional(SyntaxExpression, SyntaxExpression, SyntaxExpression)
        case call(String, [SyntaxExpression])
        case parenthesized(SyntaxExpression)
        case probability(SyntaxBound, SyntaxExpression)
        case steadyState(SyntaxBound, SyntaxExpression)
        case reward(SyntaxRewardIndex?, SyntaxBound, SyntaxRewardPath)
        /// Unary operators have a nil left operand.
        case temporal(TemporalOperator, SyntaxExpression?, SyntaxExpression, SyntaxTimeBound?)
    }

    var kind: Kind
    /// Byte offsets of the whole expression, `start..<end`.
    var start: Int
    var end: Int
    /// Height of the tree (a leaf is 1), kept so that the parser can refuse a too-deep expression
    /// before any recursive pass walks it.
    var depth: Int

    init(kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
        depth = 1 + Self.childDepth(kind)
    }

    private static func childDepth(_ kind: Kind) -> Int {
        switch kind {
        case .integer, .double, .bool, .identifier, .label: 0
        case .unary(_, let a), .parenthesized(let a), .probability(_, let a), .steadyState(_, let a): a.depth
        case .binary(_, let a, let b): max(a.depth, b.depth)
        case .conditional(let a, let b, let c): max(a.depth, b.depth, c.depth)
        case .call(_, let arguments): arguments.map(\.depth).max() ?? 0
        case .reward(_, _, let path):
            switch path {
            case .cumulative(let a): a?.depth ?? 0
            case .instantaneous(let a), .reachability(let a): a.depth
            case .steadyState: 0
            }
        case .temporal(_, let a, let b, _): max(a?.depth ?? 0, b.depth)
        }
    }
}

enum VariableTypeSyntax: Sendable {
    case range(SyntaxExpression, SyntaxExpression)
    case int
    case bool
    case clock
}

struct VariableDeclaration: Sendable {
    var name: Name
    var type: VariableTypeSyntax
    var initial: SyntaxExpression?
}

struct ConstantDeclaration: Sendable {
    var name: Name
    var type: ValueType
    var value: SyntaxExpression?
}

/// A formula (`formula f = e;`) or a label (`label "l" = e;`).
struct NamedExpression: Sendable {
    var name: Name
    var body: SyntaxExpression
}

struct AssignmentSyntax: Sendable {
    var variable: Name
    var value: SyntaxExpression
}

struct UpdateSyntax: Sendable {
    /// nil when the command has a single update without a rate.
    var rate: SyntaxExpression?
    var assignments: [AssignmentSyntax]
    var offset: Int
}

struct CommandSyntax: Sendable {
    var action: Name?
    var guardExpression: SyntaxExpression
    var updates: [UpdateSyntax]
    var start: Int
    var end: Int
}

struct ModuleSyntax: Sendable {
    var name: Name
    var variables: [VariableDeclaration]
    var commands: [CommandSyntax]
}

struct RenamedModuleSyntax: Sendable {
    var name: Name
    var base: Name
    var renames: [(from: Name, to: Name)]
}

enum ModuleItem: Sendable {
    case module(ModuleSyntax)
    case renamed(RenamedModuleSyntax)

    var name: Name {
        switch self {
        case .module(let module): module.name
        case .renamed(let renamed): renamed.name
        }
    }
}

struct RewardItemSyntax: Sendable {
    /// nil for a state reward; `.some(nil)` for `[]` (unlabelled transitions).
    var action: Name??
    var guardExpression: SyntaxExpression
    var value: SyntaxExpression
    var offset: Int
}

struct RewardStructureSyntax: Sendable {
    var name: Name?
    var items: [RewardItemSyntax]
    var offset: Int
}

struct SystemSyntax: Sendable {
    indirect enum Kind: Sendable {
        case module(Name)
        case fullParallel(SystemSyntax, SystemSyntax)
        case interleaved(SystemSyntax, SystemSyntax)
        case parallel(SystemSyntax, [Name], SystemSyntax)
        case hide(SystemSyntax, [Name])
        case rename(SystemSyntax, [(from: Name, to: Name)])
    }
    var kind: Kind
    var offset: Int
}

struct ModelSyntax: Sendable {
    var type: ModelType?
    var typeOffset = 0
    var constants: [ConstantDeclaration] = []
    var formulas: [NamedExpression] = []
    var labels: [NamedExpression] = []
    var globals: [VariableDeclaration] = []
    var modules: [ModuleItem] = []
    var rewards: [RewardStructureSyntax] = []
    var initial: SyntaxExpression?
    var system: SystemSyntax?
}

struct PropertySyntax: Sendable {
    var name: String?
    var expression: SyntaxExpression
    var start: Int
    var filter: FilterSyntax?
}

/// `filter(op, expression, states)` around a whole property.
struct FilterSyntax: Sendable {
    var op: Name
    var states: SyntaxExpression?
    /// From `filter` to its closing parenthesis, for the property's text.
    var start: Int
    var end: Int
}

struct PropertiesSyntax: Sendable {
    var constants: [ConstantDeclaration] = []
    var formulas: [NamedExpression] = []
    var labels: [NamedExpression] = []
    var properties: [PropertySyntax] = []
}
