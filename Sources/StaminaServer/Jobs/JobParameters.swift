// The engine settings of one job as stored with it, read from the submitted fields (legacy and
// `/v1` names), checked by the engine contract's one validation (`CheckRequest.validate()`, the
// table the CLI uses too) and turned into the engine's argument vector by the runner through the
// contract's `CheckRequest.arguments`. Nothing here spells a flag.

import EngineContract
import Foundation

public struct JobParameters: Codable, Sendable, Equatable {
    public typealias Method = CheckRequest.Method

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

    /// The contract's request for a job directory's files and outputs (the names the runner and
    /// `JobDirectory` use), with the server's thread count.
    func engineRequest(threads: Int) -> CheckRequest {
        var request = CheckRequest(model: JobDirectory.modelFile, properties: JobDirectory.propertiesFile)
        request.kappa = kappa
        request.reduceKappa = reduceKappa
        request.approxFactor = approxFactor
        request.window = window
        request.maxIterations = maxIterations
        request.method = method
        request.propertyTruncation = propertyTruncation
        request.constants = constants
        request.threads = threads
        request.json = true
        request.events = JobDirectory.eventsFile
        request.exportTransitions = JobDirectory.transitionsFile
        request.exportDRN = JobDirectory.drnFile
        return request
    }

    /// Every range check, the contract's: the legacy and `/v1` endpoints and the CLI refuse the
    /// same inputs.
    public func validate() -> [ParameterProblem] {
        engineRequest(threads: 1).validate().map { ParameterProblem(parameter: $0.parameter, message: $0.message) }
    }

    /// Reads the submitted fields (legacy and `/v1` names; `field` gives a field's raw text).
    /// Empty fields mean the default, as the web form sends every field.
    public init(fields field: (String) -> String?) throws(InvalidParameters) {
        var problems: [ParameterProblem] = []
        func present(_ value: String?) -> String? {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return value
        }
        func first(_ names: String...) -> String? {
            for name in names { if let value = field(name) { return present(value) } }
            return nil
        }
        func number(_ label: String, _ names: String...) -> Double? {
            for name in names {
                guard let text = present(field(name)) else { continue }
                if let value = parseFiniteNumber(text) { return value }
                problems.append(
                    .init(parameter: label, message: "\(label) must be a finite number, got '\(text.prefix(40))'"))
                return nil
            }
            return nil
        }
        if let text = first("method") {
            if let method = Method(parsing: text) {
                self.method = method
            } else {
                problems.append(
                    .init(
                        parameter: "method",
                        message:
                            "method must be iterative, reexploring or priority (or -I, -J, -P), got '\(text.prefix(40))'"
                    ))
            }
        }
        if let value = number("kappa", "kappa", "k") { kappa = value }
        if let value = number("rkappa", "rkappa", "reduceKappa", "r") { reduceKappa = value }
        if let value = number("window", "window", "w", "probWin") { window = value }
        if let value = number("approxFactor", "approxFactor", "f") { approxFactor = value }
        if let value = number("maxIterations", "maxIterations", "maxApproxCount", "n") {
            if value == value.rounded(), abs(value) < 1e9 {
                maxIterations = Int(value)
            } else {
                problems.append(
                    .init(parameter: "maxIterations", message: "maxIterations must be an integer, got \(value)"))
            }
        }
        if let text = first("propertyTruncation") {
            switch text.lowercased() {
            case "true", "1", "yes", "on": propertyTruncation = true
            case "false", "0", "no", "off": propertyTruncation = false
            default:
                problems.append(
                    .init(parameter: "propertyTruncation", message: "propertyTruncation must be true or false"))
            }
        }
        if let text = first("noPropRefine", "R"), ["true", "1", "yes", "on"].contains(text.lowercased()) {
            propertyTruncation = false
        }
        if let text = first("constants", "const") { constants = text }
        problems += problems.isEmpty ? validate() : []
        if !problems.isEmpty { throw InvalidParameters(problems: problems) }
    }
}

public struct ParameterProblem: Sendable, Equatable {
    public var parameter: String
    public var message: String
}

/// Submitted parameters that may not run, each problem naming its field.
public struct InvalidParameters: Error, Sendable, Equatable {
    public var problems: [ParameterProblem]
}

/// Reads a user-supplied number strictly: no NaN, no infinity, nothing after the number.
func parseFiniteNumber(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard let value = Double(trimmed), value.isFinite else { return nil }
    return value
}
