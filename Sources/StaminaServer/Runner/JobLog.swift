import Foundation

/// The job log: the engine's stderr lines (plain `[INFO]: ` headers), the results block rendered
/// from the result JSON in the engine's text-mode format, and `Killed.` when the job was stopped.
enum JobLog {
    static let finishedLine = "[MESSAGE]: Finished running!"
    static let prunedText = "This job was pruned after its retention time; its log and files were removed.\n"

    static func compose(stderr: String, engineJSON: [String: Any]?, outcome: JobOutcome) -> String {
        var lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let results = resultsBlock(engineJSON)
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

    static func resultsBlock(_ json: [String: Any]?) -> [String] {
        guard let properties = json?["properties"] as? [[String: Any]] else { return [] }
        var lines: [String] = []
        for property in properties {
            guard let pmin = number(property["pmin"]), let pmax = number(property["pmax"]) else {
                // As the engine's text output: every property has its block.
                lines.append("Property: \(property["text"] as? String ?? "")")
                let error = property["error"] as? [String: Any]
                lines.append("not computed: \(error?["message"] as? String ?? "no result")")
                continue
            }
            let window = number(property["window"]) ?? (pmax - pmin)
            let quantity = property["kind"] as? String == "reward" ? "Reward" : "Probability"
            lines.append("Property: \(property["text"] as? String ?? "")")
            lines.append("\(quantity) Minimum: " + String(format: "%.12f", pmin))
            lines.append("\(quantity) Maximum: " + String(format: "%.12f", pmax))
            lines.append("Window: " + String(format: "%.12f", window))
            if property["windowReached"] as? Bool == false {
                lines.append("Window not reached (stopped by: \(property["stoppedBy"] as? String ?? "unknown")).")
            }
            if let states = number(property["states"]) ?? number(json?["states"]) {
                lines.append("Model: \(Int(states)) states with 1 initial.")
            }
        }
        return lines
    }

    static func number(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: return number.doubleValue
        case let double as Double: return double
        case let int as Int: return Double(int)
        default: return nil
        }
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
