// The flags of `stamina check`, each named once: `CheckRequest.arguments` writes them, the CLI's
// parser is declared with them, and the server's runner passes them. A rename is one edit here.

/// One flag: its long name (without dashes) and, where sstamina had one, its one-letter name.
public struct CheckOption: Sendable, Hashable {
    public let long: String
    public let short: Character?

    init(_ long: String, short: Character? = nil) {
        self.long = long
        self.short = short
    }

    /// `--long`, as written in an argument vector.
    public var flag: String { "--" + long }

    public static let kappa = CheckOption("kappa", short: "k")
    public static let reduceKappa = CheckOption("reduceKappa", short: "r")
    public static let approxFactor = CheckOption("approxFactor", short: "f")
    public static let window = CheckOption("probWin", short: "w")
    public static let relative = CheckOption("relative")
    public static let maxIterations = CheckOption("maxApproxCount", short: "n")
    public static let noPropertyTruncation = CheckOption("noPropRefine", short: "R")
    public static let method = CheckOption("method")
    public static let exportDot = CheckOption("export", short: "e")
    public static let exportTransitions = CheckOption("exportTrans", short: "a")
    public static let exportDRN = CheckOption("export-drn")
    public static let threads = CheckOption("threads", short: "j")
    public static let quiet = CheckOption("quiet", short: "q")
    public static let constants = CheckOption("const")
    public static let csv = CheckOption("csv")
    public static let property = CheckOption("property")
    public static let exact = CheckOption("exact")
    public static let json = CheckOption("json")
    public static let events = CheckOption("events")
    public static let timeLimit = CheckOption("time-limit")
    public static let maxStates = CheckOption("max-states")
}
