// Encodable values as `JSONText`, members in the order `encode(to:)` writes them: how the engine
// contract's Codable documents (`stamina check --json`, `--events`) go through the one JSON writer,
// with its number text and null for non-finite numbers, instead of a second writer (JSONEncoder
// orders and formats differently).

/// Encodes any `Encodable` into a `JSONText` tree.
public struct JSONTextEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONText {
        let box = Box()
        try value.encode(to: TreeEncoder(box: box, codingPath: []))
        return box.json
    }
}

/// A node being written; a reference so that containers handed out earlier can still add to it.
private final class Box {
    enum Content {
        case empty
        case value(JSONText)
        case object([(String, Box)])
        case array([Box])
    }

    var content = Content.empty

    var json: JSONText {
        switch content {
        case .empty: .null
        case .value(let value): value
        case .object(let members): .object(members.map { ($0.0, $0.1.json) })
        case .array(let items): .array(items.map(\.json))
        }
    }

    /// The member `key`, created (in order) on first use; a repeated key is overwritten in place.
    func member(_ key: String) -> Box {
        if case .object(var members) = content {
            if let existing = members.first(where: { $0.0 == key }) { return existing.1 }
            let box = Box()
            members.append((key, box))
            content = .object(members)
            return box
        }
        let box = Box()
        content = .object([(key, box)])
        return box
    }

    func appendItem() -> Box {
        let box = Box()
        if case .array(var items) = content {
            items.append(box)
            content = .array(items)
        } else {
            content = .array([box])
        }
        return box
    }

    func becomeObject() { if case .object = content {} else { content = .object([]) } }
    func becomeArray() { if case .array = content {} else { content = .array([]) } }
}

private struct TreeEncoder: Encoder {
    let box: Box
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.becomeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.becomeArray()
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(box: box, codingPath: codingPath)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let box: Box
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { box.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { box.content = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { box.content = .value(.number(value)) }
    mutating func encode(_ value: Float) throws { box.content = .value(.number(Double(value))) }
    mutating func encode(_ value: Int) throws { box.content = .value(.integer(value)) }
    mutating func encode(_ value: Int8) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: Int16) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: Int32) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: Int64) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: UInt) throws { try encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: UInt16) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: UInt32) throws { box.content = .value(.integer(Int(value))) }
    mutating func encode(_ value: UInt64) throws { try encodeUnsigned(value) }

    private mutating func encodeUnsigned(_ value: UInt64) throws {
        guard let integer = Int(exactly: value) else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(value) is beyond Int.max"))
        }
        box.content = .value(.integer(integer))
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: TreeEncoder(box: box, codingPath: codingPath))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: Box
    var codingPath: [any CodingKey]

    private func child(_ key: Key) -> TreeEncoder {
        TreeEncoder(box: box.member(key.stringValue), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { box.member(key.stringValue).content = .value(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: String, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try value.encode(to: child(key)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        child(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(box: box.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: Box
    var codingPath: [any CodingKey]
    var count: Int { if case .array(let items) = box.content { items.count } else { 0 } }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { String(intValue ?? 0) }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private func next() -> TreeEncoder {
        let path = codingPath + [Index(count)]
        return TreeEncoder(box: box.appendItem(), codingPath: path)
    }

    mutating func encodeNil() throws { next().box.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { next() }
}

extension JSONText {
    /// The same value with every object's members sorted by key (the server's stored documents).
    public var sortingKeys: JSONText {
        switch self {
        case .array(let items): .array(items.map(\.sortingKeys))
        case .object(let members): .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.sortingKeys) })
        default: self
        }
    }
}
