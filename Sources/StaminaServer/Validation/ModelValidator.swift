/// Checks a submission's model and properties synchronously, so a file that does not parse is
/// refused at submission (legacy 400, `/v1` 422) instead of becoming a job that fails later.
/// It throws only when it cannot say (too many checks already running), never for a bad model.
public protocol ModelValidator: Sendable {
    func validate(model: SourceFile, properties: SourceFile, constants: String) async throws(ValidationUnavailable)
        -> [ModelDiagnostic]
}

/// The check could not run now; the client may retry (503 with `Retry-After`).
public struct ValidationUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public struct SourceFile: Sendable {
    public var name: String
    public var text: String
}

/// One located problem: file, 1-based line and column, and what was expected.
public struct ModelDiagnostic: Sendable, Codable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The parser's full text (with the source line and caret), as shown to people.
    public var text: String

    public init(file: String, line: Int, column: Int, message: String, text: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.text = text ?? "\(file):\(line):\(column): error: \(message)"
    }
}
