// Located error messages, the only way the front end reports bad input.
//
// A diagnostic is built from a `SourceFile` and a byte offset so that the line, the column and the
// caret snippet are always consistent with the text the user wrote.

/// A named piece of PRISM text: a model file or a properties file.
public struct SourceText: Sendable {
    public var name: String
    public var text: String
    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// One located error.
public struct Diagnostic: Error, Sendable, CustomStringConvertible, Hashable {
    /// File, 1-based line and column.
    public var location: SourceLocation
    /// What is wrong or what was expected.
    public var message: String
    /// The source line and a caret line under the column.
    public var snippet: String

    public init(location: SourceLocation, message: String, snippet: String) {
        self.location = location
        self.message = message
        self.snippet = snippet
    }

    public var description: String {
        snippet.isEmpty
            ? "\(location): error: \(message)"
            : "\(location): error: \(message)\n\(snippet)"
    }
}

/// Every diagnostic found in one run, in source order per file.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic]) {
        self.items = items
    }

    public var description: String {
        items.map(\.description).joined(separator: "\n")
    }
}
