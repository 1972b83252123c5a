// The results of an experiment (`--const N=1:2:9`): one check run per valuation of the constant
// ranges, shown as one table per property in text, and as CSV rows (`--csv FILE`, also without
// ranges: one row per property; a filter's answer and a truth value have their own columns).

import Foundation
import PRISM
import StaminaEngine

/// One valuation's run: the varying constants' values (empty without ranges) and its report.
struct ValuationResult {
    var constants: [(String, String)]
    var program: CheckedProgram
    var report: RunReport
}

enum CheckExperimentTable {
    static func text(_ results: [ValuationResult], settings: CheckSettings) -> String {
        guard let first = results.first else { return "" }
        let names = first.constants.map(\.0)
        var blocks: [String] = []
        for (index, property) in first.report.properties.enumerated() {
            let quantity = property.kind == .reward ? "Reward" : "Probability"
            var lines = ["Experiment: \(property.text)"]
            // A state formula's filter answers with a truth value or a count, not bounds.
            let columns =
                property.kind == .stateFormula
                ? ["Answer"] : ["\(quantity) Minimum", "\(quantity) Maximum", "Window", "States"]
            lines.append((names + columns).joined(separator: "\t"))
            var notes: [String] = []
            for result in results where index < result.report.properties.count {
                let p = result.report.properties[index]
                let values = result.constants.map(\.1)
                if p.pmin == nil, let filter = p.filter, p.error == nil {
                    // A filter without one value (forall, argmin, print, ...): its answer in one cell.
                    lines.append((values + [answer(filter, p, settings: settings)]).joined(separator: "\t"))
                    continue
                }
                guard let pmin = p.pmin, let pmax = p.pmax else {
                    lines.append(
                        (values + ["not computed: \(p.error?.message ?? "no result")"]).joined(separator: "\t"))
                    continue
                }
                var row = values + [decimal(pmin), decimal(pmax), decimal(pmax - pmin), String(p.states ?? 0)]
                if p.windowReached == false {
                    row.append("(window not reached)")
                    notes.append(
                        "\(result.constants.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")): "
                            + CheckTextReport.windowNotReached(p, settings: settings))
                }
                lines.append(row.joined(separator: "\t"))
            }
            blocks.append((lines + notes).joined(separator: "\n") + "\n")
        }
        return blocks.joined(separator: "\n")
    }

    static func decimal(_ value: Double) -> String { String(format: "%.12f", value) }

    /// A filter's answer in one cell: its text lines but the first (which says over which states).
    static func answer(_ filter: FilterReport, _ property: PropertyReport, settings: CheckSettings) -> String {
        CheckTextReport.filterLines(filter, property, settings: settings).dropFirst().joined(separator: "; ")
    }

    /// RFC 4180: fields with a comma, quote or newline are quoted, quotes doubled.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func csv(_ results: [ValuationResult], settings: CheckSettings) -> String {
        let names = results.first?.constants.map(\.0) ?? []
        let header =
            names + [
                "property", "kind", "pmin", "pmax", "window", "windowReached", "status", "stoppedBy", "states", "error",
                "verdict", "filter",
            ]
        var lines = [header.map(field).joined(separator: ",")]
        for result in results {
            for p in result.report.properties {
                let row =
                    result.constants.map(\.1) + [
                        p.text, p.kind?.rawValue ?? "", p.pmin.map { String($0) } ?? "",
                        p.pmax.map { String($0) } ?? "",
                        p.window.map { String($0) } ?? "", p.windowReached.map { String($0) } ?? "",
                        CheckJSONReport.status(p).rawValue, p.stoppedBy?.rawValue ?? "",
                        p.states.map { String($0) } ?? "",
                        p.error?.message ?? "", p.verdict?.rawValue ?? "",
                        p.filter.map { p.error == nil ? answer($0, p, settings: settings) : "" } ?? "",
                    ]
                lines.append(row.map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
