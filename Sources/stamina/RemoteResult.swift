// A finished job's result document (`GET /v1/jobs/{id}/result`) as `stamina check` prints it: the
// results block of each property, or the `--json` document of a local run. The server returns the
// engine's own `--json` object (keys sorted) plus a `run` member; this file puts it back in the
// local run's shape so that remote and local output can be compared line for line.

import Foundation
import OrderedJSON
import PRISM
import StaminaEngine

/// Any JSON value, decoded without losing whether a number was written as an integer.
enum JSONValue: Decodable, Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? { if case .string(let text) = self { text } else { nil } }
    var double: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }
    var int: Int? { if case .integer(let value) = self { value } else { nil } }
    var array: [JSONValue] { if case .array(let items) = self { items } else { [] } }

    /// Rendered with object keys in `order` first (the local report's order), the rest sorted.
    func text(order: [String]) -> JSONText {
        switch self {
        case .string(let text): return .string(text)
        case .integer(let value): return .integer(value)
        case .number(let value): return .number(value)
        case .bool(let value): return .bool(value)
        case .null: return .null
        case .array(let items): return .array(items.map { $0.text(order: order) })
        case .object(let members):
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let keys = members.keys.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
            return .object(keys.map { ($0, members[$0]?.text(order: order) ?? .null) })
        }
    }
}

struct RemoteResult {
    let document: JSONValue

    /// Every key of `CheckJSONReport` and `CheckFailure.json`, in the order a local run writes them.
    static let localKeyOrder = [
        "error", "engine", "name", "version", "model", "file", "propertiesFile", "type", "constants", "parameters",
        "kappa", "reduceKappa", "approxFactor", "window", "maxIterations", "method", "propertyTruncation", "exact",
        "properties", "text", "kind", "pmin", "pmax", "windowReached", "verdict", "states", "transitions",
        "initialStates", "iterations", "seconds", "exploration", "checking", "total", "rounds", "iteration",
        "frontier", "peakMemoryBytes", "code", "message", "diagnostics", "line", "column",
    ]

    /// The engine's failure (`{"error": {kind, code, message, diagnostics}}`), if the run failed.
    var engineError: JSONValue? {
        if let error = document["error"], case .object = error { return error }
        return nil
    }

    /// The local `--json` document: without the server's `run` member, naming the local files.
    func localJSON(model: String, properties: String?) -> JSONText {
        guard case .object(var members) = document else { return document.text(order: Self.localKeyOrder) }
        members["run"] = nil
        if case .object(var description) = members["model"] ?? .null {
            description["file"] = .string(model)
            description["propertiesFile"] = properties.map { .string($0) } ?? .null
            members["model"] = .object(description)
        }
        return JSONValue.object(members).text(order: Self.localKeyOrder)
    }

    /// The results block of each property, written by the local run's own `CheckTextReport` from
    /// the engine's `--json` keys read back, so that remote and local output cannot drift apart.
    var resultsBlocks: [String] {
        let initial = document["initialStates"]?.int ?? 1
        let settings = self.settings
        return document["properties"]?.array.enumerated().map { index, property in
            CheckTextReport.block(Self.report(property, index: index), initial: initial, settings: settings)
        } ?? []
    }

    /// The settings the engine ran with, as its `parameters` member gives them.
    var settings: CheckSettings {
        var settings = CheckSettings()
        let parameters = document["parameters"]
        if let window = parameters?["window"]?.double { settings.window = window }
        if case .bool(let relative) = parameters?["relativeWindow"] ?? .null { settings.relativeWindow = relative }
        if let rounds = parameters?["maxIterations"]?.int { settings.maxIterations = rounds }
        if case .bool(let exact) = parameters?["exact"] ?? .null { settings.exact = exact }
        return settings
    }

    /// A property of the `--json` document as the engine's `PropertyReport`.
    static func report(_ property: JSONValue, index: Int) -> PropertyReport {
        var report = PropertyReport(
            index: index, name: property["name"]?.string, text: property["text"]?.string ?? "")
        report.kind = property["kind"]?.string.flatMap(PropertyKind.init(rawValue:))
        report.pmin = property["pmin"]?.double
        report.pmax = property["pmax"]?.double
        if case .bool(let reached) = property["windowReached"] ?? .null { report.windowReached = reached }
        report.verdict = property["verdict"]?.string.flatMap(Verdict.init(rawValue:))
        report.states = property["states"]?.int
        report.transitions = property["transitions"]?.int
        report.stoppedBy = property["stoppedBy"]?.string.flatMap(StopReason.init(rawValue:))
        report.initialStateCount = property["initialStateCount"]?.int ?? 1
        report.initialValues =
            property["initialStates"]?.array.compactMap { value in
                guard let state = value["state"]?.string, let pmin = value["pmin"]?.double,
                    let pmax = value["pmax"]?.double
                else { return nil }
                return InitialStateValue(state: state, pmin: pmin, pmax: pmax)
            } ?? []
        if let filter = property["filter"], case .object = filter { report.filter = Self.filter(filter) }
        if let error = property["error"], case .object = error {
            report.error = PropertyError(
                code: error["code"]?.string ?? "", message: error["message"]?.string ?? "")
        }
        return report
    }

    /// The `filter` object of a property, as `CheckJSONReport.filter` writes it.
    static func filter(_ value: JSONValue) -> FilterReport? {
        guard let op = value["operator"]?.string.flatMap(FilterOperator.init(rawValue:)) else { return nil }
        func flag(_ key: String) -> Bool {
            if case .bool(let b) = value[key] ?? .null { return b }
            return false
        }
        func interval(_ key: String) -> ValueInterval? {
            guard let v = value[key], let lower = v["lower"]?.double else { return nil }
            return ValueInterval(lower: lower, upper: v["upper"]?.double)
        }
        var report = FilterReport(
            op: op, statesText: value["states"]?.string, matched: value["matched"]?.int ?? 0, open: flag("open"))
        report.decided = flag("decided")
        report.value = interval("value")
        report.minimum = interval("minimum")
        report.maximum = interval("maximum")
        report.verdict = value["verdict"]?.string.flatMap(Verdict.init(rawValue:))
        report.stateCount = value["listedCount"]?.int ?? 0
        report.states =
            value["listed"]?.array.compactMap { item in
                guard let state = item["state"]?.string, let pmin = item["pmin"]?.double,
                    let pmax = item["pmax"]?.double
                else { return nil }
                return FilterStateValue(
                    state: state, pmin: pmin, pmax: pmax,
                    verdict: item["verdict"]?.string.flatMap(Verdict.init(rawValue:)))
            } ?? []
        return report
    }
}
