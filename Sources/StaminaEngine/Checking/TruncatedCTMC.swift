// The CTMC that is analysed: every explored state plus one absorbing sink `s_abs` (last index).
//
// Expanded states keep all their transitions. A frontier state (reached, not expanded, and not
// made absorbing by property truncation) keeps its transitions to known states; the summed rate
// of its transitions to unknown states goes to the sink. Paths of this chain coincide with the
// real ones until they enter the sink, which is what makes [Pmin, Pmax] a sound enclosure.
// States left unexpanded by property truncation get an empty row: the property makes them
// absorbing anyway.

import PRISM
import StaminaNumerics

struct TruncatedCTMC {
    var rates: SparseMatrix
    /// Number of explored states; the sink has index `stateCount`.
    var stateCount: Int
    var sink: Int { stateCount }
    /// Frontier states (their unknown successors lead to the sink).
    var frontierCount: Int
    /// Deadlock states (sink excluded), ascending, known for expanded and frontier states: a list,
    /// not a flag per state, since most models have few.
    var deadlockStates: [Int32]
    /// Whether no state leads to the sink: the chain is the whole model.
    var isComplete: Bool

    /// Number of transitions, not counting the sink's.
    var transitionCount: Int { rates.entryCount }

    /// Deadlock flags (sink excluded).
    var deadlock: [Bool] {
        var flags = [Bool](repeating: false, count: stateCount)
        for state in deadlockStates { flags[Int(state)] = true }
        return flags
    }

    func isDeadlock(_ state: Int) -> Bool {
        var low = 0
        var high = deadlockStates.count
        while low < high {
            let middle = (low + high) / 2
            if Int(deadlockStates[middle]) < state { low = middle + 1 } else { high = middle }
        }
        return low < deadlockStates.count && Int(deadlockStates[low]) == state
    }

    /// The whole model without a copy: when every state is expanded in index order the explored
    /// rows are the matrix and are moved into it (`ExploredGraph.takeRows`); the graph is final
    /// afterwards. Nil when the graph is not in that shape (then `build` copies).
    static func takeComplete(from explorer: Explorer) -> TruncatedCTMC? {
        let graph = explorer.graph
        let n = graph.stateCount
        guard let rows = graph.takeRows() else { return nil }
        return TruncatedCTMC(
            rates: SparseMatrix(rowStart: rows.rowStart, columns: rows.columns, values: rows.values), stateCount: n,
            frontierCount: 0, deadlockStates: rows.deadlocks, isComplete: true)
    }

    static func build(from explorer: Explorer) throws(EngineError) -> TruncatedCTMC {
        let graph = explorer.graph
        precondition(!graph.transitionsReleased, "the explored transitions were released")
        let n = graph.stateCount
        var builder = SparseMatrixBuilder(expectedRows: n + 1, expectedEntries: graph.transitionCount + n / 4)
        var deadlockStates: [Int32] = []
        var frontierCount = 0
        var sinkTransitions = 0
        let generator = explorer.generator
        let wordCount = explorer.wordCount
        var rowColumns: [Int32] = []
        var rowValues: [Double] = []
        for state in 0..<n {
            if graph.isExpanded(state) {
                let begin = graph.rowStart[state]
                for position in begin..<(begin + Int(graph.rowLength[state])) {
                    builder.append(column: graph.columns[position], value: graph.values[position])
                }
                if graph.isDeadlock(state) { deadlockStates.append(Int32(state)) }
            } else if try !explorer.isAbsorbing(state) {
                frontierCount += 1
                let count = try generator.generate(graph.store.state(state))
                if count == 0 {
                    deadlockStates.append(Int32(state))
                    builder.append(column: Int32(state), value: 1)
                } else {
                    rowColumns.removeAll(keepingCapacity: true)
                    rowValues.removeAll(keepingCapacity: true)
                    var sinkRate = 0.0
                    for k in 0..<count {
                        let index = graph.store.find(generator.targets.base + k * wordCount)
                        let rate = generator.rates[k]
                        if index < 0 {
                            sinkRate += rate
                        } else if let existing = rowColumns.firstIndex(of: Int32(index)) {
                            rowValues[existing] += rate
                        } else {
                            rowColumns.append(Int32(index))
                            rowValues.append(rate)
                        }
                    }
                    for k in rowColumns.indices { builder.append(column: rowColumns[k], value: rowValues[k]) }
                    if sinkRate > 0 {
                        builder.append(column: Int32(n), value: sinkRate)
                        sinkTransitions += 1
                    }
                }
            }
            builder.finishRow()
        }
        builder.finishRow()
        return TruncatedCTMC(
            rates: builder.build(), stateCount: n, frontierCount: frontierCount, deadlockStates: deadlockStates,
            isComplete: sinkTransitions == 0 && frontierCount == 0 && graph.expandedCount == n)
    }
}
