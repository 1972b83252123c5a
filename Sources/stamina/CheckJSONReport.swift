// The `--json` result object of `stamina check`, key for key as CONTRACTS.md gives it.

import Foundation
import OrderedJSON
import PRISM
import StaminaEngine

enum CheckJSONReport {
    /// One object for all valuations: `properties` lists every valuation's properties in turn,
    /// each with its `constants`; the model and counts are the last valuation's.
    static func make(_ results: [ValuationResult], settings: CheckSettings, files: (String, String?)) -> JSONText {
        guard let last = results.last else { return .null }
        let program = last.program
        let report = last.report
        let properties = results.flatMap { result in
            result.report.properties.map { property($0, settings: settings, constants: result.constants) }
        }
        return .object([
            ("engine", .object([("name", .string("stamina")), ("version", .string(StaminaVersion.current))])),
            (
                "model",
                .object([
                    ("file", .string(files.0)), ("propertiesFile", .optional(files.1)),
                    ("type", .string(program.model.type.rawValue)),
                    ("constants", .object(program.model.constants.map { ($0.name, value($0.value)) })),
                ])
            ),
            (
                "parameters",
                .object([
                    ("kappa", .number(settings.kappa)), ("reduceKappa", .number(settings.reduceKappa)),
                    ("approxFactor", .number(settings.approxFactor)), ("window", .number(settings.window)),
                    ("maxIterations", .integer(settings.maxIterations)), ("method", .string(settings.method.rawValue)),
                    ("propertyTruncation", .bool(settings.propertyTruncation)), ("exact", .bool(settings.exact)),
                    ("relativeWindow", .bool(settings.relativeWindow)),
                ])
            ),
            ("properties", .array(properties)),
            ("states", .integer(report.states)), ("transitions", .integer(report.transitions)),
            ("initialStates", .integer(report.initialStates)),
            ("seconds", .object([("total", .number(report.seconds))])),
            ("peakMemoryBytes", .integer(peakMemoryBytes())),
        ])
    }

    static func value(_ value: Value) -> JSONText {
        switch value {
        case .int(let v): .integer(Int(v))
        case .double(let v): .number(v)
        case .bool(let v): .bool(v)
        }
    }

    static func status(_ p: PropertyReport) -> String {
        p.pmin == nil && (p.filter == nil || p.error != nil)
            ? "notComputed" : p.windowReached == true ? "computed" : "partial"
    }

    static func filter(_ f: FilterReport) -> JSONText {
        func interval(_ v: ValueInterval?) -> JSONText {
            v.map { .object([("lower", .number($0.lower)), ("upper", .optional($0.upper))]) } ?? .null
        }
        return .object([
            ("operator", .string(f.op.rawValue)), ("states", .optional(f.statesText)),
            ("matched", .integer(f.matched)), ("open", .bool(f.open)), ("decided", .bool(f.decided)),
            ("value", interval(f.value)), ("minimum", interval(f.minimum)), ("maximum", interval(f.maximum)),
            ("verdict", .optional(f.verdict?.rawValue)), ("listedCount", .integer(f.stateCount)),
            (
                "listed",
                .array(
                    f.states.map {
                        .object([
                            ("state", .string($0.state)), ("pmin", .number($0.pmin)), ("pmax", .number($0.pmax)),
                            ("verdict", .optional($0.verdict?.rawValue)),
                        ])
                    })
            ),
        ])
    }

    /// A constant's value text as JSON: a number or boolean when it reads as one.
    static func constant(_ text: String) -> JSONText {
        if let integer = Int(text) { return .integer(integer) }
        if let number = Double(text) { return .number(number) }
        if text == "true" || text == "false" { return .bool(text == "true") }
        return .string(text)
    }

    static func property(_ p: PropertyReport, settings: CheckSettings, constants: [(String, String)]) -> JSONText {
        .object([
            ("name", .optional(p.name)), ("text", .string(p.text)),
            ("kind", .optional(p.kind?.rawValue)),
            ("pmin", .optional(p.pmin)), ("pmax", .optional(p.pmax)), ("window", .optional(p.window)),
            ("windowReached", p.windowReached.map { .bool($0) } ?? .null),
            ("verdict", .optional(p.verdict?.rawValue)),
            // The experiment's valuation (`--const N=1:2:9`); empty without ranges.
            ("constants", .object(constants.map { ($0.0, constant($0.1)) })),
            // "computed" (window reached), "partial" (a sound interval, window not reached, see
            // stoppedBy) or "notComputed" (see error).
            ("status", .string(status(p))),
            ("stoppedBy", .optional(p.stoppedBy?.rawValue)),
            // The width the window asks for: the window, or window x pmin with --relative.
            ("windowKind", .string(settings.relativeWindow ? "relative" : "absolute")),
            ("windowTarget", .optional(p.pmin.map { settings.targetWidth(lower: $0) })),
            // The bounds from each initial state; pmin/pmax are the first's.
            ("initialStateCount", .integer(p.initialStateCount)),
            (
                "initialStates",
                .array(
                    p.initialValues.map {
                        .object([("state", .string($0.state)), ("pmin", .number($0.pmin)), ("pmax", .number($0.pmax))])
                    })
            ),
            // filter(op, prop, states): its answer (pmin/pmax are its value when it has one).
            ("filter", p.filter.map(filter) ?? .null),
            ("states", .optional(p.states)), ("transitions", .optional(p.transitions)),
            ("iterations", .optional(p.iterations)), ("kappa", .optional(p.kappa)),
            (
                "seconds",
                .object([
                    ("exploration", .number(p.explorationSeconds)), ("checking", .number(p.checkingSeconds)),
                    ("total", .number(p.totalSeconds)),
                ])
            ),
            (
                "rounds",
                .array(
                    p.rounds.map { r in
                        .object([
                            ("iteration", .integer(r.iteration)), ("kappa", .number(r.kappa)),
                            ("states", .integer(r.states)),
                            ("transitions", .integer(r.transitions)), ("frontier", .integer(r.frontier)),
                            ("pmin", .number(r.pmin)), ("pmax", .number(r.pmax)), ("seconds", .number(r.seconds)),
                        ])
                    })
            ),
            (
                "error",
                p.error.map { .object([("code", .string($0.code)), ("message", .string($0.message))]) } ?? .null
            ),
        ])
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
