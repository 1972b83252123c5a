// Hand-written recursive-descent parser: the token cursor, "expected ..." errors and recovery.
// The grammar itself lives in the extensions (model, system, expression, property files).

/// Thrown inside the parser to unwind to the nearest recovery point; always recorded as a
/// diagnostic there.
struct SyntaxError: Error {
    var offset: Int
    var message: String
}

struct Parser {
    let file: SourceFile
    let tokens: [Token]
    var index = 0
    var diagnostics: [Diagnostic] = []
    /// Nesting levels open (parentheses, arguments, unary and `? :` chains), bounded by
    /// `FrontEndLimits.maximumNesting` so that the recursion cannot exhaust the stack.
    var depth = 0
    /// Expression nodes built so far, bounded by `FrontEndLimits.maximumNodes`.
    var nodeCount = 0

    init(file: SourceFile) {
        self.file = file
        self.tokens = Lexer.tokenize(file.bytes)
    }

    var current: Token { tokens[index] }
    var kind: TokenKind { tokens[index].kind }

    func peekKind(_ ahead: Int) -> TokenKind {
        let position = index + ahead
        return position < tokens.count ? tokens[position].kind : .endOfFile
    }

    /// The end offset of the last consumed token.
    var previousEnd: Int { index > 0 ? tokens[index - 1].end : 0 }

    func text(_ token: Token) -> String {
        file.text(from: token.start, to: token.end)
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if token.kind != .endOfFile { index += 1 }
        return token
    }

    mutating func accept(_ kind: TokenKind) -> Bool {
        guard self.kind == kind else { return false }
        advance()
        return true
    }

    func describeCurrent() -> String {
        switch kind {
        case .endOfFile: "end of file"
        case .invalid:
            current.end > current.start && file.bytes[current.start] == UInt8(ascii: "\"")
                ? "an unterminated string" : "'\(text(current))'"
        case .string: "\(text(current))"
        default: "'\(text(current))'"
        }
    }

    func unexpected(_ expected: String) -> SyntaxError {
        SyntaxError(offset: current.start, message: "expected \(expected), found \(describeCurrent())")
    }

    @discardableResult
    mutating func expect(_ kind: TokenKind, _ context: String = "") throws(SyntaxError) -> Token {
        guard self.kind != kind else { return advance() }
        let expected = kind.display + (context.isEmpty ? "" : " \(context)")
        // Something missing at the end of a line is reported there, where it belongs. A missing
        // `;` is then taken as written, so the next line still parses and its errors are found.
        if index > 0, file.location(of: current.start).line > file.location(of: previousEnd).line {
            let error = SyntaxError(
                offset: previousEnd, message: "expected \(expected), found \(describeCurrent()) on the next line")
            guard kind == .semicolon else { throw error }
            record(error)
            return Token(kind: .semicolon, start: previousEnd, end: previousEnd)
        }
        throw unexpected(expected)
    }

    mutating func expectIdentifier(_ what: String = "an identifier") throws(SyntaxError) -> Name {
        guard kind == .identifier else {
            if case .keyword(let keyword) = kind {
                throw SyntaxError(
                    offset: current.start,
                    message: "expected \(what), found the keyword '\(keyword.rawValue)' (PRISM reserves it)")
            }
            throw unexpected(what)
        }
        let token = advance()
        return Name(text: text(token), offset: token.start)
    }

    /// Past this many syntax errors the rest of the file is skipped: more would be noise, and
    /// the cap bounds the work on any input.
    static let maximumErrors = 100

    mutating func record(_ error: SyntaxError) {
        guard diagnostics.count < Parser.maximumErrors else {
            index = tokens.count - 1
            return
        }
        diagnostics.append(file.diagnostic(at: error.offset, error.message))
        if diagnostics.count == Parser.maximumErrors {
            diagnostics.append(file.diagnostic(at: error.offset, "too many syntax errors; stopping here"))
            index = tokens.count - 1
        }
    }

    mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > FrontEndLimits.maximumNesting {
            // The caller's `defer { leave() }` is not registered yet when this throws.
            depth -= 1
            throw SyntaxError(offset: current.start, message: FrontEndLimits.nestingMessage())
        }
    }

    mutating func leave() { depth -= 1 }

    /// Tokens that start a top-level item of a model file.
    func atTopLevelStart() -> Bool {
        switch kind {
        case .keyword(let keyword):
            switch keyword {
            case .const, .formula, .label, .global, .module, .rewards, .`init`, .system, .ctmc, .dtmc, .mdp,
                .pta, .pomdp, .popta, .stochastic, .probabilistic, .nondeterministic, .rate, .prob:
                true
            default: false
            }
        case .endOfFile: true
        default: false
        }
    }

    /// After an error inside a statement: skip to just past the next `;`, or to a token that
    /// closes or starts a block, so the next statement parses normally.
    mutating func recoverToStatementEnd() {
        while true {
            switch kind {
            case .semicolon:
                advance()
                return
            case .keyword(.endmodule), .keyword(.endrewards), .keyword(.endinit), .keyword(.endsystem), .endOfFile:
                return
            case .keyword(.const), .keyword(.formula), .keyword(.label), .keyword(.global), .keyword(.module),
                .keyword(.rewards), .keyword(.system):
                return
            default:
                advance()
            }
        }
    }
}
