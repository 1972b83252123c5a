// The properties-file grammar: constants, formulas, labels and properties, each property
// optionally named (`"name": P=? [...]`) and optionally ended by `;` (PRISM's semicolon-less
// form: properties may simply follow one another, even on one line).

extension Parser {
    mutating func parseProperties() -> PropertiesSyntax {
        var properties = PropertiesSyntax()
        while kind != .endOfFile {
            let before = index
            do {
                switch kind {
                case .keyword(.const), .keyword(.rate), .keyword(.prob):
                    properties.constants.append(try parseConstant())
                case .keyword(.formula):
                    properties.formulas.append(try parseFormula())
                case .keyword(.label):
                    properties.labels.append(try parseLabel())
                case .semicolon:
                    advance()
                default:
                    properties.properties.append(try parseProperty())
                }
            } catch {
                record(error)
                recoverToNextProperty(after: error.offset)
            }
            if index == before { advance() }
        }
        return properties
    }

    private mutating func parseProperty() throws(SyntaxError) -> PropertySyntax {
        let start = current.start
        var name: String?
        if kind == .string && peekKind(1) == .colon {
            let token = advance()
            name = file.text(from: token.start + 1, to: token.end - 1)
            advance()
        }
        if kind == .keyword(.filter) { return try parseFilter(name: name, start: start) }
        let expression = try parseExpression()
        return PropertySyntax(name: name, expression: expression, start: start)
    }

    /// `filter(op, prop)` or `filter(op, prop, states)`; the operator is checked by name later, so
    /// that an unknown one gets a message listing the known ones.
    private mutating func parseFilter(name: String?, start: Int) throws(SyntaxError) -> PropertySyntax {
        let filterStart = current.start
        advance()
        try expect(.leftParen, "after 'filter'")
        let op: Name
        switch kind {
        case .identifier, .keyword(.min), .keyword(.max):
            let token = advance()
            op = Name(text: text(token), offset: token.start)
        case .plus, .and, .or:
            let token = advance()
            let alias = token.kind == .plus ? "sum" : (token.kind == .and ? "forall" : "exists")
            op = Name(text: alias, offset: token.start)
        default:
            throw unexpected("a filter operator (min, max, count, sum, avg, forall, exists, ...)")
        }
        try expect(.comma, "after the filter operator")
        let expression = try parseExpression()
        var states: SyntaxExpression?
        if accept(.comma) { states = try parseExpression() }
        try expect(.rightParen, "to close 'filter(...)'")
        return PropertySyntax(
            name: name, expression: expression, start: start,
            filter: FilterSyntax(op: op, states: states, start: filterStart, end: previousEnd))
    }

    /// Skip to just past the next `;` or to the first token on a later line than the error.
    private mutating func recoverToNextProperty(after offset: Int) {
        let line = file.location(of: offset).line
        while kind != .endOfFile {
            if kind == .semicolon {
                advance()
                return
            }
            if file.location(of: current.start).line > line { return }
            advance()
        }
    }
}
