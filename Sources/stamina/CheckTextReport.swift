// The text results of `stamina check`: one block per property, in sstamina's layout, that a user
// can trust at a glance. A property that was not computed still gets its block, saying why; a
// result whose window was not reached says so and what stopped it; a reward says "Reward".

import Foundation
import StaminaEngine

enum CheckTextReport {
    static func block(_ property: PropertyReport, initial: Int, settings: CheckSettings) -> String {
        func decimal(_ value: Double?) -> String { String(format: "%.12f", value ?? .nan) }
        var lines = ["Property: \(property.text)"]
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
}
