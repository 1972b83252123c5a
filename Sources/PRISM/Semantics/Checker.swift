// The state of one check: the symbol table (constants, formulas, variables), the diagnostics
// found so far, and which file each definition came from. The lowering passes in this folder are
// extensions of `Checker`.

enum FileRole: Sendable {
    case model, properties
}

struct ConstantEntry {
    enum State {
        case pending, evaluating, failed
        case done(Value)
    }
    var name: Name
    var type: ValueType
    var definition: SyntaxExpression?
    var file: FileRole
    var state: State = .pending
    var override: Value?
}

struct FormulaEntry {
    var name: Name
    var body: SyntaxExpression
    var file: FileRole
}

struct LabelEntry {
    var name: Name
    var body: SyntaxExpression
    var file: FileRole
}

/// A formula (by index) or label (by name) body in one kind of context: what it may refer to
/// changes what it lowers to, so each kind of use gets its own shared node.
struct SharedBodyKey: Hashable {
    var name: String
    var isLabel: Bool
    var allowVariables: Bool
    var allowLabels: Bool
}

enum Symbol {
    case constant(Int)
    case formula(Int)
    case variable(Int)
}

/// Where an expression is and what it may refer to.
struct ExpressionContext {
    var file: FileRole
    /// False in constant definitions, variable bounds and initial values.
    var allowVariables: Bool
    /// True in properties: `"label"` references.
    var allowLabels: Bool = false
    /// Names what is being defined, for "cannot refer to variable" messages.
    var purpose: String = "this expression"

    static let constant = ExpressionContext(file: .model, allowVariables: false, purpose: "a constant definition")
    static let model = ExpressionContext(file: .model, allowVariables: true)
    static let property = ExpressionContext(file: .properties, allowVariables: true, allowLabels: true)
}

struct Checker {
    let modelFile: SourceFile
    let propertiesFile: SourceFile?
    var diagnostics: [Diagnostic] = []
    var symbols: [String: Symbol] = [:]
    var constants: [ConstantEntry] = []
    var formulas: [FormulaEntry] = []
    var variables: [Variable] = []
    var labels: [String: LabelEntry] = [:]
    var modelLabelOrder: [String] = []
    /// Undefined constants that something needed; reported once, together, at the end.
    var missingConstants: Set<Int> = []
    /// Formulas and labels being expanded, to report cycles instead of recursing forever.
    var expansionStack: [String] = []
    /// Each formula and label body lowered once per kind of use and shared by every use (nil:
    /// the body has an error, already reported), so expansion is linear in the text.
    var sharedBodies: [SharedBodyKey: Expr?] = [:]
    /// Current recursion depth of `lower`, formula and label bodies included, and the number of
    /// typed nodes built so far: the budgets of `FrontEndLimits`.
    var loweringDepth = 0
    var loweredNodes = 0
    /// Set once a budget is exceeded, so the refusal is reported once and lowering stops.
    var budgetExceeded = false
    /// Syntax nodes copied by module renaming so far (each copy is checked like a module of its
    /// own), and each base module's size, counted once.
    var copiedNodes = 0
    var moduleSizes: [String: Int] = [:]

    init(model: SourceFile, properties: SourceFile?) {
        modelFile = model
        propertiesFile = properties
    }

    func file(_ role: FileRole) -> SourceFile {
        role == .properties ? (propertiesFile ?? modelFile) : modelFile
    }

    /// Diagnostics kept; past this the input is garbage, and each one costs a line scan.
    static let maximumErrors = 100

    mutating func error(_ role: FileRole, _ offset: Int, _ message: String) {
        guard diagnostics.count < Checker.maximumErrors else { return }
        diagnostics.append(file(role).diagnostic(at: offset, message))
        if diagnostics.count == Checker.maximumErrors {
            diagnostics.append(file(role).diagnostic(at: offset, "too many errors; stopping here"))
        }
    }

    /// What a name already denotes, for "duplicate" messages.
    func describe(_ symbol: Symbol) -> String {
        switch symbol {
        case .constant: "a constant"
        case .formula: "a formula"
        case .variable: "a variable"
        }
    }

    /// Declares a name, or reports that it is taken.
    mutating func declare(_ name: Name, as symbol: Symbol, in role: FileRole) -> Bool {
        if let existing = symbols[name.text] {
            error(role, name.offset, "'\(name.text)' is already defined as \(describe(existing))")
            return false
        }
        symbols[name.text] = symbol
        return true
    }
}
