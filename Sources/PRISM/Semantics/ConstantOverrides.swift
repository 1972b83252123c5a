// Values for constants given outside the model: `--const N=10,lambda=0.5,flag=true` on the command
// line, or a `[String: String]` map from the server API.

public struct ConstantOverrides: Sendable {
    struct Entry: Sendable {
        var name: String
        var text: String
        /// Byte offset of the name in `source` (0 when built from a map).
        var offset: Int
    }

    var entries: [Entry]
    /// The `--const` text, for diagnostics; empty when built from a map.
    var source: String

    public static let none = ConstantOverrides([:])

    /// Parses `N=10,lambda=0.5,flag=true`.
    public init(parsing text: String) throws(Diagnostics) {
        source = text
        entries = []
        var problems: [Diagnostic] = []
        let file = SourceFile(SourceText(name: "--const", text: text))
        var offset = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let partOffset = offset
            offset += part.utf8.count + 1
            let trimmed = part.trimmingWhitespace
            if trimmed.isEmpty {
                if text.isEmpty { break }
                problems.append(file.diagnostic(at: partOffset, "expected NAME=VALUE in --const, found nothing"))
                continue
            }
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let leading = part.utf8.count - part.drop(while: { $0 == " " }).utf8.count
            guard pieces.count == 2 else {
                problems.append(
                    file.diagnostic(at: partOffset + leading, "expected NAME=VALUE in --const, found '\(trimmed)'"))
                continue
            }
            let name = pieces[0].trimmingWhitespace
            let value = pieces[1].trimmingWhitespace
            if !ConstantOverrides.isIdentifier(name) {
                let message = name.isEmpty ? "missing constant name before '='" : "'\(name)' is not a constant name"
                problems.append(file.diagnostic(at: partOffset + leading, message))
                continue
            }
            if value.isEmpty {
                problems.append(
                    file.diagnostic(at: partOffset + pieces[0].utf8.count + 1, "missing value for constant '\(name)'"))
                continue
            }
            if entries.contains(where: { $0.name == name }) {
                problems.append(file.diagnostic(at: partOffset + leading, "constant '\(name)' is set twice"))
                continue
            }
            entries.append(Entry(name: name, text: value, offset: partOffset + leading))
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    /// From a name-to-value map (the server API); values are checked against the constants' types
    /// when the model is checked.
    public init(_ values: [String: String]) {
        source = ""
        entries = values.keys.sorted().map { Entry(name: $0, text: values[$0] ?? "", offset: 0) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The names and value texts, in the order given.
    public var values: [(name: String, value: String)] { entries.map { ($0.name, $0.text) } }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first,
            first == UInt8(ascii: "_") || (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A
        else { return false }
        return text.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
                || (byte >= 0x30 && byte <= 0x39)
        }
    }

    /// Reads a value for a constant of the given type, or says why it cannot.
    static func parseValue(_ text: String, as type: ValueType) -> Result<Value, FoldingError> {
        switch type {
        case .bool:
            switch text {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return .failure(FoldingError("expected true or false"))
            }
        case .int:
            if let value = Int64(text) { return .success(.int(value)) }
            if Double(text) != nil { return .failure(FoldingError("expected an integer, found the number \(text)")) }
            return .failure(FoldingError("expected an integer"))
        case .double:
            if let value = Double(text), value.isFinite { return .success(.double(value)) }
            return .failure(FoldingError("expected a number"))
        }
    }
}

extension Substring {
    var trimmingWhitespace: String {
        String(
            self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
        )
    }
}
