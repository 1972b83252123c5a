import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A JSON value rendered by hand, members in the order given: the one JSON writer of the server and of
/// `stamina check --json` (whose key order is part of the engine/server contract). The job resource
/// is on the server's hottest path (clients poll it) and JSONSerialization plus ISO 8601 formatting
/// cost ten times the rest of the request there. Non-finite numbers are written as null.
/// Rendering writes UTF-8 bytes: appending to a `String` scalar by scalar was a quarter of the
/// server's CPU time under polling load.
public enum JSONText: Sendable {
    // Not `indirect`: arrays already store their elements out of line, and a box per value would be
    // one more allocation for every member of every document.
    case string(String)
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    public static func optional(_ text: String?) -> JSONText { text.map(JSONText.string) ?? .null }
    public static func optional(_ value: Double?) -> JSONText { value.map(JSONText.number) ?? .null }
    public static func optional(_ value: Int?) -> JSONText { value.map(JSONText.integer) ?? .null }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-29T17:45:00.123Z`.
    public static func time(_ date: Date?) -> JSONText {
        guard let date else { return .null }
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let milliseconds = min(999, Int(((seconds - Double(whole)) * 1000).rounded(.down)))
        var parts = tm()
        gmtime_r(&whole, &parts)
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func append(_ value: Int, width: Int, then separator: Unicode.Scalar) {
            let start = text.count
            var rest = max(0, value)
            repeat {
                text.insert(UInt8(ascii: "0") + UInt8(rest % 10), at: start)
                rest /= 10
            } while rest > 0
            while text.count - start < width { text.insert(UInt8(ascii: "0"), at: start) }
            text.append(UInt8(ascii: separator))
        }
        append(Int(parts.tm_year) + 1900, width: 4, then: "-")
        append(Int(parts.tm_mon) + 1, width: 2, then: "-")
        append(Int(parts.tm_mday), width: 2, then: "T")
        append(Int(parts.tm_hour), width: 2, then: ":")
        append(Int(parts.tm_min), width: 2, then: ":")
        append(Int(parts.tm_sec), width: 2, then: ".")
        append(milliseconds, width: 3, then: "Z")
        return .string(String(decoding: text, as: UTF8.self))
    }

    public var rendered: String { String(decoding: bytes, as: UTF8.self) }

    /// The UTF-8 text of the value.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        render(into: &output)
        return output
    }

    public func render(into output: inout [UInt8]) {
        switch self {
        case .string(let text): Self.quote(text, into: &output)
        case .number(let value): output.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
        case .integer(let value): output.append(contentsOf: String(value).utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: output.append(contentsOf: "null".utf8)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.render(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.quote(member.0, into: &output)
                output.append(UInt8(ascii: ":"))
                member.1.render(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Copies runs of bytes that need no escape in one go; UTF-8 multi-byte sequences never contain
    /// bytes below 0x80, so they pass through unchanged.
    private static func quote(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                output.append(contentsOf: bytes[runStart..<index])
                appendEscape(of: byte, to: &output)
                runStart = index + 1
            }
            output.append(contentsOf: bytes[runStart...])
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(of byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case 0x22: output.append(contentsOf: #"\""#.utf8)
        case 0x5C: output.append(contentsOf: #"\\"#.utf8)
        case 0x0A: output.append(contentsOf: #"\n"#.utf8)
        case 0x0D: output.append(contentsOf: #"\r"#.utf8)
        case 0x09: output.append(contentsOf: #"\t"#.utf8)
        default:
            // Only control characters get here, so the high digit is 0 or 1.
            output.append(contentsOf: #"\u00"#.utf8)
            output.append(UInt8(ascii: "0") + (byte >> 4))
            let low = byte & 15
            output.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
        }
    }
}
