// One `stamina check` run as a value: what the CLI parses its flags into and what the server turns
// a job's parameters into. `arguments` is its argument vector (the names from `CheckOption`), so
// the runner never spells a flag; `validate()` (CheckRequestValidation.swift) is its one table of
// ranges.

/// The options of `stamina check` (section 1 of the contract, EngineContract.swift).
public struct CheckRequest: Sendable, Equatable, Codable {
    /// The exploration methods of STAMINA 2 (sstamina's `-I`, `-J`, `-P`).
    public enum Method: String, Codable, Sendable, CaseIterable {
        case iterative, reexploring, priority

        /// sstamina's one-letter flag for the method.
        public var shortFlag: Character {
            switch self {
            case .iterative: "I"
            case .reexploring: "J"
            case .priority: "P"
            }
        }

        /// Accepts the names and sstamina's flags: `iterative`, `-I`, `REEXPLORING`, `re-exploring`,
        /// `-J`, `priority`, `-P`.
        public init?(parsing text: String) {
            let lowered = text.trimmingSpaces.lowercased()
            for method in Self.allCases
            where lowered == method.rawValue || lowered == "-" + String(method.shortFlag).lowercased() {
                self = method
                return
            }
            if lowered == "re-exploring" {
                self = .reexploring
                return
            }
            return nil
        }
    }

    public var model: String
    public var properties: String?

    public var kappa = 1.0
    public var reduceKappa = 1.25
    public var approxFactor = 2.0
    public var window = 1e-3
    /// The window is relative: stop when Pmax - Pmin <= window x Pmin.
    public var relativeWindow = false
    /// Refinement rounds per property (`--maxApproxCount`).
    public var maxIterations = 10
    public var method = Method.iterative
    /// Leave states where the property is decided unexpanded (off: `--noPropRefine`).
    public var propertyTruncation = true
    /// Explore the whole model, no truncation.
    public var exact = false
    /// Threads for the numerics (nil: one).
    public var threads: Int?
    /// Stop exploring beyond this many states.
    public var maxStates: Int?
    /// Wall-clock seconds for the whole run.
    public var timeLimit: Double?
    /// The `--const` text (PRISM's syntax, parsed by the front end), empty for none.
    public var constants = ""
    /// Check only the properties with these names (all when empty).
    public var propertyNames: [String] = []

    // Outputs.
    public var json = false
    public var events: String?
    public var exportDot: String?
    public var exportTransitions: String?
    public var exportDRN: String?
    public var csv: String?
    public var quiet = false

    public init(model: String, properties: String?) {
        self.model = model
        self.properties = properties
    }

    /// The argument vector after `stamina check`; the CLI's parser (`CheckCommand.request()`) reads
    /// it back to an equal request (`CheckRequestTests`). Numbers are Swift's round-trip text.
    public var arguments: [String] {
        var arguments = [model]
        if let properties { arguments.append(properties) }
        func add(_ option: CheckOption, _ value: String) { arguments += [option.flag, value] }
        add(.kappa, String(kappa))
        add(.reduceKappa, String(reduceKappa))
        add(.approxFactor, String(approxFactor))
        add(.window, String(window))
        add(.maxIterations, String(maxIterations))
        add(.method, method.rawValue)
        if relativeWindow { arguments.append(CheckOption.relative.flag) }
        if !propertyTruncation { arguments.append(CheckOption.noPropertyTruncation.flag) }
        if exact { arguments.append(CheckOption.exact.flag) }
        if let threads { add(.threads, String(threads)) }
        if let maxStates { add(.maxStates, String(maxStates)) }
        if let timeLimit { add(.timeLimit, String(timeLimit)) }
        if !constants.isEmpty { add(.constants, constants) }
        for name in propertyNames { add(.property, name) }
        if json { arguments.append(CheckOption.json.flag) }
        if let events { add(.events, events) }
        if let exportDot { add(.exportDot, exportDot) }
        if let exportTransitions { add(.exportTransitions, exportTransitions) }
        if let exportDRN { add(.exportDRN, exportDRN) }
        if let csv { add(.csv, csv) }
        if quiet { arguments.append(CheckOption.quiet.flag) }
        return arguments
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (no Foundation here).
    var trimmingSpaces: String {
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
