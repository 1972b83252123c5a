import PRISM
import Testing

/// Every error kind, with its exact line and column: inline source -> expected diagnostics.
@Suite struct DiagnosticTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var model: String
        var properties: String? = nil
        var constants: [String: String] = [:]
        var expected: [String]
        var testDescription: String { expected.first ?? model }
    }

    static let counter = "ctmc\nmodule m x : [0..2]; [] x<2 -> 1:(x'=x+1); endmodule\n"

    static let cases: [Case] = [
        // Syntax
        Case(
            model: "ctmc\nmodule m\n  x : [0..2]\n  [] x<2 -> (x'=x+1);\nendmodule",
            expected: ["3:13: expected ';' after the variable declaration, found '[' on the next line"]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; [] x<2 -> (x'=x+1) endmodule",
            expected: ["2:41: expected ';' after the command, found 'endmodule'"]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; [] x<2 -> 1:(x'=x+1) + ; endmodule",
            expected: ["2:45: expected an expression, found ';'"]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; [] x<2 -> (x'=x+1); ",
            expected: ["2:42: expected 'endmodule' to close module 'm', found end of file"]),
        Case(
            model: "ctmc\nconst int N = 3 $;", expected: ["2:17: expected ';' after the constant definition, found '$'"]
        ),
        Case(model: "ctmc\nlabel done = true;", expected: ["2:7: label names must be enclosed in double quotes"]),
        Case(model: "ctmc\nctmc\n", expected: ["2:1: there were multiple model type declarations"]),
        Case(
            model: "ctmc\nconst int N = 99999999999999999999;",
            expected: ["2:15: integer literal 99999999999999999999 is too large"]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; [] x<2 -> 1:(x'=x+1); endmodule\nlabel \"a\" = x=1",
            expected: ["3:16: expected ';' after the label, found end of file"]),
        Case(
            model: counter, properties: "P=? [ F x=2 ",
            expected: ["p.csl:1:13: expected ']' to close 'P[...]', found end of file"]),
        Case(
            model: counter, properties: "P=? [ F x=2 ] P=? [ F x=1 ] x",
            expected: ["p.csl:1:29: a state formula must be bool, found int"]),
        // Names
        Case(
            model: "ctmc\nmodule m x : [0..2]; [] y<2 -> 1:(x'=x+1); endmodule",
            expected: ["2:25: undeclared identifier 'y'"]),
        Case(
            model: "ctmc\nconst int x = 1;\nmodule m x : [0..2]; endmodule",
            expected: ["3:10: 'x' is already defined as a constant"]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; endmodule\nmodule n x : bool; endmodule",
            expected: ["3:10: 'x' is already defined as a variable"]),
        Case(
            model: "ctmc\nmodule m x : bool; endmodule\nmodule m y : bool; endmodule",
            expected: ["3:8: module 'm' is already defined"]),
        Case(
            model: "ctmc\nlabel \"a\" = true;\nlabel \"a\" = false;\nmodule m x : bool; endmodule",
            expected: ["3:7: label \"a\" is already defined"]),
        Case(
            model: "ctmc\nmodule m x : bool; endmodule\nmodule n y : bool; [] true -> (x'=true); endmodule",
            expected: ["3:32: module 'n' cannot assign 'x', which belongs to another module"]),
        Case(
            model: "ctmc\nconst int K = 1;\nmodule m x : bool; [] true -> (K'=2); endmodule",
            expected: ["3:32: 'K' is not a variable and cannot be assigned"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] true -> (x'=1) & (x'=2); endmodule",
            expected: ["2:43: variable 'x' is assigned twice"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] true -> (x'=1); endmodule\nmodule n = m [x=y, z=w] endmodule",
            expected: ["3:20: 'z' does not occur in module 'm', so it cannot be renamed"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; y : bool; endmodule\nmodule n = m [x=x2] endmodule",
            expected: ["3:8: module 'n' must rename variable 'y' of module 'm'"]),
        Case(
            model: "ctmc\nmodule n = q [x=y] endmodule",
            expected: ["2:12: module 'n' renames 'q', which is not a module defined in full"]),
        // Types
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] x -> 1:(x'=1); endmodule",
            expected: ["2:25: the guard must be bool, found int"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] x=1 -> (x=1):(x'=1); endmodule",
            expected: ["2:32: the rate must be numeric, found bool"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] true -> (x'=1.5); endmodule",
            expected: ["2:37: cannot assign a double value to int variable 'x'"]),
        Case(
            model: "ctmc\nmodule m x : bool; [] true -> (x'=1); endmodule",
            expected: ["2:35: cannot assign an int value to bool variable 'x'"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] x+true>1 -> (x'=1); endmodule",
            expected: ["2:27: '+' needs numeric operands, found int and bool"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] x & true -> (x'=1); endmodule",
            expected: ["2:25: '&' needs bool operands, found int and bool"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] x<true -> (x'=1); endmodule",
            expected: ["2:25: '<' cannot compare int with bool"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] true -> foo(x):(x'=1); endmodule",
            expected: ["2:33: unknown function 'foo' (PRISM has min, max, floor, ceil, round, pow, mod and log)"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] floor(x, 2)=1 -> (x'=1); endmodule",
            expected: ["2:25: floor takes 1 arguments, found 2"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] mod(x, 2.0)=1 -> (x'=1); endmodule",
            expected: ["2:25: mod needs int arguments, found double"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; [] (x>1 ? 1 : true) -> (x'=1); endmodule",
            expected: ["2:26: the branches of '? :' have incompatible types int and bool"]),
        // Constants and declarations
        Case(
            model: "ctmc\nconst int N = 2.5;\nmodule m x : bool; endmodule",
            expected: ["2:15: constant 'N' has type int but its value 2.5 has type double"]),
        Case(
            model: "ctmc\nconst bool B = 1;\nmodule m x : bool; endmodule",
            expected: ["2:16: constant 'B' has type bool but its value 1 has type int"]),
        Case(
            model: "ctmc\nmodule m x : [0..3] init 4; endmodule",
            expected: ["2:26: the initial value 4 of 'x' is outside its range 0..3"]),
        Case(
            model: "ctmc\nmodule m x : [3..1]; endmodule",
            expected: ["2:15: the range of 'x' is empty: lower bound 3 > upper bound 1"]),
        Case(
            model: "ctmc\nmodule m x : [0..2.5]; endmodule",
            expected: ["2:18: the upper bound of 'x' must be an int, found double"]),
        Case(
            model: "ctmc\nmodule m x : [0..3]; y : [0..x]; endmodule",
            expected: ["2:30: the upper bound of 'y' cannot refer to variable 'x'"]),
        Case(
            model: "ctmc\nconst int a = b;\nconst int b = a;\nmodule m x : bool; endmodule",
            expected: ["3:15: cyclic constant definition: 'a' depends on itself"]),
        Case(
            model: "ctmc\nformula f = g;\nformula g = f;\nmodule m x : bool; [] f -> true; endmodule",
            expected: ["3:13: cyclic formula definition: f -> g -> f"]),
        Case(model: "ctmc\nconst double r = 1/0;\nmodule m x : bool; endmodule", expected: ["2:18: division by zero"]),
        Case(
            model: "ctmc\nconst int r = 9223372036854775807 * 2;\nmodule m x : bool; endmodule",
            expected: ["2:15: integer overflow in 9223372036854775807 * 2"]),
        Case(
            model: "ctmc\nconst int r = mod(3, 0);\nmodule m x : bool; endmodule",
            expected: ["2:15: modulo with non-positive divisor 0"]),
        Case(
            model: "ctmc\nconst int r = pow(2, 64);\nmodule m x : bool; endmodule",
            expected: ["2:15: integer overflow in pow(2, 64)"]),
        Case(
            model:
                "ctmc\nconst int N;\nconst double lambda;\nconst int M = 2;\nmodule m x : [0..N]; [] true -> lambda:(x'=0); endmodule",
            expected: ["2:11: undefined constants: N (int), lambda (double); set them with --const N=...,lambda=..."]),
        Case(
            model: "ctmc\nconst int N;\nmodule m x : [0..N]; endmodule", constants: ["M": "1", "N": "1"],
            expected: [
                "--const:1:1: --const sets 'M', which is not a constant of the model or properties (constants: N)"
            ]),
        Case(
            model: "ctmc\nconst int N;\nmodule m x : [0..N]; endmodule", constants: ["N": "1.5"],
            expected: [
                "--const:1:1: --const N=1.5: constant 'N' has type int; expected an integer, found the number 1.5"
            ]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; endmodule\ninit x=0 endinit\nmodule n y : [0..1] init 1; endmodule",
            expected: ["4:26: variable 'y' has an initial value but the model has an init...endinit block"]),
        Case(
            model: "ctmc\nmodule m x : [0..2]; [] P=? [F x=1] -> true; endmodule",
            expected: ["2:25: P, S and R operators are only allowed in properties"]),
        // Properties
        Case(model: counter, properties: "P=? [ F \"goal\" ]", expected: ["p.csl:1:9: unknown label \"goal\""]),
        Case(
            model: counter, properties: "R{\"cost\"}=? [ C<=1 ]",
            expected: ["p.csl:1:1: the model has no reward structure"]
                .map { _ in "p.csl:1:3: unknown reward structure \"cost\"" }),
        Case(model: counter, properties: "R=? [ C<=1 ]", expected: ["p.csl:1:1: the model has no reward structure"]),
        Case(
            model: counter, properties: "P>1.5 [ F x=1 ]",
            expected: ["p.csl:1:3: the probability bound 1.5 is not between 0 and 1"]),
        Case(
            model: counter, properties: "P=? [ F<=-1 x=1 ]",
            expected: ["p.csl:1:10: a time bound must not be negative, found -1.0"]),
        Case(
            model: counter, properties: "P=? [ F[3,1] x=1 ]",
            expected: ["p.csl:1:8: the time interval is empty: 3.0 > 1.0"]),
        Case(
            model: counter, properties: "P=? [ x=1 ]",
            expected: ["p.csl:1:7: expected a path formula (X, F, G, U, W or R) inside P[...]"]),
        Case(model: counter, properties: "P=? [ F<=T x=1 ]", expected: ["p.csl:1:10: undeclared identifier 'T'"]),
        Case(
            model: counter, properties: "const double T;\nP=? [ F<=T x=1 ]",
            expected: ["p.csl:1:14: undefined constants: T (double); set them with --const T=..."]),
        Case(model: counter, properties: "x + 1", expected: ["p.csl:1:1: a state formula must be bool, found int"]),
        Case(
            model: counter, properties: "label \"init\" = x=0;",
            expected: ["p.csl:1:7: \"init\" is a built-in label and cannot be redefined"]),
    ]

    @Test(arguments: cases)
    func reportsExactLocationAndMessage(_ testCase: Case) throws {
        let found = try diagnostics(testCase.model, properties: testCase.properties, constants: testCase.constants)
        let rendered = found.map { item in
            let prefix = item.location.file == "m.prism" ? "" : "\(item.location.file):"
            return "\(prefix)\(item.location.line):\(item.location.column): \(item.message)"
        }
        #expect(rendered == testCase.expected)
    }

    @Test func snippetHasTheLineAndACaretUnderTheColumn() throws {
        let found = try diagnostics("ctmc\nmodule m x : [0..3];\n\t[] y -> true; endmodule")
        #expect(found.count == 1)
        #expect(found[0].snippet == "  \t[] y -> true; endmodule\n  \t   ^")
        #expect(found[0].description.hasPrefix("m.prism:3:5: error: undeclared identifier 'y'\n"))
    }

    @Test func severalErrorsAreCollectedInOneRun() throws {
        let found = try diagnostics(
            """
            ctmc
            module m
              x : [0..3]
              [] x<3 -> (x'=x+1)
              [] x>0 -> 1:(x'=x-1);
            endmodule
            """)
        #expect(
            summaries(found) == [
                "3:13: expected ';' after the variable declaration, found '[' on the next line",
                "4:21: expected ';' after the command, found '[' on the next line",
            ])
        let semantic = try diagnostics("ctmc\nmodule m x : [0..3]; [] y>0 -> (x'=z); [] x -> (x'=1); endmodule")
        #expect(
            summaries(semantic) == [
                "2:25: undeclared identifier 'y'", "2:36: undeclared identifier 'z'",
                "2:43: the guard must be bool, found int",
            ])
    }

    @Test func constOptionSyntaxErrorsAreLocatedInTheOptionText() throws {
        #expect(throws: Diagnostics.self) { try ConstantOverrides(parsing: "N=1,,x") }
        do {
            _ = try ConstantOverrides(parsing: "N=1,M")
        } catch {
            #expect(summaries(error.items) == ["1:5: expected NAME=VALUE in --const, found 'M'"])
            #expect(error.items[0].location.file == "--const")
        }
        let parsed = try ConstantOverrides(parsing: "N=10, lambda = 0.5,flag=true")
        #expect(parsed.values.map(\.name) == ["N", "lambda", "flag"])
        #expect(parsed.values.map(\.value) == ["10", "0.5", "true"])
        #expect(try ConstantOverrides(parsing: "").isEmpty)
    }
}
