import EngineContract
import Foundation

/// The job log: the engine's stderr lines (plain `[INFO]: ` headers), the results block rendered
/// from the result JSON in the engine's text-mode format, and `Killed.` when the job was stopped.
enum JobLog {
    static let finishedLine = "[MESSAGE]: Finished running!"
    static let prunedText = "This job was pruned after its retention time; its log and files were removed.\n"

    static func compose(stderr: String, result: CheckResult?, outcome: JobOutcome) -> String {
        var lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let results = resultsBlock(result)
        if let finished = lines.lastIndex(of: finishedLine) {
            lines.insert(contentsOf: results, at: finished)
        } else {
            lines += results
        }
        if outcome.state == .failed, let message = outcome.message,
            !lines.contains(where: { $0.hasPrefix("[ERROR]: ") })
        {
            lines.append("[ERROR]: " + message)
        }
        if outcome.endsWithKilled { lines.append("Killed.") }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// The engine's text-mode results, one block per property, from the contract's result.
    static func resultsBlock(_ result: CheckResult?) -> [String] {
        guard let result else { return [] }
        var lines: [String] = []
        for property in result.properties {
            lines.append("Property: \(property.text)")
            if let filter = property.filter, property.error == nil {
                lines += filterLines(filter, property)
                lines.append("Model: \(property.states ?? result.states) states with \(result.initialStates) initial.")
                continue
            }
            guard let pmin = property.pmin, let pmax = property.pmax else {
                // As the engine's text output: every property has its block.
                lines.append("not computed: \(property.error?.message ?? "no result")")
                continue
            }
            let window = property.window ?? (pmax - pmin)
            let quantity = property.kind == "reward" ? "Reward" : "Probability"
            lines.append("\(quantity) Minimum: " + String(format: "%.12f", pmin))
            lines.append("\(quantity) Maximum: " + String(format: "%.12f", pmax))
            lines.append("Window: " + String(format: "%.12f", window))
            if property.windowReached == false {
                lines.append("Window not reached (stopped by: \(property.stoppedBy ?? "unknown")).")
            }
            lines.append("Model: \(property.states ?? result.states) states with \(result.initialStates) initial.")
        }
        return lines
    }

    /// A filter's answer as the engine's text output gives it: over which states, its value's
    /// bounds, truth value or count, and the states it lists.
    static func filterLines(_ filter: FilterResult, _ property: PropertyResult) -> [String] {
        func decimal(_ value: Double) -> String { String(format: "%.12f", value) }
        func interval(_ value: FilterResult.Interval) -> String {
            "[\(decimal(value.lower)), \(value.upper.map(decimal) ?? "unbounded")]"
        }
        var lines = [
            "Filter: \(filter.operator) over \(filter.matched) state(s) satisfying \(filter.states ?? "true")"
                + (filter.open ? ", and any states not explored yet that satisfy it (the model is truncated)" : "")
        ]
        let quantity = property.kind == "reward" ? "Reward" : "Probability"
        if let verdict = filter.verdict {
            lines.append("Result: \(verdict == "unknown" ? "undecided (the bounds do not settle it)" : verdict)")
        }
        if filter.operator == "forall" || filter.operator == "exists"
            || (property.kind == "stateFormula" && filter.verdict != nil)
        {
            // The truth value above is the answer.
        } else if let minimum = filter.minimum, let maximum = filter.maximum {
            lines.append("Range: minimum in \(interval(minimum)), maximum in \(interval(maximum))")
        } else if let value = filter.value, filter.operator == "count" {
            lines.append(
                value.upper == value.lower
                    ? "Count: \(Int(value.lower))"
                    : "Count: between \(Int(value.lower)) and \(value.upper.map { String(Int($0)) } ?? "unbounded")")
        } else if let value = filter.value {
            if let upper = value.upper {
                lines.append("\(quantity) Minimum: \(decimal(value.lower))")
                lines.append("\(quantity) Maximum: \(decimal(upper))")
            } else {
                lines.append("\(quantity): at least \(decimal(value.lower)), no upper bound")
            }
        }
        if !filter.listed.isEmpty {
            lines.append("States (\(filter.listedCount)):")
            for state in filter.listed {
                let values =
                    property.kind == "stateFormula" ? "" : " [\(decimal(state.pmin)), \(decimal(state.pmax))]"
                lines.append("  (\(state.state)):\(values)\(state.verdict.map { " \($0)" } ?? "")")
            }
            if filter.listed.count < filter.listedCount {
                lines.append("  ... and \(filter.listedCount - filter.listed.count) more")
            }
        }
        if !filter.decided {
            lines.append("Not decided to the window (stopped by: \(property.stoppedBy ?? "unknown")).")
        }
        return lines
    }
}

/// The legacy rendering: sstamina's ANSI headers and `<`/`>` escaped (clients insert the text as
/// HTML). Only the legacy endpoints use it; `/v1` serves the plain log.
enum LegacyLog {
    private static let escape = "\u{1b}"
    static let headers: [(plain: String, coloured: String)] = [
        ("[INFO]: ", "\(escape)[1m\(escape)[34m[INFO]: \(escape)[0m\(escape)[0m"),
        ("[MESSAGE]: ", "\(escape)[1m\(escape)[32m[MESSAGE]: \(escape)[0m\(escape)[0m"),
        ("[WARNING]: ", "\(escape)[1m\(escape)[33m[WARNING]: \(escape)[0m\(escape)[0m"),
        ("[ERROR]: ", "\(escape)[1m\(escape)[31m[ERROR]: \(escape)[0m\(escape)[0m\(escape)[1m"),
    ]

    static func render(_ plain: String) -> String {
        var output = ""
        output.reserveCapacity(plain.utf8.count + 64)
        for line in plain.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.offset > 0 { output += "\n" }
            var text = Substring(line.element)
            for header in headers where text.hasPrefix(header.plain) {
                output += header.coloured
                text = text.dropFirst(header.plain.count)
                break
            }
            output += escapeAngles(text)
        }
        return output
    }

    static func escapeAngles(_ text: Substring) -> String {
        guard text.contains(where: { $0 == "<" || $0 == ">" }) else { return String(text) }
        return text.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
