import PRISM
import Testing

/// Typing, promotion, precedence and folding, observed through a constant or a guard.
@Suite struct ExpressionTypingTests {
    /// The bound value of `const <type> v = <expression>;`.
    func value(_ expression: String, type: String = "double") throws -> Value? {
        try checked("ctmc\nconst \(type) v = \(expression);\nmodule m x : bool; endmodule").model.constants.first?.value
    }

    /// The lowered guard of `[] <expression> -> true;` over `i : [0..9]` (slot 0) and `b : bool` (slot 1).
    func guardExpression(_ expression: String) throws -> Expr? {
        try checked("ctmc\nmodule m i : [0..9]; b : bool; [] \(expression) -> true; endmodule").model.commands.first?
            .guardExpression
    }

    static let i = Expr.variable(slot: 0, type: .int)
    static let b = Expr.variable(slot: 1, type: .bool)

    @Test(arguments: [
        ("7/2", Value.double(3.5)), ("1+2*3", .double(7)), ("-2*3", .double(-6)), ("2-3-4", .double(-5)),
        ("pow(2, 10)", .double(1024)), ("pow(2.0, -1)", .double(0.5)), ("log(8, 2)", .double(3)),
        ("min(1, 2.5, 0)", .double(0)), ("max(1, 2.5)", .double(2.5)), ("1 < 2 ? 1 : 2.5", .double(1)),
        ("func(max, 3, 4)", .double(4)),
    ])
    func doubleConstantsFold(_ expression: String, _ expected: Value) throws {
        #expect(try value(expression) == expected)
    }

    @Test(arguments: [
        ("7", Value.int(7)), ("pow(2, 10)", .int(1024)), ("floor(2.7)", .int(2)), ("ceil(2.1)", .int(3)),
        ("round(2.5)", .int(3)), ("round(-2.5)", .int(-2)), ("mod(7, 3)", .int(1)), ("mod(-7, 3)", .int(2)),
        ("max(3, 9, 4)", .int(9)), ("2*3+1", .int(7)), ("floor(7/2)", .int(3)),
    ])
    func intConstantsFold(_ expression: String, _ expected: Value) throws {
        #expect(try value(expression, type: "int") == expected)
    }

    @Test(arguments: [
        ("true | false & false", Value.bool(true)), ("!true | true", .bool(true)),
        ("false => false => false", .bool(false)),
        ("true <=> false => false", .bool(true)), ("1 = 1.0", .bool(true)), ("1 < 2 = true", .bool(true)),
        ("false ? true : false | true", .bool(true)),
    ])
    func precedenceAsPrism(_ expression: String, _ expected: Value) throws {
        #expect(try value(expression, type: "bool") == expected)
    }

    @Test func comparisonsPromoteIntToDouble() throws {
        #expect(try guardExpression("i < 2.5") == .compare(.less, .intToDouble(Self.i), .literal(.double(2.5))))
        #expect(
            try guardExpression("i/2 > 1")
                == .compare(.greater, .divide(.intToDouble(Self.i), .literal(.double(2))), .literal(.double(1))))
        #expect(
            try guardExpression("i*2 = 4")
                == .compare(.equal, .arithmetic(.multiply, Self.i, .literal(.int(2))), .literal(.int(4))))
        #expect(
            try guardExpression("b = (i > 2)")
                == .compare(.equal, Self.b, .compare(.greater, Self.i, .literal(.int(2)))))
        #expect(
            try guardExpression("mod(i, 2) = 0 & b")
                == .logical(
                    .and,
                    .compare(.equal, .call(.mod, [Self.i, .literal(.int(2))]), .literal(.int(0))), Self.b))
        #expect(
            try guardExpression("pow(i, 2) > 3")
                == .compare(.greater, .call(.pow, [Self.i, .literal(.int(2))]), .literal(.int(3))))
        #expect(
            try guardExpression("min(i, 1.5) > 1")
                == .compare(
                    .greater,
                    .call(.min, [.intToDouble(Self.i), .literal(.double(1.5))]), .literal(.double(1))))
    }

    @Test func unaryMinusBindsTighterThanTimes() throws {
        #expect(
            try guardExpression("-i*2 < 0")
                == .compare(
                    .less,
                    .arithmetic(.multiply, .negate(Self.i), .literal(.int(2))), .literal(.int(0))))
    }

    @Test func ratesArePromotedToDouble() throws {
        let command = try checked("ctmc\nmodule m i : [0..9]; [] true -> i : (i'=0); endmodule").model.commands[0]
        #expect(command.updates[0].rate == .intToDouble(Self.i))
    }

    @Test func keywordsFromOtherToolsAreIdentifiers() throws {
        // `rates`, `ma`, `player`, `lts` are not PRISM keywords (the old Java tool refused some).
        let model = try checked(
            """
            ctmc
            const double rates = 1;
            module m ma : [0..1]; player : bool; lts : int init 0; [] ma=0 -> rates : (ma'=1); endmodule
            """
        ).model
        #expect(model.variables.map(\.name) == ["ma", "player", "lts"])
    }

    @Test func prismKeywordsAreRefusedAsNames() throws {
        let found = summaries(try diagnostics("ctmc\nmodule m rate : bool; endmodule"))
        #expect(found == ["2:10: expected a variable name, found the keyword 'rate' (PRISM reserves it)"])
    }
}
