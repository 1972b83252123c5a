// Numbers packed states: an open-addressing hash table (linear probing) from a packed state to
// its index, over one contiguous array of words. No per-state objects; a state's index is its
// discovery order, so a breadth-first search needs no queue.
//
// Each slot keeps a 64-bit key next to the index so that a probe costs one cache miss: for
// one-word states the key is the state itself (no second lookup at all); for longer states it is
// the state's full hash, and the words are compared only when the hashes agree.
//
// Once a model is complete (exact mode) nothing is looked up any more: `releaseIndex` frees the
// table, which is 16 bytes a slot at a load of at most 0.7 (23 to 46 bytes a state, more than
// the packed states themselves), before the numerics run next to it; and `narrow` packs one-word
// states into the bits their fields take (21 instead of 64 for the tandem queue), read through
// `withState` from then on.

final class StateStore {
    struct Slot {
        var key: UInt64
        /// State index + 1; 0 marks an empty slot.
        var index: UInt32
    }

    let wordCount: Int
    let words: FlatBuffer<UInt64>
    private(set) var slots: UnsafeMutablePointer<Slot>
    private var slotMask: Int
    private var slotShift: UInt64
    private var growthThreshold: Int
    private(set) var count: Int = 0
    /// Whether the hash table was freed (`releaseIndex`): states can be read, not looked up.
    private(set) var indexReleased = false
    /// Bits a state takes once `narrow`ed; 0 while every state is `wordCount` whole words.
    private(set) var narrowBits = 0
    private var narrowMask: UInt64 = 0
    /// Indices must fit an Int32 column of the sparse matrix, with room for the sink state.
    static let maximumStates = Int(Int32.max) - 2

    init(wordCount: Int, expectedStates: Int = 1 << 16) {
        self.wordCount = wordCount
        words = FlatBuffer(capacity: expectedStates * wordCount)
        var bits = 4
        while (1 << bits) < expectedStates * 2 { bits += 1 }
        slots = .allocate(capacity: 1 << bits)
        slots.initialize(repeating: Slot(key: 0, index: 0), count: 1 << bits)
        slotMask = (1 << bits) - 1
        slotShift = UInt64(64 - bits)
        growthThreshold = (1 << bits) / 10 * 7
    }

    deinit { slots.deallocate() }

    /// The words of state `index`, in place: only while the store is not narrowed (exploration).
    @inline(__always)
    func state(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        precondition(narrowBits == 0, "a narrowed store is read through withState")
        return words.base + index * wordCount
    }

    /// Calls `body` with the words of state `index`: in place, or decoded into a local word once
    /// the store is narrowed (so calls may nest).
    @inline(__always)
    func withState<Result, Failure: Error>(
        _ index: Int, _ body: (UnsafePointer<UInt64>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard narrowBits > 0 else { return try body(words.base + index * wordCount) }
        var word = narrowState(index)
        return try withUnsafePointer(to: &word) { (pointer) throws(Failure) -> Result in try body(pointer) }
    }

    @inline(__always)
    private func narrowState(_ index: Int) -> UInt64 {
        let bit = index * narrowBits
        let word = bit >> 6
        let shift = bit & 63
        var value = words.base[word] >> UInt64(shift)
        if shift + narrowBits > 64 { value |= words.base[word + 1] << UInt64(64 - shift) }
        return value & narrowMask
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var h = value &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return h &* 0xBF58_476D_1CE4_E5B9
    }

    /// The full 64-bit hash of a state (its slot is the top bits).
    @inline(__always)
    func hash(_ state: UnsafePointer<UInt64>) -> UInt64 {
        if wordCount == 1 { return Self.mix(state[0]) }
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for i in 0..<wordCount { h = Self.mix(h ^ state[i]) }
        return h
    }

    @inline(__always)
    func equal(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>) -> Bool {
        for i in 0..<wordCount where a[i] != b[i] { return false }
        return true
    }

    /// Touches the first slot `state` hashes to. Calling this for all successors before looking
    /// them up lets their cache misses overlap instead of happening one after the other.
    @inline(__always)
    func touch(_ state: UnsafePointer<UInt64>) -> UInt32 {
        slots[Int(truncatingIfNeeded: hash(state) >> slotShift)].index
    }

    /// The index of `state`, or -1.
    func find(_ state: UnsafePointer<UInt64>) -> Int {
        precondition(!indexReleased, "a state was looked up after the store's index was released")
        let h = hash(state)
        let key = wordCount == 1 ? state[0] : h
        var slot = Int(truncatingIfNeeded: h >> slotShift)
        while true {
            let entry = slots[slot]
            if entry.index == 0 { return -1 }
            if entry.key == key {
                let index = Int(entry.index) - 1
                if wordCount == 1 || equal(self.state(index), state) { return index }
            }
            slot = (slot + 1) & slotMask
        }
    }

    /// The index of `state`, inserting it (as the next index) when it is new.
    @inline(__always)
    func findOrInsert(_ state: UnsafePointer<UInt64>) -> (index: Int, isNew: Bool) {
        precondition(!indexReleased, "a state was added after the store's index was released")
        let h = hash(state)
        let key = wordCount == 1 ? state[0] : h
        var slot = Int(truncatingIfNeeded: h >> slotShift)
        while true {
            let entry = slots[slot]
            if entry.index == 0 { break }
            if entry.key == key {
                let index = Int(entry.index) - 1
                if wordCount == 1 || equal(self.state(index), state) { return (index, false) }
            }
            slot = (slot + 1) & slotMask
        }
        let index = count
        let destination = words.reserveTail(wordCount)
        destination.update(from: state, count: wordCount)
        words.count += wordCount
        count += 1
        slots[slot] = Slot(key: key, index: UInt32(truncatingIfNeeded: index + 1))
        if count > growthThreshold { growTable() }
        return (index, true)
    }

    private func growTable() {
        let oldSlots = slots
        let oldSize = slotMask + 1
        let newSize = oldSize * 2
        slots = .allocate(capacity: newSize)
        slots.initialize(repeating: Slot(key: 0, index: 0), count: newSize)
        slotMask = newSize - 1
        slotShift -= 1
        growthThreshold = newSize / 10 * 7
        for old in 0..<oldSize where oldSlots[old].index != 0 {
            let entry = oldSlots[old]
            let h = wordCount == 1 ? Self.mix(entry.key) : entry.key
            var slot = Int(truncatingIfNeeded: h >> slotShift)
            while slots[slot].index != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = entry
        }
        oldSlots.deallocate()
    }

    /// Frees the hash table; the states stay readable by index (`state`), and `find` and
    /// `findOrInsert` may not be called any more.
    func releaseIndex() {
        guard !indexReleased else { return }
        indexReleased = true
        slots.deallocate()
        slots = .allocate(capacity: 1)
        slots.initialize(to: Slot(key: 0, index: 0))
        slotMask = 0
        slotShift = 64  // every hash then points at the one slot left
        growthThreshold = 0
    }

    /// Packs one-word states into `bits` bits each, in place (each word is read before the packed
    /// output reaches it), and gives the rest back. Only after `releaseIndex`; states are then
    /// read through `withState`.
    func narrow(toBits bits: Int) {
        precondition(indexReleased, "states are narrowed only once nothing is looked up any more")
        guard wordCount == 1, bits > 0, bits < 64, narrowBits == 0 else { return }
        let base = words.base
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        var written = 0
        var pending: UInt64 = 0
        var filled = 0
        for index in 0..<count {
            let value = base[index] & mask
            pending |= value << UInt64(filled)
            if filled + bits >= 64 {
                base[written] = pending
                written += 1
                let fitted = 64 - filled
                pending = value >> UInt64(fitted)
                filled = filled + bits - 64
            } else {
                filled += bits
            }
        }
        if filled > 0 {
            base[written] = pending
            written += 1
        }
        words.count = written
        words.shrinkToFit()
        narrowBits = bits
        narrowMask = mask
    }

    var allocatedBytes: Int { words.allocatedBytes + (slotMask + 1) * MemoryLayout<Slot>.stride }
}
