// Expressions, with PRISM's precedence (PrismParser.jj, loosest first):
// temporal U/W/R (paths only), X/F/G (paths only), `? :`, `=>`, `<=>`, `|`, `&`, `!`,
// `=`/`!=`, `<`/`<=`/`>`/`>=`, `+`/`-`, `*`/`/`, unary `-`.
// The P, S and R operators and `"label"` are parsed everywhere; the checker refuses them outside
// properties with a located message, which reads better than a syntax error.

extension Parser {
    /// Builds a node, refusing it when the expression gets too deep (a long operator chain is a
    /// left-deep tree that every later pass walks recursively) or the file has too many nodes.
    mutating func node(_ kind: SyntaxExpression.Kind, from start: Int) throws(SyntaxError) -> SyntaxExpression {
        let node = SyntaxExpression(kind: kind, start: start, end: max(previousEnd, start))
        nodeCount += 1
        if nodeCount > FrontEndLimits.maximumNodes {
            // One refusal is enough: the rest of the file is not parsed.
            index = tokens.count - 1
            throw SyntaxError(offset: start, message: FrontEndLimits.nodesMessage("this file"))
        }
        if node.depth > FrontEndLimits.maximumDepth {
            throw SyntaxError(offset: start, message: FrontEndLimits.depthMessage())
        }
        return node
    }

    /// A full expression; `path` allows the temporal operators (inside `P[...]`).
    mutating func parseExpression(path: Bool = false) throws(SyntaxError) -> SyntaxExpression {
        try enter()
        defer { leave() }
        return path ? try parseTemporalBinary() : try parseConditional(path: false)
    }

    private mutating func parseTemporalBinary() throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        let left = try parseTemporalUnary()
        let temporal: TemporalOperator
        switch kind {
        case .keyword(.U): temporal = .until
        case .keyword(.W): temporal = .weakUntil
        case .keyword(.R): temporal = .release
        default: return left
        }
        advance()
        let bound = try parseTimeBound()
        let right = try parseTemporalUnary()
        return try node(.temporal(temporal, left, right, bound), from: start)
    }

    private mutating func parseTemporalUnary() throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        let temporal: TemporalOperator
        switch kind {
        case .keyword(.X): temporal = .next
        case .keyword(.F): temporal = .eventually
        case .keyword(.G): temporal = .globally
        default: return try parseConditional(path: true)
        }
        advance()
        try enter()
        defer { leave() }
        let bound = try parseTimeBound()
        let operand = try parseTemporalUnary()
        return try node(.temporal(temporal, nil, operand, bound), from: start)
    }

    /// PRISM's lookahead: in `F<=t (b)` the bound is `t`, not a call `t(b)`.
    private mutating func parseBoundValue() throws(SyntaxError) -> SyntaxExpression {
        if kind == .identifier && peekKind(1) == .leftParen {
            let token = advance()
            return try node(.identifier(text(token)), from: token.start)
        }
        return try parseExpression()
    }

    private mutating func parseTimeBound() throws(SyntaxError) -> SyntaxTimeBound? {
        let offset = current.start
        switch kind {
        case .lessEqual, .less:
            let strict = kind == .less
            advance()
            return SyntaxTimeBound(upper: try parseBoundValue(), upperStrict: strict, offset: offset)
        case .greaterEqual, .greater:
            let strict = kind == .greater
            advance()
            return SyntaxTimeBound(lower: try parseBoundValue(), lowerStrict: strict, offset: offset)
        case .leftBracket:
            advance()
            let lower = try parseExpression()
            try expect(.comma, "between the bounds of a time interval")
            let upper = try parseExpression()
            try expect(.rightBracket, "to close the time interval")
            return SyntaxTimeBound(lower: lower, upper: upper, offset: offset)
        case .equal:
            advance()
            let value = try parseExpression()
            return SyntaxTimeBound(lower: value, upper: value, offset: offset)
        default:
            return nil
        }
    }

    private mutating func parseConditional(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        let condition = try parseImplies(path: path)
        guard accept(.question) else { return condition }
        try enter()
        defer { leave() }
        let then = try parseImplies(path: path)
        try expect(.colon, "in a conditional expression 'c ? a : b'")
        let otherwise = try parseConditional(path: path)
        return try node(.conditional(condition, then, otherwise), from: start)
    }

    private mutating func parseBinaryLevel(
        path: Bool, operators: (TokenKind) -> BinaryOperator?,
        next: (inout Parser, Bool) throws(SyntaxError) -> SyntaxExpression
    ) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        var left = try next(&self, path)
        while let op = operators(kind) {
            advance()
            let right = try next(&self, path)
            left = try node(.binary(op, left, right), from: start)
        }
        return left
    }

    private static func equalityOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .equal: .equal
        case .notEqual: .notEqual
        default: nil
        }
    }

    private static func relationalOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        default: nil
        }
    }

    private static func additiveOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .plus: .plus
        case .minus: .minus
        default: nil
        }
    }

    private mutating func parseImplies(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        try parseBinaryLevel(path: path, operators: { $0 == .implies ? .implies : nil }) {
            p, path throws(SyntaxError) in
            try p.parseIff(path: path)
        }
    }

    private mutating func parseIff(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        try parseBinaryLevel(path: path, operators: { $0 == .iff ? .iff : nil }) { p, path throws(SyntaxError) in
            try p.parseOr(path: path)
        }
    }

    private mutating func parseOr(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        var left = try parseAnd(path: path)
        // `||` and `|[` belong to a system definition, never to an expression.
        while kind == .or && peekKind(1) != .or && peekKind(1) != .leftBracket {
            advance()
            let right = try parseAnd(path: path)
            left = try node(.binary(.or, left, right), from: start)
        }
        return left
    }

    private mutating func parseAnd(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        try parseBinaryLevel(path: path, operators: { $0 == .and ? .and : nil }) { p, path throws(SyntaxError) in
            try p.parseNot(path: path)
        }
    }

    private mutating func parseNot(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        if accept(.not) {
            try enter()
            defer { leave() }
            let operand = try parseNot(path: path)
            return try node(.unary(.not, operand), from: start)
        }
        return try parseEquality(path: path)
    }

    private mutating func parseEquality(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        try parseBinaryLevel(path: path, operators: Parser.equalityOperator) {
            p, path throws(SyntaxError) in try p.parseRelational(path: path)
        }
    }

    private mutating func parseRelational(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        try parseBinaryLevel(
            path: path,
            operators: Parser.relationalOperator
        ) { p, path throws(SyntaxError) in try p.parseAdditive(path: path) }
    }

    private mutating func parseAdditive(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        try parseBinaryLevel(path: path, operators: Parser.additiveOperator) {
            p, path throws(SyntaxError) in try p.parseMultiplicative(path: path)
        }
    }

    private mutating func parseMultiplicative(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        var left = try parseUnaryMinus(path: path)
        // `/{` starts hiding in a system definition.
        while kind == .times || (kind == .divide && peekKind(1) != .leftBrace) {
            let op: BinaryOperator = kind == .times ? .times : .divide
            advance()
            let right = try parseUnaryMinus(path: path)
            left = try node(.binary(op, left, right), from: start)
        }
        return left
    }

    private mutating func parseUnaryMinus(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        if accept(.minus) {
            try enter()
            defer { leave() }
            let operand = try parseUnaryMinus(path: path)
            return try node(.unary(.minus, operand), from: start)
        }
        return try parseBasic(path: path)
    }

    private mutating func parseBasic(path: Bool) throws(SyntaxError) -> SyntaxExpression {
        let start = current.start
        switch kind {
        case .integer:
            let token = advance()
            guard let value = Int64(text(token)) else {
                throw SyntaxError(offset: token.start, message: "integer literal \(text(token)) is too large")
            }
            return try node(.integer(value), from: start)
        case .double:
            let token = advance()
            guard let value = Double(text(token)), value.isFinite else {
                throw SyntaxError(offset: token.start, message: "number \(text(token)) is out of range")
            }
            return try node(.double(value), from: start)
        case .keyword(.true):
            advance()
            return try node(.bool(true), from: start)
        case .keyword(.false):
            advance()
            return try node(.bool(false), from: start)
        case .identifier:
            let token = advance()
            let name = text(token)
            if kind == .leftParen {
                advance()
                let arguments = try parseArguments(path: path)
                return try node(.call(name, arguments), from: start)
            }
            return try node(.identifier(name), from: start)
        case .keyword(.min), .keyword(.max):
            let name = kind == .keyword(.min) ? "min" : "max"
            advance()
            try expect(.leftParen, "after '\(name)'")
            let arguments = try parseArguments(path: path)
            return try node(.call(name, arguments), from: start)
        case .keyword(.func):
            advance()
            try expect(.leftParen, "after 'func'")
            let name: String
            switch kind {
            case .keyword(.min): name = "min"
            case .keyword(.max): name = "max"
            case .identifier: name = text(current)
            default: throw unexpected("a function name")
            }
            advance()
            try expect(.comma, "after the function name in 'func(name, ...)'")
            let arguments = try parseArguments(path: path)
            return try node(.call(name, arguments), from: start)
        case .leftParen:
            advance()
            let inner = try parseExpression(path: path)
            try expect(.rightParen, "to close '('")
            return try node(.parenthesized(inner), from: start)
        case .string:
            let token = advance()
            let name = file.text(from: token.start + 1, to: token.end - 1)
            return try node(.label(name), from: start)
        case .keyword(.P), .keyword(.Pmin), .keyword(.Pmax):
            let bound = try parseOperatorBound(allowOptimization: true)
            try expect(.leftBracket, "before the path formula of P")
            let formula = try parseExpression(path: true)
            try expect(.rightBracket, "to close 'P[...]'")
            return try node(.probability(bound, formula), from: start)
        case .keyword(.S):
            let bound = try parseOperatorBound(allowOptimization: false)
            try expect(.leftBracket, "after S")
            let formula = try parseExpression()
            try expect(.rightBracket, "to close 'S[...]'")
            return try node(.steadyState(bound, formula), from: start)
        case .keyword(.R), .keyword(.Rmin), .keyword(.Rmax):
            return try parseReward(start: start)
        case .keyword(.filter):
            throw SyntaxError(
                offset: start, message: "filter(...) is only supported as a whole property, not inside an expression")
        case .keyword(.E), .keyword(.A):
            throw SyntaxError(
                offset: start, message: "'\(text(current))' (filters and CTL path quantifiers) is not supported")
        case .keyword(.X), .keyword(.F), .keyword(.G):
            throw SyntaxError(
                offset: start,
                message: "temporal operator '\(text(current))' is only allowed inside P[...] or R[...]")
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func parseArguments(path: Bool) throws(SyntaxError) -> [SyntaxExpression] {
        var arguments = [try parseExpression(path: path)]
        while accept(.comma) { arguments.append(try parseExpression(path: path)) }
        try expect(.rightParen, "after the function arguments")
        return arguments
    }

    /// After `P`, `S` or `R{...}`: `=?`, `min=?`, `max=?`, or a comparison and a bound.
    /// `Pmin`/`Pmax`/`Rmin`/`Rmax` are the operator token itself (already current for P).
    mutating func parseOperatorBound(allowOptimization: Bool) throws(SyntaxError) -> SyntaxBound {
        let operatorToken = advance()
        if operatorToken.kind == .keyword(.Pmin) || operatorToken.kind == .keyword(.Rmin)
            || operatorToken.kind == .keyword(.Pmax) || operatorToken.kind == .keyword(.Rmax)
        {
            let optimization: Optimization =
                (operatorToken.kind == .keyword(.Pmin) || operatorToken.kind == .keyword(.Rmin)) ? .minimum : .maximum
            try expect(.equal, "after '\(text(operatorToken))'")
            try expect(.question, "after '\(text(operatorToken))='")
            return .query(optimization)
        }
        return try parseBoundAfterOperator(allowOptimization: allowOptimization)
    }

    mutating func parseBoundAfterOperator(allowOptimization: Bool) throws(SyntaxError) -> SyntaxBound {
        switch kind {
        case .equal:
            advance()
            try expect(.question, "after '=' (a query is written '=?')")
            return .query(nil)
        case .keyword(.min), .keyword(.max):
            guard allowOptimization else { throw unexpected("'=?' or a bound such as '>=0.5'") }
            let optimization: Optimization = kind == .keyword(.min) ? .minimum : .maximum
            advance()
            try expect(.equal, "after min/max")
            try expect(.question, "after '='")
            return .query(optimization)
        case .less, .lessEqual, .greater, .greaterEqual:
            let comparison: ComparisonOperator =
                switch kind {
                case .less: .less
                case .lessEqual: .lessOrEqual
                case .greater: .greater
                default: .greaterOrEqual
                }
            advance()
            return .compare(comparison, try parseExpression())
        default:
            throw unexpected("'=?' or a bound such as '>=0.5'")
        }
    }

    private mutating func parseReward(start: Int) throws(SyntaxError) -> SyntaxExpression {
        var index: SyntaxRewardIndex?
        let bound: SyntaxBound
        if kind == .keyword(.R) {
            advance()
            if accept(.leftBrace) {
                if kind == .string {
                    let token = advance()
                    index = .name(Name(text: file.text(from: token.start + 1, to: token.end - 1), offset: token.start))
                } else {
                    index = .expression(try parseExpression())
                }
                try expect(.rightBrace, "to close the reward structure reference")
            }
            bound = try parseBoundAfterOperator(allowOptimization: true)
        } else {
            bound = try parseOperatorBound(allowOptimization: true)
        }
        try expect(.leftBracket, "before the reward formula")
        let path: SyntaxRewardPath
        switch kind {
        case .keyword(.C):
            advance()
            if accept(.lessEqual) {
                path = .cumulative(try parseExpression())
            } else {
                path = .cumulative(nil)
            }
        case .keyword(.I):
            advance()
            try expect(.equal, "after 'I' (instantaneous reward is written 'I=t')")
            path = .instantaneous(try parseExpression())
        case .keyword(.F):
            advance()
            path = .reachability(try parseExpression())
        case .keyword(.S):
            advance()
            path = .steadyState
        default:
            throw unexpected("'C<=t', 'I=t', 'F phi', 'S' or 'C' in a reward formula")
        }
        try expect(.rightBracket, "to close 'R[...]'")
        return try node(.reward(index, bound, path), from: start)
    }
}
