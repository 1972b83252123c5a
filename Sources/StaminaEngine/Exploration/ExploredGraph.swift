// The explored part of the state space: numbered states, the transitions of every expanded
// state (merged by target, in flat arrays), STAMINA's reachability estimate `pi` and per-state
// flags. It only grows: later rounds and later properties reuse everything explored before.

final class ExploredGraph {
    static let expandedFlag: UInt8 = 1
    static let deadlockFlag: UInt8 = 2
    static let initialFlag: UInt8 = 4

    let store: StateStore
    let pi = FlatBuffer<Double>(capacity: 1 << 12)
    /// First transition of each expanded state (-1 while unexpanded) and their number.
    let rowStart = FlatBuffer<Int>(capacity: 1 << 12)
    let rowLength = FlatBuffer<Int32>(capacity: 1 << 12)
    let flags = FlatBuffer<UInt8>(capacity: 1 << 12)
    let columns = FlatBuffer<Int32>(capacity: 1 << 14)
    let values = FlatBuffer<Double>(capacity: 1 << 14)
    var initialStates: [Int] = []
    var expandedCount = 0
    /// Whether `columns` and `values` were freed (`releaseTransitions`): the graph is final then.
    private(set) var transitionsReleased = false
    private var releasedTransitionCount = 0
    /// Whether the flags were freed too (`takeRows`): every state is expanded; `isExpanded` and
    /// `isDeadlock` may not be asked any more (the matrix's owner has the deadlocks).
    private(set) var isFinal = false

    init(wordCount: Int) {
        store = StateStore(wordCount: wordCount)
    }

    var stateCount: Int { store.count }
    /// Transitions of expanded states, counted as Storm counts matrix entries.
    var transitionCount: Int { transitionsReleased ? releasedTransitionCount : columns.count }

    /// Frees the transitions once a complete CTMC holds its own copy of them: on the largest models
    /// they are a third of the memory, and the numerics that follow would otherwise run next to
    /// both copies. The rows' positions and pi go too (only exploration reads them: 20 bytes a
    /// state). Nothing may expand or read rows afterwards.
    func releaseTransitions() {
        releasedTransitionCount = columns.count
        transitionsReleased = true
        columns.release()
        values.release()
        pi.release()
        rowStart.release()
        rowLength.release()
    }

    /// The transitions as compressed sparse rows (`rowStart` with `stateCount + 2` entries: one more
    /// empty row for the truncated CTMC's sink), when every state is expanded and the rows lie in
    /// index order, as a complete exploration from scratch leaves them: they are already the
    /// matrix, so they are moved (`FlatBuffer.drain`) instead of copied, and the graph never holds
    /// them next to their copy. The graph is final afterwards, as after `releaseTransitions`.
    /// Nil (and nothing changed) when the rows are not in that shape.
    /// The flags go too: every state is expanded then, and the deadlocks are returned as a list.
    func takeRows() -> (rowStart: [Int], columns: [Int32], values: [Double], deadlocks: [Int32])? {
        let n = stateCount
        guard !transitionsReleased, expandedCount == n else { return nil }
        var next = 0
        for state in 0..<n {
            guard rowStart[state] == next else { return nil }
            next += Int(rowLength[state])
        }
        guard next == columns.count, next == values.count else { return nil }
        let starts = [Int](unsafeUninitializedCapacity: n + 2) { buffer, initialized in
            for state in 0..<n { buffer[state] = rowStart[state] }
            buffer[n] = next
            buffer[n + 1] = next
            initialized = n + 2
        }
        var deadlocks: [Int32] = []
        for state in 0..<n where isDeadlock(state) { deadlocks.append(Int32(state)) }
        // Per-state data first, so that the transitions move with as little else resident as can be.
        flags.release()
        isFinal = true
        pi.release()
        rowStart.release()
        rowLength.release()
        releasedTransitionCount = next
        transitionsReleased = true
        return (starts, columns.drain(), values.drain(), deadlocks)
    }

    @inline(__always)
    func isExpanded(_ state: Int) -> Bool { flags[state] & Self.expandedFlag != 0 }

    @inline(__always)
    func isDeadlock(_ state: Int) -> Bool { flags[state] & Self.deadlockFlag != 0 }

    func isInitial(_ state: Int) -> Bool {
        isFinal ? initialStates.contains(state) : flags[state] & Self.initialFlag != 0
    }

    /// Registers per-state data for a state the store just numbered.
    @inline(__always)
    func appendStateData() {
        pi.append(0)
        rowStart.append(-1)
        rowLength.append(0)
        flags.append(0)
    }

    var allocatedBytes: Int {
        store.allocatedBytes + pi.allocatedBytes + rowStart.allocatedBytes + rowLength.allocatedBytes
            + flags.allocatedBytes + columns.allocatedBytes + values.allocatedBytes
    }
}
