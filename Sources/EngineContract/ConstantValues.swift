// Constants' values by name, in the order the model (or the `--const` ranges) gives them: a JSON
// object whose member order is kept when written. Read back, members come sorted by name (a
// decoder does not keep order).

/// A constant's value: PRISM's int, double or bool; text for anything else.
public enum ConstantValue: Codable, Sendable, Equatable {
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case string(String)

    /// The value a `--const` text reads as: an integer, a number, a boolean, else the text.
    public init(text: String) {
        if let integer = Int(text) {
            self = .integer(integer)
        } else if let number = Double(text) {
            self = .number(number)
        } else if text == "true" || text == "false" {
            self = .bool(text == "true")
        } else {
            self = .string(text)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? c.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try c.encode(value)
        case .number(let value): try c.encode(value)
        case .bool(let value): try c.encode(value)
        case .string(let value): try c.encode(value)
        }
    }

    /// The value as a number (integers too), for reading results.
    public var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

public struct ConstantValues: Codable, Sendable, Equatable {
    public var members: [(name: String, value: ConstantValue)]

    public init(_ members: [(name: String, value: ConstantValue)] = []) {
        self.members = members
    }

    public subscript(name: String) -> ConstantValue? {
        members.first { $0.name == name }?.value
    }

    public static func == (a: ConstantValues, b: ConstantValues) -> Bool {
        a.members.map(\.name) == b.members.map(\.name) && a.members.map(\.value) == b.members.map(\.value)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        members = try c.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
            ($0.stringValue, try c.decode(ConstantValue.self, forKey: $0))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (name, value) in members { try c.encode(value, forKey: Key(stringValue: name)) }
    }
}
