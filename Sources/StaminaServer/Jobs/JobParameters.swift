/// The engine settings of one job, checked at submission (finite, in range) and turned into the
/// engine's argument vector by the runner.
public struct JobParameters: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case iterative, reexploring, priority
    }

    public var method: Method = .iterative
    public var kappa: Double = 1.0
    public var reduceKappa: Double = 1.25
    public var approxFactor: Double = 2.0
    public var window: Double = 1e-3
    public var maxIterations: Int = 10
    public var propertyTruncation: Bool = true
    /// The `--const` text, e.g. "N=10,lambda=0.5".
    public var constants: String = ""

    public init() {}

    /// Accepts sstamina's names and flags: `iterative`, `-I`, `REEXPLORING`, `-J`, `priority`, `-P`.
    public static func method(parsing text: String) -> Method? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "iterative", "-i": return .iterative
        case "reexploring", "re-exploring", "-j": return .reexploring
        case "priority", "-p": return .priority
        default: return nil
        }
    }

    /// Every range check in one place, so the legacy and `/v1` endpoints refuse the same inputs.
    public func validate() -> [ParameterProblem] {
        var problems: [ParameterProblem] = []
        func check(_ name: String, _ value: Double, _ ok: Bool, _ expected: String) {
            if !value.isFinite || !ok {
                problems.append(.init(parameter: name, message: "\(name) must be \(expected), got \(value)"))
            }
        }
        check("kappa", kappa, kappa > 0 && kappa <= 1e6, "a finite number in (0, 1e6]")
        check("rkappa", reduceKappa, reduceKappa > 1 && reduceKappa <= 1e6, "a finite number in (1, 1e6]")
        check("approxFactor", approxFactor, approxFactor > 1 && approxFactor <= 1e6, "a finite number in (1, 1e6]")
        check("window", window, window > 0 && window < 1, "a finite number in (0, 1)")
        if !(1...10_000).contains(maxIterations) {
            problems.append(
                .init(parameter: "maxIterations", message: "maxIterations must be in 1...10000, got \(maxIterations)"))
        }
        if constants.contains(where: { $0.isNewline }) || constants.utf8.count > 4096 {
            problems.append(.init(parameter: "constants", message: "constants must be one line of at most 4096 bytes"))
        }
        return problems
    }

    /// The engine's options (CONTRACTS.md section 2), as an argument vector.
    var engineArguments: [String] {
        var arguments = [
            "--kappa", String(kappa), "--reduceKappa", String(reduceKappa), "--approxFactor", String(approxFactor),
            "--probWin", String(window), "--maxApproxCount", String(maxIterations), "--method", method.rawValue,
        ]
        if !propertyTruncation { arguments.append("--noPropRefine") }
        if !constants.isEmpty { arguments += ["--const", constants] }
        return arguments
    }
}

public struct ParameterProblem: Sendable, Equatable {
    public var parameter: String
    public var message: String
}

/// Reads a user-supplied number strictly: no NaN, no infinity, nothing after the number.
func parseFiniteNumber(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard let value = Double(trimmed), value.isFinite else { return nil }
    return value
}
