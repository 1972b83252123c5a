// The text results of `stamina check`: one block per property, in sstamina's layout, that a user
// can trust at a glance. A property that was not computed still gets its block, saying why; a
// result whose window was not reached says so and what stopped it; a reward says "Reward".

import Foundation
import StaminaEngine

enum CheckTextReport {
    static func block(_ property: PropertyReport, initial: Int, settings: CheckSettings) -> String {
        func decimal(_ value: Double?) -> String { String(format: "%.12f", value ?? .nan) }
        var lines = ["Property: \(property.text)"]
        if let filter = property.filter, property.error == nil {
            lines += filterLines(filter, property, settings: settings)
            lines.append("Model: \(property.states ?? 0) states with \(initial) initial.")
            return lines.joined(separator: "\n") + "\n"
        }
        guard property.pmin != nil, property.pmax != nil else {
            lines.append("not computed: \(property.error?.message ?? "no result")")
            return lines.joined(separator: "\n") + "\n"
        }
        let quantity = property.kind == .reward ? "Reward" : "Probability"
        lines.append("\(quantity) Minimum: \(decimal(property.pmin))")
        lines.append("\(quantity) Maximum: \(decimal(property.pmax))")
        lines.append("Window: \(decimal(property.window))")
        if property.windowReached == false {
            lines.append(windowNotReached(property, settings: settings))
        }
        lines += initialStates(property)
        if let verdict = property.verdict { lines.append("Verdict: \(verdict.rawValue)") }
        lines.append("Model: \(property.states ?? 0) states with \(initial) initial.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Which state the values belong to, as PRISM says it: the initial state, or each of them.
    static func initialStates(_ property: PropertyReport) -> [String] {
        let values = property.initialValues
        guard let first = values.first else { return [] }
        if property.initialStateCount == 1 { return ["Value in the initial state: (\(first.state))"] }
        var lines = [
            "Values in the \(property.initialStateCount) initial states (Minimum and Maximum above are the first's; the refinement aimed at it, the others' intervals may be wider):"
        ]
        for value in values {
            lines.append(
                "  (\(value.state)): [\(String(format: "%.12f", value.pmin)), \(String(format: "%.12f", value.pmax))]")
        }
        if values.count < property.initialStateCount {
            lines.append("  ... and \(property.initialStateCount - values.count) more, not computed")
        }
        return lines
    }

    /// One plain sentence: how wide the interval is against the window, and what stopped it.
    static func windowNotReached(_ property: PropertyReport, settings: CheckSettings) -> String {
        let width = String(format: "%.3g", property.window ?? .nan)
        let reason: String
        switch property.stoppedBy {
        case .stateLimit: reason = "exploration stopped at the state limit (--max-states \(settings.maxStates ?? 0))"
        case .timeLimit:
            reason =
                "the time limit (--time-limit \(settings.timeLimit ?? 0) s) passed; this is the last finished round"
        case .roundLimit: reason = "the refinement rounds ran out (--maxApproxCount \(settings.maxIterations))"
        case .wholeModel: reason = "the whole model was explored; the numerics got no closer"
        case .window, nil: reason = "the run ended"
        }
        let target =
            settings.relativeWindow
            ? "the relative window \(settings.window) x Pmin = \(String(format: "%.3g", settings.targetWidth(lower: property.pmin ?? 0)))"
            : "the window \(settings.window)"
        return "Window not reached: the width \(width) is above \(target); \(reason)."
    }

    /// A filter's answer: its value's bounds, truth value or states, and over which states.
    static func filterLines(_ filter: FilterReport, _ property: PropertyReport, settings: CheckSettings) -> [String] {
        func decimal(_ value: Double) -> String { String(format: "%.12f", value) }
        func interval(_ value: ValueInterval) -> String {
            "[\(decimal(value.lower)), \(value.upper.map(decimal) ?? "unbounded")]"
        }
        let quantity = property.kind == .reward ? "Reward" : "Probability"
        var lines = [
            "Filter: \(filter.op.rawValue) over \(filter.matched) state(s) satisfying \(filter.statesText ?? "true")"
                + (filter.open ? ", and any states not explored yet that satisfy it (the model is truncated)" : "")
        ]
        switch filter.op {
        case .forall, .exists:
            let verdict = filter.verdict ?? .unknown
            lines.append(
                "Result: \(verdict == .unknown ? "undecided (the bounds do not settle it)" : verdict.rawValue)")
        case .count:
            if let value = filter.value {
                let upper = value.upper.map { String(Int($0)) } ?? "unbounded"
                lines.append(
                    value.upper == value.lower
                        ? "Count: \(Int(value.lower))" : "Count: between \(Int(value.lower)) and \(upper) (undecided)")
            }
        case .range:
            if let minimum = filter.minimum, let maximum = filter.maximum {
                lines.append("Range: minimum in \(interval(minimum)), maximum in \(interval(maximum))")
            }
        case .argmin, .argmax, .print, .printall:
            break
        case .first where property.kind == .stateFormula, .state where property.kind == .stateFormula:
            // A state formula's value in one state is a truth value.
            let verdict = filter.verdict ?? .unknown
            lines.append(
                "Result: \(verdict == .unknown ? "undecided (the first state may not be explored yet)" : verdict.rawValue)"
            )
        case .min, .max, .sum, .avg, .first, .state:
            if let value = filter.value {
                if let upper = value.upper {
                    lines.append("\(quantity) Minimum: \(decimal(value.lower))")
                    lines.append("\(quantity) Maximum: \(decimal(upper))")
                    lines.append("Window: \(decimal(upper - value.lower))")
                } else {
                    lines.append("\(quantity): at least \(decimal(value.lower)), no upper bound")
                }
            }
        }
        if !filter.states.isEmpty {
            let what: String =
                switch filter.op {
                case .argmin: "States that may attain the minimum"
                case .argmax: "States that may attain the maximum"
                case .print where property.kind == .stateFormula:
                    filter.decided ? "States where it holds" : "States where it may hold"
                case .print: "Values that may be non-zero"
                case .printall: "Values"
                default: "State"
                }
            lines.append("\(what) (\(filter.stateCount)):")
            for value in filter.states {
                let verdict = value.verdict.map { " \($0.rawValue)" } ?? ""
                if property.kind == .stateFormula {
                    lines.append("  (\(value.state)):\(verdict)")
                } else {
                    lines.append("  (\(value.state)): [\(decimal(value.pmin)), \(decimal(value.pmax))]\(verdict)")
                }
            }
            if filter.states.count < filter.stateCount {
                lines.append("  ... and \(filter.stateCount - filter.states.count) more")
            }
        }
        if property.windowReached == false {
            lines.append("Not decided to the window: \(reasonText(property, open: filter.open, settings: settings)).")
        }
        return lines
    }

    static func reasonText(_ property: PropertyReport, open: Bool, settings: CheckSettings) -> String {
        switch property.stoppedBy {
        case .stateLimit: "exploration stopped at the state limit (--max-states \(settings.maxStates ?? 0))"
        case .roundLimit:
            open
                ? "states not explored yet may belong to the set, and the refinement did not close it (the model may be infinite; more rounds with --maxApproxCount, or --exact on a finite model, may decide it)"
                : "the refinement rounds ran out (--maxApproxCount \(settings.maxIterations))"
        case .timeLimit: "the time limit (--time-limit \(settings.timeLimit ?? 0) s) passed"
        case .wholeModel: "the whole model was explored; the numerics got no closer"
        default: "the run ended"
        }
    }
}
