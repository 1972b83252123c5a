// Tokens of the PRISM language (models and properties share one lexer, as in PRISM itself).

/// PRISM's reserved words (the token list of PrismParser.jj). They cannot be used as identifiers;
/// `min` and `max` are keywords that the grammar also accepts as function names. Storm-only model
/// types (`ma`, `lts`, `smg`, ...) are not reserved: they are recognised by position instead.
enum Keyword: String, CaseIterable, Sendable {
    case A, bool, clock, const, ctmc, C, double, dtmc, E, endinit, endinvariant, endmodule
    case endobservables, endrewards, endsystem
    case `false`, formula, filter, `func`, F, global, G, `init`, invariant, I, int, label
    case max, mdp, min, module, X, nondeterministic, observable, observables, of
    case Pmax, Pmin, P, pomdp, popta, probabilistic, prob, pta, rate, rewards, Rmax, Rmin, R, S
    case stochastic, system, `true`, U, W

    static let table: [String: Keyword] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}

enum TokenKind: Hashable, Sendable {
    case identifier
    /// `x'` in an update.
    case primedIdentifier
    case integer
    case double
    /// `"text"` (labels, reward names, property names); the token spans the quotes.
    case string
    case keyword(Keyword)
    case not, and, or, implies, iff, arrow, colon, semicolon, comma, dots
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case equal, notEqual, less, greater, lessEqual, greaterEqual
    case plus, minus, times, divide, question
    case endOfFile
    /// A character no token starts with, or an unterminated string.
    case invalid

    /// How the kind is named in "expected ..." messages.
    var display: String {
        switch self {
        case .identifier: "an identifier"
        case .primedIdentifier: "a primed variable (x')"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a quoted name"
        case .keyword(let keyword): "'\(keyword.rawValue)'"
        case .not: "'!'"
        case .and: "'&'"
        case .or: "'|'"
        case .implies: "'=>'"
        case .iff: "'<=>'"
        case .arrow: "'->'"
        case .colon: "':'"
        case .semicolon: "';'"
        case .comma: "','"
        case .dots: "'..'"
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .leftBracket: "'['"
        case .rightBracket: "']'"
        case .leftBrace: "'{'"
        case .rightBrace: "'}'"
        case .equal: "'='"
        case .notEqual: "'!='"
        case .less: "'<'"
        case .greater: "'>'"
        case .lessEqual: "'<='"
        case .greaterEqual: "'>='"
        case .plus: "'+'"
        case .minus: "'-'"
        case .times: "'*'"
        case .divide: "'/'"
        case .question: "'?'"
        case .endOfFile: "end of file"
        case .invalid: "an invalid character"
        }
    }
}

struct Token: Sendable {
    var kind: TokenKind
    /// Byte offsets into the source: `start..<end`.
    var start: Int
    var end: Int
}
