// The `system ... endsystem` grammar (PrismParser.jj): `||` full parallel, `|||` interleaving,
// `|[a,b]|` parallel over actions, `/{a,b}` hiding and `{a<-b}` renaming, with parentheses.

extension Parser {
    mutating func parseSystem() throws(SyntaxError) -> SystemSyntax {
        try enter()
        defer { leave() }
        return try parseFullParallel()
    }

    private mutating func parseFullParallel() throws(SyntaxError) -> SystemSyntax {
        let offset = current.start
        var left = try parseInterleaved()
        while kind == .or && peekKind(1) == .or {
            advance()
            advance()
            let right = try parseParallel()
            left = SystemSyntax(kind: .fullParallel(left, right), offset: offset)
        }
        return left
    }

    private mutating func parseInterleaved() throws(SyntaxError) -> SystemSyntax {
        let offset = current.start
        var left = try parseParallel()
        while kind == .or && peekKind(1) == .or && peekKind(2) == .or {
            advance()
            advance()
            advance()
            try enter()
            defer { leave() }
            let right = try parseFullParallel()
            left = SystemSyntax(kind: .interleaved(left, right), offset: offset)
        }
        return left
    }

    private mutating func parseParallel() throws(SyntaxError) -> SystemSyntax {
        let offset = current.start
        let left = try parseHideRename()
        guard kind == .or && peekKind(1) == .leftBracket else { return left }
        advance()
        advance()
        var actions = [try expectIdentifier("an action name")]
        while accept(.comma) { actions.append(try expectIdentifier("an action name")) }
        try expect(.rightBracket, "after the synchronised actions")
        try expect(.or, "to close '|[...]|'")
        let right = try parseHideRename()
        return SystemSyntax(kind: .parallel(left, actions, right), offset: offset)
    }

    private mutating func parseHideRename() throws(SyntaxError) -> SystemSyntax {
        let offset = current.start
        var system = try parseAtomicSystem()
        while true {
            if kind == .divide && peekKind(1) == .leftBrace {
                advance()
                advance()
                var actions = [try expectIdentifier("an action to hide")]
                while accept(.comma) { actions.append(try expectIdentifier("an action to hide")) }
                try expect(.rightBrace, "after the hidden actions")
                system = SystemSyntax(kind: .hide(system, actions), offset: offset)
            } else if kind == .leftBrace {
                advance()
                var renames: [(from: Name, to: Name)] = []
                repeat {
                    let from = try expectIdentifier("an action to rename")
                    // `<-` is lexed as `<` `-` (see Lexer).
                    guard kind == .less && peekKind(1) == .minus && tokens[index + 1].start == current.end else {
                        throw unexpected("'<-' in an action renaming 'a<-b'")
                    }
                    advance()
                    advance()
                    let to = try expectIdentifier("the new action name")
                    renames.append((from, to))
                } while accept(.comma)
                try expect(.rightBrace, "after the action renamings")
                system = SystemSyntax(kind: .rename(system, renames), offset: offset)
            } else {
                return system
            }
        }
    }

    private mutating func parseAtomicSystem() throws(SyntaxError) -> SystemSyntax {
        let offset = current.start
        if accept(.leftParen) {
            try enter()
            defer { leave() }
            let inner = try parseFullParallel()
            try expect(.rightParen, "to close '('")
            return inner
        }
        if kind == .string {
            throw SyntaxError(offset: offset, message: "references to named system definitions are not supported")
        }
        let name = try expectIdentifier("a module name")
        return SystemSyntax(kind: .module(name), offset: offset)
    }
}
