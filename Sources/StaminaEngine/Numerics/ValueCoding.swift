/// Few distinct doubles stored as 16-bit codes into a table. Models have few distinct rates, so
/// the uniformised probabilities repeat; coding them cuts the bytes the hot loop streams from
/// memory per transition from 12 to 6, and the loop is bound by memory bandwidth.
struct ValueCoding {
    var table: [Double]
    var codes: [UInt16]

    /// Codes for `values`, or nil if they hold more than 65536 distinct bit patterns.
    init?(_ values: [Double]) {
        // Open addressing on the bit patterns; 2^17 slots keep the load at most one half.
        let slotCount = 1 << 17
        var keys = [UInt64](repeating: 0, count: slotCount)
        var slotCodes = [Int32](repeating: -1, count: slotCount)
        var table: [Double] = []
        var codes = [UInt16](repeating: 0, count: values.count)
        var lastBits: UInt64 = 0
        var lastCode: UInt16 = 0
        var haveLast = false
        for (index, value) in values.enumerated() {
            let bits = value.bitPattern
            if haveLast && bits == lastBits {
                codes[index] = lastCode
                continue
            }
            var slot = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 47)
            while slotCodes[slot] >= 0 && keys[slot] != bits { slot = (slot + 1) & (slotCount - 1) }
            if slotCodes[slot] < 0 {
                guard table.count < 65536 else { return nil }
                keys[slot] = bits
                slotCodes[slot] = Int32(table.count)
                table.append(value)
            }
            let code = UInt16(truncatingIfNeeded: slotCodes[slot])
            codes[index] = code
            lastBits = bits
            lastCode = code
            haveLast = true
        }
        self.table = table.isEmpty ? [0] : table
        self.codes = codes
    }
}
