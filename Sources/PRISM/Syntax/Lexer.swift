// Byte-level lexer over the UTF-8 of a source text. Whitespace and `//` comments are skipped;
// anything else that starts no token becomes an `.invalid` token that the parser reports.

struct Lexer {
    private let bytes: [UInt8]
    private var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var lexer = Lexer(bytes: bytes)
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        let index = position + ahead
        return index < bytes.count ? bytes[index] : 0
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte)
    }

    private mutating func skipTrivia() {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                position += 1
            } else if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                while position < bytes.count && bytes[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    mutating func next() -> Token {
        skipTrivia()
        let start = position
        guard position < bytes.count else { return Token(kind: .endOfFile, start: start, end: start) }
        let byte = bytes[position]

        if Lexer.isIdentifierStart(byte) {
            position += 1
            while position < bytes.count && Lexer.isIdentifierPart(bytes[position]) { position += 1 }
            if peek() == UInt8(ascii: "'") {
                position += 1
                return Token(kind: .primedIdentifier, start: start, end: position)
            }
            let kind = keyword(start, position).map(TokenKind.keyword) ?? .identifier
            return Token(kind: kind, start: start, end: position)
        }
        if Lexer.isDigit(byte) || (byte == UInt8(ascii: ".") && Lexer.isDigit(peek(1))) {
            return number(start)
        }
        if byte == UInt8(ascii: "\"") {
            position += 1
            while position < bytes.count && bytes[position] != UInt8(ascii: "\"") && bytes[position] != 0x0A {
                position += 1
            }
            guard peek() == UInt8(ascii: "\"") else { return Token(kind: .invalid, start: start, end: position) }
            position += 1
            return Token(kind: .string, start: start, end: position)
        }
        return punctuation(start, byte)
    }

    private func keyword(_ start: Int, _ end: Int) -> Keyword? {
        // Every keyword is at most 16 bytes; skip the dictionary for long identifiers.
        guard end - start <= 16 else { return nil }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return Keyword.table[text]
    }

    /// PRISM: an integer is `0` or digits without a leading zero... in practice PRISM accepts
    /// `007` as a double-less integer too; we accept any digit run. A double has a fraction
    /// or an exponent. `0..N` is `0`, `..`, `N`: a `.` makes a fraction only before a digit.
    private mutating func number(_ start: Int) -> Token {
        var isDouble = false
        while Lexer.isDigit(peek()) { position += 1 }
        if peek() == UInt8(ascii: "."), Lexer.isDigit(peek(1)) {
            isDouble = true
            position += 1
            while Lexer.isDigit(peek()) { position += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")
            if Lexer.isDigit(peek(sign ? 2 : 1)) {
                isDouble = true
                position += sign ? 2 : 1
                while Lexer.isDigit(peek()) { position += 1 }
            }
        }
        return Token(kind: isDouble ? .double : .integer, start: start, end: position)
    }

    private mutating func punctuation(_ start: Int, _ byte: UInt8) -> Token {
        func make(_ kind: TokenKind, _ length: Int) -> Token {
            position += length
            return Token(kind: kind, start: start, end: position)
        }
        let second = peek(1)
        switch byte {
        case UInt8(ascii: "!"): return second == UInt8(ascii: "=") ? make(.notEqual, 2) : make(.not, 1)
        case UInt8(ascii: "&"): return make(.and, 1)
        case UInt8(ascii: "|"): return make(.or, 1)
        case UInt8(ascii: "="): return second == UInt8(ascii: ">") ? make(.implies, 2) : make(.equal, 1)
        case UInt8(ascii: "<"):
            if second == UInt8(ascii: "=") {
                return peek(2) == UInt8(ascii: ">") ? make(.iff, 3) : make(.lessEqual, 2)
            }
            // `<-` (action renaming) is recognised by the system parser as `<` then `-`, so that
            // `x<-1` still means `x < -1` in expressions.
            return make(.less, 1)
        case UInt8(ascii: ">"): return second == UInt8(ascii: "=") ? make(.greaterEqual, 2) : make(.greater, 1)
        case UInt8(ascii: "-"): return second == UInt8(ascii: ">") ? make(.arrow, 2) : make(.minus, 1)
        case UInt8(ascii: ":"): return make(.colon, 1)
        case UInt8(ascii: ";"): return make(.semicolon, 1)
        case UInt8(ascii: ","): return make(.comma, 1)
        case UInt8(ascii: "."): return second == UInt8(ascii: ".") ? make(.dots, 2) : make(.invalid, 1)
        case UInt8(ascii: "("): return make(.leftParen, 1)
        case UInt8(ascii: ")"): return make(.rightParen, 1)
        case UInt8(ascii: "["): return make(.leftBracket, 1)
        case UInt8(ascii: "]"): return make(.rightBracket, 1)
        case UInt8(ascii: "{"): return make(.leftBrace, 1)
        case UInt8(ascii: "}"): return make(.rightBrace, 1)
        case UInt8(ascii: "+"): return make(.plus, 1)
        case UInt8(ascii: "*"): return make(.times, 1)
        case UInt8(ascii: "/"): return make(.divide, 1)
        case UInt8(ascii: "?"): return make(.question, 1)
        default:
            // One whole UTF-8 scalar, so the message can quote it.
            var length = 1
            while position + length < bytes.count && (bytes[position + length] & 0xC0) == 0x80 { length += 1 }
            return make(.invalid, length)
        }
    }
}
