// The `--json` document of a run that failed (exit 1 or 2, section 3 of the contract):
// `{"error": {"kind", "code", "message", "diagnostics"}}`.

public struct CheckFailureDocument: Codable, Sendable, Equatable {
    /// Whose fault: the input's (exit 1) or the run's (exit 2).
    public enum Kind: String, Codable, Sendable {
        case input, engine

        public var exitCode: EngineExitCode { self == .input ? .inputError : .engineError }
    }

    /// A located problem in a model, properties or `--const` text.
    public struct Diagnostic: Codable, Sendable, Equatable {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String

        public init(file: String, line: Int, column: Int, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var kind: Kind
        /// `PARSE_ERROR`, `BAD_FLAG`, `FILE_NOT_FOUND`, `UNSUPPORTED_PROPERTY`, an `EngineError` code...
        public var code: String
        public var message: String
        public var diagnostics: [Diagnostic]

        public init(kind: Kind, code: String, message: String, diagnostics: [Diagnostic] = []) {
            self.kind = kind
            self.code = code
            self.message = message
            self.diagnostics = diagnostics
        }

        enum CodingKeys: String, CodingKey { case kind, code, message, diagnostics }

        /// `diagnostics` may be missing in what older engines wrote.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(Kind.self, forKey: .kind)
            code = try c.decode(String.self, forKey: .code)
            message = try c.decode(String.self, forKey: .message)
            diagnostics = try c.decodeIfPresent([Diagnostic].self, forKey: .diagnostics) ?? []
        }
    }

    public var error: Failure

    public init(error: Failure) { self.error = error }
}

/// What a run printed on stdout with `--json`: a result, a failure, or nothing usable (a crash, a
/// kill, a truncated write).
public enum EngineOutput: Sendable, Equatable {
    case result(CheckResult)
    case failure(CheckFailureDocument.Failure)
    case none

    public var result: CheckResult? { if case .result(let result) = self { result } else { nil } }
    public var failure: CheckFailureDocument.Failure? { if case .failure(let failure) = self { failure } else { nil } }
}
