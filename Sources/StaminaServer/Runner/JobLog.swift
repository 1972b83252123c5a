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
            lines.append("Model: \(property.states ?? result.states) states with 1 initial.")
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
