/// Few distinct doubles stored as 16-bit codes into a table. Models have few distinct rates, so
/// the uniformised probabilities repeat; coding them cuts the bytes the hot loop streams from
/// memory per transition from 12 to 6, and the loop is bound by memory bandwidth.
struct ValueCoding {
    var table: [Double]
    var codes: [UInt16]

    init(table: [Double], codes: [UInt16]) {
        self.table = table.isEmpty ? [0] : table
        self.codes = codes
    }

    /// Codes for `values`, or nil if they hold more than 65536 distinct bit patterns.
    init?(_ values: [Double]) {
        var coder = ValueCoder()
        var codes = [UInt16](repeating: 0, count: values.count)
        for (index, value) in values.enumerated() {
            guard let code = coder.code(value) else { return nil }
            codes[index] = code
        }
        self.init(table: coder.table, codes: codes)
    }

    /// The value of entry `index`.
    @inline(__always)
    func value(_ index: Int) -> Double { table[Int(codes[index])] }
}

/// Hands out 16-bit codes for doubles one at a time, so that a caller can code values as it
/// produces them instead of holding them all as doubles first.
struct ValueCoder {
    // Open addressing on the bit patterns; 2^17 slots keep the load at most one half.
    private static let slotCount = 1 << 17
    private var keys = [UInt64](repeating: 0, count: slotCount)
    private var slotCodes = [Int32](repeating: -1, count: slotCount)
    private(set) var table: [Double] = []
    private var lastBits: UInt64 = 0
    private var lastCode: UInt16 = 0
    private var haveLast = false

    /// The code of `value`, or nil once more than 65536 distinct bit patterns were seen.
    mutating func code(_ value: Double) -> UInt16? {
        let bits = value.bitPattern
        if haveLast && bits == lastBits { return lastCode }
        var slot = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 47)
        while slotCodes[slot] >= 0 && keys[slot] != bits { slot = (slot + 1) & (Self.slotCount - 1) }
        if slotCodes[slot] < 0 {
            guard table.count < 65536 else { return nil }
            keys[slot] = bits
            slotCodes[slot] = Int32(table.count)
            table.append(value)
        }
        let code = UInt16(truncatingIfNeeded: slotCodes[slot])
        lastBits = bits
        lastCode = code
        haveLast = true
        return code
    }
}
