// Numbers packed states: an open-addressing hash table (linear probing) from a packed state to
// its index, over one contiguous array of words. No per-state objects; a state's index is its
// discovery order, so a breadth-first search needs no queue.


final class StateStore {
    let wordCount: Int
    let words: FlatBuffer<UInt64>
    /// Slot -> state index + 1 (0 = empty).
    var table: UnsafeMutablePointer<UInt32>
    var tableMask: Int
    var tableShift: UInt64
    var count: Int = 0
    /// Indices must fit an Int32 column of the sparse matrix, with room for the sink state.
    static let maximumStates = Int(Int32.max) - 2

    init(wordCount: Int, expectedStates: Int = 1 << 16) {
        self.wordCount = wordCount
        words = FlatBuffer(capacity: expectedStates * wordCount)
        var bits = 4
        while (1 << bits) < expectedStates * 2 { bits += 1 }
        table = .allocate(capacity: 1 << bits)
        table.initialize(repeating: 0, count: 1 << bits)
        tableMask = (1 << bits) - 1
        tableShift = UInt64(64 - bits)
    }

    deinit { table.deallocate() }

    @inline(__always)
    func state(_ index: Int) -> UnsafeMutablePointer<UInt64> { words.base + index * wordCount }

    @inline(__always)
    func hash(_ state: UnsafePointer<UInt64>) -> Int {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for i in 0..<wordCount {
            h = (h ^ state[i]) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        h = h &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> tableShift)
    }

    @inline(__always)
    func equal(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>) -> Bool {
        if wordCount == 1 { return a[0] == b[0] }
        for i in 0..<wordCount where a[i] != b[i] { return false }
        return true
    }

    /// The index of `state`, or -1.
    
    func find(_ state: UnsafePointer<UInt64>) -> Int {
        var slot = hash(state)
        while true {
            let entry = table[slot]
            if entry == 0 { return -1 }
            let index = Int(entry) - 1
            if equal(self.state(index), state) { return index }
            slot = (slot + 1) & tableMask
        }
    }

    /// The index of `state`, inserting it (as the next index) when it is new.
    
    func findOrInsert(_ state: UnsafePointer<UInt64>) -> (index: Int, isNew: Bool) {
        var slot = hash(state)
        while true {
            let entry = table[slot]
            if entry == 0 { break }
            let index = Int(entry) - 1
            if equal(self.state(index), state) { return (index, false) }
            slot = (slot + 1) & tableMask
        }
        let index = count
        let destination = words.reserveTail(wordCount)
        destination.update(from: state, count: wordCount)
        words.count += wordCount
        count += 1
        table[slot] = UInt32(truncatingIfNeeded: index + 1)
        if count * 2 > tableMask { growTable() }
        return (index, true)
    }

    
    func growTable() {
        let newSize = (tableMask + 1) * 2
        table.deallocate()
        table = .allocate(capacity: newSize)
        table.initialize(repeating: 0, count: newSize)
        tableMask = newSize - 1
        tableShift -= 1
        for index in 0..<count {
            var slot = hash(state(index))
            while table[slot] != 0 { slot = (slot + 1) & tableMask }
            table[slot] = UInt32(truncatingIfNeeded: index + 1)
        }
    }

    var allocatedBytes: Int { words.allocatedBytes + (tableMask + 1) * 4 }
}
