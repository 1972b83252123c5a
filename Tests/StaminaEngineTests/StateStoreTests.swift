// The state store and the buffers exact mode hands to the numerics: packed states round-trip at
// the edges of their ranges, every state keeps its discovery index, the hash index can be freed
// with the states still readable, and the explored rows moved into the matrix (no copy) are the
// same matrix as the copy would be.

import PRISM
import Testing
@testable import StaminaEngine

@Suite struct StateStoreTests {
    static let here = SourceLocation(file: "test", line: 1, column: 1)

    static func variable(_ name: String, _ lower: Int64?, _ upper: Int64?, bool: Bool = false) -> Variable {
        Variable(
            name: name, type: bool ? .bool : .int, lowerBound: lower, upperBound: upper, initial: nil, module: nil,
            location: here)
    }

    /// A value of `[lower, upper]`, at or next to an edge half the time.
    static func edgeBiased(_ lower: Int64, _ upper: Int64, _ random: inout SplitMix) -> Int64 {
        switch random.next() % 6 {
        case 0: return lower
        case 1: return upper
        case 2: return min(upper, lower + 1)
        case 3: return max(lower, upper - 1)
        default:
            let span = UInt64(bitPattern: upper &- lower) &+ 1
            return span == 0 ? Int64(bitPattern: random.next()) : lower &+ Int64(bitPattern: random.next() % span)
        }
    }

    /// Inserts `count` random valuations, then checks indices, look-ups and read-back values, before
    /// and after the hash index is freed.
    static func roundTrip(_ variables: [Variable], count: Int, seed: UInt64) {
        let layout = StateLayout(variables: variables)
        let store = StateStore(wordCount: layout.wordCount, expectedStates: 16)
        var random = SplitMix(seed)
        var valuations: [[Int64]] = []
        var indexOf: [[Int64]: Int] = [:]
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: layout.wordCount)
        words.initialize(repeating: 0, count: layout.wordCount)
        defer { words.deallocate() }
        for _ in 0..<count {
            var values: [Int64] = []
            for slot in variables.indices {
                let variable = variables[slot]
                let lower = variable.type == .bool ? 0 : variable.lowerBound ?? Int64(Int32.min)
                let upper = variable.type == .bool ? 1 : variable.upperBound ?? Int64(Int32.max)
                let value = edgeBiased(lower, upper, &random)
                #expect(layout.store(value, slot, in: words))
                values.append(value)
            }
            let (index, isNew) = store.findOrInsert(words)
            if let known = indexOf[values] {
                #expect(!isNew && index == known)
            } else {
                #expect(isNew && index == valuations.count)
                indexOf[values] = index
                valuations.append(values)
            }
        }
        #expect(store.count == valuations.count)
        for (index, values) in valuations.enumerated() {
            let state = store.state(index)
            #expect(variables.indices.map { layout.value($0, in: state) } == values)
            #expect(store.find(state) == index)
        }
        // Just past each edge is refused, never wrapped into the field.
        for slot in variables.indices where variables[slot].type != .bool {
            guard let lower = variables[slot].lowerBound, let upper = variables[slot].upperBound else { continue }
            #expect(!layout.store(upper &+ 1, slot, in: words))
            #expect(!layout.store(lower &- 1, slot, in: words))
        }
        let before = store.allocatedBytes
        store.releaseIndex()
        #expect(store.indexReleased)
        #expect(store.allocatedBytes < before)
        for (index, values) in valuations.enumerated() {
            #expect(variables.indices.map { layout.value($0, in: store.state(index)) } == values)
        }
        // One-word states are then packed into the bits their fields take, read through
        // `withState` (nested, as PRISM's state order compares two).
        guard let bits = layout.oneWordBits else { return }
        store.narrow(toBits: bits)
        #expect(store.narrowBits == bits)
        let packedWords = max((valuations.count * bits + 63) / 64, 16)
        #expect(store.allocatedBytes <= packedWords * 8 + MemoryLayout<StateStore.Slot>.stride)
        for (index, values) in valuations.enumerated() {
            let other = (index * 7919 + 1) % valuations.count
            let (read, otherRead) = store.withState(index) { state in
                store.withState(other) { otherState in
                    (
                        variables.indices.map { layout.value($0, in: state) },
                        variables.indices.map { layout.value($0, in: otherState) }
                    )
                }
            }
            #expect(read == values)
            #expect(otherRead == valuations[other])
        }
    }

    @Test func oneWordStatesRoundTripAtTheirEdges() {
        let variables = [
            Self.variable("b", 0, 1, bool: true), Self.variable("small", -3, 4), Self.variable("queue", 0, 805),
            Self.variable("wide", -1_000_000, 1_000_000),
        ]
        #expect(StateLayout(variables: variables).wordCount == 1)
        // 1 + 3 + 10 + 21 bits: states straddle the packed words.
        #expect(StateLayout(variables: variables).oneWordBits == 35)
        Self.roundTrip(variables, count: 60_000, seed: 1)
    }

    @Test func multiWordStatesRoundTripAtTheirEdges() {
        let variables = [
            Self.variable("unbounded", nil, nil), Self.variable("big", -(1 << 40), 1 << 40),
            Self.variable("b", 0, 1, bool: true), Self.variable("other", nil, nil), Self.variable("tiny", 7, 8),
            Self.variable("huge", Int64.min / 2, Int64.max / 2),
        ]
        #expect(StateLayout(variables: variables).wordCount > 2)
        Self.roundTrip(variables, count: 60_000, seed: 2)
    }

    @Test func drainingABufferGivesEveryElementAndEmptiesIt() {
        for count in [0, 1, 1023, 1 << 18, 3 * (1 << 20) + 17] {
            let buffer = FlatBuffer<Int32>()
            var random = SplitMix(UInt64(count))
            var expected: [Int32] = []
            expected.reserveCapacity(count)
            for _ in 0..<count {
                let value = Int32(truncatingIfNeeded: random.next())
                buffer.append(value)
                expected.append(value)
            }
            let drained = buffer.drain()
            #expect(drained == expected)
            #expect(buffer.count == 0)
            buffer.append(5)
            #expect(buffer[0] == 5)
        }
    }

    /// Exact mode moves the explored rows into the matrix; the copy `build` makes must be equal.
    @Test func movedRowsAreTheCopiedMatrix() throws {
        let model = """
            ctmc
            const int c = 40;
            module q
              a : [0..c] init 0;
              p : [1..2] init 1;
              d : [0..1] init 0;
              [] a < c & d = 0 -> 3 : (a' = a + 1);
              [] a > 0 & p = 1 & d = 0 -> 1 : (a' = a - 1);
              [] a > 0 & p = 1 & d = 0 -> 0.5 : (p' = 2);
              [] p = 2 & d = 0 -> 2 : (p' = 1) & (a' = max(a - 1, 0));
              [] a = c & d = 0 -> 1 : (d' = 1);
            endmodule
            """
        let program = try PRISMSource.program(
            model: SourceText(name: "q.prism", text: model),
            properties: SourceText(name: "q.csl", text: "P=? [ F<=1 a=c ]"))
        var settings = CheckSettings()
        settings.exact = true
        let copied = try CheckRun(model: program.model, properties: program.properties, settings: settings)
        try copied.explorer.exploreAll()
        let copy = try TruncatedCTMC.build(from: copied.explorer)
        let moved = try CheckRun(model: program.model, properties: program.properties, settings: settings)
        try moved.explorer.exploreAll()
        let transitions = moved.explorer.graph.transitionCount
        let taken = try #require(TruncatedCTMC.takeComplete(from: moved.explorer))
        #expect(taken.rates.rowStart == copy.rates.rowStart)
        #expect(taken.rates.columns == copy.rates.columns)
        #expect(taken.rates.values == copy.rates.values)
        #expect(taken.deadlockStates == copy.deadlockStates)
        #expect(taken.deadlock == copy.deadlock)
        #expect(!taken.deadlockStates.isEmpty)
        for state in 0..<taken.stateCount { #expect(taken.isDeadlock(state) == copy.deadlock[state]) }
        #expect(moved.explorer.graph.isFinal)
        #expect(moved.explorer.graph.isInitial(0) && !moved.explorer.graph.isInitial(1))
        #expect(taken.isComplete && copy.isComplete && taken.frontierCount == 0)
        #expect(moved.explorer.graph.transitionsReleased)
        #expect(moved.explorer.graph.transitionCount == transitions)
        // The run itself takes this path and still reports the copy's counts and values.
        let report = try CheckRun(model: program.model, properties: program.properties, settings: settings).run(
            observer: nil)
        #expect(report.states == copy.stateCount && report.transitions == copy.transitionCount)
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
