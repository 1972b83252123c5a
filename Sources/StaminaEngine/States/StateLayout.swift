// How a valuation of the model's variables is packed into a fixed number of 64-bit words.
//
// A bounded variable takes `bitWidth` bits holding `value - lowerBound`; a bool one bit; an
// unbounded int a 32-bit two's-complement field (values outside Int32 are reported as overflow,
// never wrapped). Fields never straddle words, so reading one is a shift and a mask.

import PRISM

public struct StateLayout: Sendable {

    struct Field: Sendable {
        var word: Int
        var shift: UInt64
        var mask: UInt64
        var lower: Int64
        var upper: Int64
        var isSigned: Bool
    }

    /// Width of an unbounded integer's field.
    public static let unboundedBits = 32

    let fields: [Field]
    public let wordCount: Int
    /// When a state is one word: how many of its low bits hold fields (the store packs states that
    /// tightly once a model is complete, `StateStore.narrow`); nil for longer states.
    public let oneWordBits: Int?
    public let variables: [Variable]

    public init(variables: [Variable]) {
        self.variables = variables
        var fields: [Field] = []
        var word = 0
        var used = 0
        for variable in variables {
            let width: Int
            let lower: Int64
            let upper: Int64
            let signed: Bool
            if variable.type == .bool {
                (width, lower, upper, signed) = (1, 0, 1, false)
            } else if let lo = variable.lowerBound, let hi = variable.upperBound, let bits = variable.bitWidth {
                (width, lower, upper, signed) = (bits, lo, hi, false)
            } else {
                (width, lower, upper, signed) = (
                    Self.unboundedBits, Int64(Int32.min), Int64(Int32.max), true
                )
            }
            if used + width > 64 {
                word += 1
                used = 0
            }
            let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
            fields.append(
                Field(word: word, shift: UInt64(used), mask: mask, lower: lower, upper: upper, isSigned: signed))
            used += width
        }
        self.fields = fields
        wordCount = variables.isEmpty ? 1 : word + 1
        oneWordBits = wordCount == 1 ? fields.map { Int($0.shift) + $0.mask.nonzeroBitCount }.max() ?? 0 : nil
    }

    /// Reads variable `slot` from a packed state.
    @inline(__always)
    public func value(_ slot: Int, in words: UnsafePointer<UInt64>) -> Int64 {
        let field = fields[slot]
        let raw = (words[field.word] >> field.shift) & field.mask
        if field.isSigned { return Int64(Int32(truncatingIfNeeded: raw)) }
        return Int64(bitPattern: raw &+ UInt64(bitPattern: field.lower))
    }

    /// Writes `value` into variable `slot`; false (and nothing written) when it is out of range.
    @inline(__always)
    public func store(_ value: Int64, _ slot: Int, in words: UnsafeMutablePointer<UInt64>) -> Bool {
        let field = fields[slot]
        guard value >= field.lower && value <= field.upper else { return false }
        let raw =
            field.isSigned
            ? UInt64(bitPattern: value) & field.mask : UInt64(bitPattern: value &- field.lower) & field.mask
        words[field.word] = (words[field.word] & ~(field.mask << field.shift)) | (raw << field.shift)
        return true
    }

    /// Copies every variable of a packed state into registers `0..<variables.count`.
    @inline(__always)
    public func unpack(_ words: UnsafePointer<UInt64>, into registers: UnsafeMutablePointer<UInt64>) {
        fields.withUnsafeBufferPointer { fields in
            for slot in 0..<fields.count {
                let field = fields[slot]
                let raw = (words[field.word] >> field.shift) & field.mask
                registers[slot] =
                    field.isSigned
                    ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: raw)))
                    : raw &+ UInt64(bitPattern: field.lower)
            }
        }
    }

    /// The declared range of `slot` as text, for error messages.
    public func rangeDescription(_ slot: Int) -> String {
        let field = fields[slot]
        return field.isSigned ? "the 32-bit range of an unbounded int" : "[\(field.lower)..\(field.upper)]"
    }

    public func isUnbounded(_ slot: Int) -> Bool { fields[slot].isSigned }

    /// `x=3, y=true` for a packed state.
    public func describe(_ words: UnsafePointer<UInt64>) -> String {
        variables.indices.map { slot in
            let v = value(slot, in: words)
            let text = variables[slot].type == .bool ? (v != 0 ? "true" : "false") : String(v)
            return "\(variables[slot].name)=\(text)"
        }.joined(separator: ", ")
    }

    public func describe(_ words: [UInt64]) -> String {
        words.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { describe($0) } ?? "" }
    }
}
