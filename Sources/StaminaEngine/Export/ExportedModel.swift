// Writes the final truncated CTMC in three formats: `from to rate` lines (sstamina -a),
// Graphviz dot (sstamina -e) and Storm's explicit DRN format (loads with
// `stormpy.build_model_from_drn`). The sink `s_abs` is the last state, labelled `absorbing`.

import PRISM

public struct ExportedModel {
    let ctmc: TruncatedCTMC
    let explorer: Explorer

    public var stateCount: Int { ctmc.stateCount + 1 }

    /// One `from to rate` line per transition.
    public func writeTransitions(to output: inout some TextOutputStream) {
        let rates = ctmc.rates
        for row in 0..<rates.rowCount {
            for position in rates.rowStart[row]..<rates.rowStart[row + 1] {
                output.write("\(row) \(rates.columns[position]) \(rates.values[position])\n")
            }
        }
    }

    private func valuation(_ state: Int) -> String {
        explorer.graph.store.withState(state) { explorer.layout.describe($0) }
    }

    public func writeDot(to output: inout some TextOutputStream) {
        output.write("digraph ctmc {\n")
        for state in 0..<ctmc.stateCount {
            let shape = explorer.graph.isInitial(state) ? ", shape=doublecircle" : ""
            output.write("  \(state) [label=\"\(state): \(valuation(state))\"\(shape)];\n")
        }
        output.write("  \(ctmc.sink) [label=\"absorbing\", shape=box];\n")
        let rates = ctmc.rates
        for row in 0..<rates.rowCount {
            for position in rates.rowStart[row]..<rates.rowStart[row + 1] {
                output.write("  \(row) -> \(rates.columns[position]) [label=\"\(rates.values[position])\"];\n")
            }
        }
        output.write("}\n")
    }

    /// Storm's DRN: a CTMC's states carry their exit rate (`!E`) and one action whose entries are
    /// rates. States without transitions (the sink, property-absorbing ones) get a self-loop of
    /// rate 1, as Storm gives deadlock states.
    public func writeDRN(to output: inout some TextOutputStream) {
        let rates = ctmc.rates
        output.write("// Exported by stamina\n@type: CTMC\n@value_type: double\n@parameters\n\n@reward_models\n\n")
        output.write("@nr_states\n\(rates.rowCount)\n@nr_choices\n\(rates.rowCount)\n@model\n")
        for row in 0..<rates.rowCount {
            let begin = rates.rowStart[row]
            let end = rates.rowStart[row + 1]
            var exitRate = 0.0
            for position in begin..<end { exitRate += rates.values[position] }
            var labels = ""
            if row < ctmc.stateCount && explorer.graph.isInitial(row) { labels += " init" }
            if row == ctmc.sink { labels += " absorbing" }
            if row < ctmc.stateCount && ctmc.isDeadlock(row) { labels += " deadlock" }
            if begin == end {
                output.write("state \(row) !1.0\(labels)\n\taction 0\n\t\t\(row) : 1.0\n")
                continue
            }
            output.write("state \(row) !\(exitRate)\(labels)\n\taction 0\n")
            for position in begin..<end {
                output.write("\t\t\(rates.columns[position]) : \(rates.values[position])\n")
            }
        }
    }
}
