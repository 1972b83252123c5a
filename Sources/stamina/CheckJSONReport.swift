// The `--json` result document of `stamina check`: the engine's reports as the contract's
// `CheckResult` (Sources/EngineContract), written by the one JSON writer in the contract's key order.

import EngineContract
import Foundation
import OrderedJSON
import PRISM
import StaminaEngine

enum CheckJSONReport {
    /// One document for all valuations: `properties` lists every valuation's properties in turn,
    /// each with its `constants`; the model and counts are the last valuation's.
    static func make(_ results: [ValuationResult], settings: CheckSettings, files: (String, String?)) -> CheckResult? {
        guard let last = results.last else { return nil }
        let program = last.program
        let report = last.report
        let properties = results.flatMap { result in
            result.report.properties.map { property($0, settings: settings, constants: result.constants) }
        }
        return CheckResult(
            engine: .init(name: "stamina", version: StaminaVersion.current),
            model: .init(
                file: files.0, propertiesFile: files.1, type: program.model.type.rawValue,
                constants: ConstantValues(program.model.constants.map { ($0.name, value($0.value)) })),
            parameters: .init(
                kappa: settings.kappa, reduceKappa: settings.reduceKappa, approxFactor: settings.approxFactor,
                window: settings.window, maxIterations: settings.maxIterations,
                method: CheckRequest.Method(rawValue: settings.method.rawValue) ?? .iterative,
                propertyTruncation: settings.propertyTruncation, exact: settings.exact,
                relativeWindow: settings.relativeWindow),
            properties: properties, states: report.states, transitions: report.transitions,
            initialStates: report.initialStates, seconds: .init(total: report.seconds),
            peakMemoryBytes: peakMemoryBytes())
    }

    /// The document as written on stdout.
    static func rendered(_ result: CheckResult?) -> String {
        guard let result, let text = try? JSONTextEncoder().encode(result) else { return JSONText.null.rendered }
        return text.rendered
    }

    static func value(_ value: Value) -> ConstantValue {
        switch value {
        case .int(let v): .integer(Int(v))
        case .double(let v): .number(v)
        case .bool(let v): .bool(v)
        }
    }

    static func status(_ p: PropertyReport) -> PropertyResult.Status {
        p.pmin == nil && (p.filter == nil || p.error != nil)
            ? .notComputed : p.windowReached == true ? .computed : .partial
    }

    static func filter(_ f: FilterReport) -> FilterResult {
        func interval(_ v: ValueInterval?) -> FilterResult.Interval? {
            v.map { FilterResult.Interval(lower: $0.lower, upper: $0.upper) }
        }
        var result = FilterResult(operator: f.op.rawValue, states: f.statesText, matched: f.matched, open: f.open)
        result.decided = f.decided
        result.value = interval(f.value)
        result.minimum = interval(f.minimum)
        result.maximum = interval(f.maximum)
        result.verdict = f.verdict?.rawValue
        result.listedCount = f.stateCount
        result.listed = f.states.map {
            .init(state: $0.state, pmin: $0.pmin, pmax: $0.pmax, verdict: $0.verdict?.rawValue)
        }
        return result
    }

    static func round(_ r: RoundReport) -> PropertyResult.Round {
        .init(
            iteration: r.iteration, kappa: r.kappa, states: r.states, transitions: r.transitions, frontier: r.frontier,
            pmin: r.pmin, pmax: r.pmax, seconds: r.seconds)
    }

    static func property(_ p: PropertyReport, settings: CheckSettings, constants: [(String, String)])
        -> PropertyResult
    {
        var result = PropertyResult(
            text: p.text, status: status(p), windowKind: settings.relativeWindow ? .relative : .absolute,
            seconds: .init(exploration: p.explorationSeconds, checking: p.checkingSeconds, total: p.totalSeconds))
        result.name = p.name
        result.kind = p.kind?.rawValue
        result.pmin = p.pmin
        result.pmax = p.pmax
        result.window = p.window
        result.windowReached = p.windowReached
        result.verdict = p.verdict?.rawValue
        result.constants = ConstantValues(constants.map { ($0.0, ConstantValue(text: $0.1)) })
        result.stoppedBy = p.stoppedBy?.rawValue
        result.windowTarget = p.pmin.map { settings.targetWidth(lower: $0) }
        result.initialStateCount = p.initialStateCount
        result.initialStates = p.initialValues.map { .init(state: $0.state, pmin: $0.pmin, pmax: $0.pmax) }
        result.filter = p.filter.map(filter)
        result.states = p.states
        result.transitions = p.transitions
        result.iterations = p.iterations
        result.kappa = p.kappa
        result.rounds = p.rounds.map(round)
        result.error = p.error.map { .init(code: $0.code, message: $0.message) }
        return result
    }

    /// Peak resident set size (getrusage reports kilobytes on Linux, bytes on macOS).
    static func peakMemoryBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            return Int(usage.ru_maxrss) * 1024
        #else
            getrusage(RUSAGE_SELF, &usage)
            return Int(usage.ru_maxrss)
        #endif
    }
}
