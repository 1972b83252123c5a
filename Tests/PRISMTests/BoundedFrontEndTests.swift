// The front end's bounds: formulas and labels are shared (a DAG, not a tree), and depth and size
// budgets refuse hostile input with a located diagnostic instead of exhausting memory or stack.

import Foundation
import PRISM
import Testing

@Suite struct BoundedFrontEndTests {
    /// Formula `f(k)` uses `f(k-1)` three times, so inlining would make 3^26 nodes. (The `+ 0.25`
    /// keeps the values in [0, 1], so the engine tests can run it too.)
    static func formulaBomb(levels: Int = 26) -> String {
        var lines = ["ctmc", "module m", "  x : [0..1] init 0;", "  [] x=0 -> 2.0 : (x'=1);", "endmodule"]
        lines.append("formula f0 = x/4 + 0.5;")
        for level in 1...levels {
            lines.append("formula f\(level) = f\(level - 1)*f\(level - 1) - f\(level - 1) + 0.25;")
        }
        lines.append("label \"big\" = f\(levels) > 0;")
        lines += ["rewards \"r\"", "  true : f\(levels);", "endrewards"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Regression (issue 8, "formula bomb"): a 1 KB model took the server to 8.6 GB.
    @Test func formulaBombIsASmallDAG() throws {
        let program = try checked(Self.formulaBomb(), properties: "P=? [ F<=1 \"big\" ]\nR{\"r\"}=? [ C<=1 ]")
        let label = program.model.labels[0].expression
        let reward = program.model.rewards[0].stateRewards[0].value
        // 27 shared formula bodies of a few nodes each, not 3^26.
        #expect(label.dagNodeCount < 200)
        #expect(reward.dagNodeCount < 200)
        // The property's "big" is the same label body, shared again, not re-expanded.
        guard case .probability(_, .eventually(.atom(let atom), _), _) = program.properties[0].formula else {
            Issue.record("unexpected property shape")
            return
        }
        #expect(atom.dagNodeCount < 200)
    }

    /// Each formula body is lowered once per kind of use, so the shared node is the same object
    /// wherever the formula is used in the model.
    @Test func aFormulaUsedTwiceIsOneSharedNode() throws {
        let model = try checked(
            """
            ctmc
            formula busy = x*x + 1;
            module m x : [0..3]; [] busy > 2 -> busy : (x'=0); endmodule
            """
        ).model
        guard case .compare(_, .shared(let inGuard), _) = model.commands[0].guardExpression,
            case .intToDouble(.shared(let inRate)) = model.commands[0].updates[0].rate
        else {
            Issue.record("formula uses are not shared nodes")
            return
        }
        #expect(inGuard === inRate)
    }

    /// A renamed module used to copy each formula body into every use; now each formula becomes one
    /// renamed formula, shared like the others.
    @Test func formulaBombThroughARenamedModuleIsASmallDAG() throws {
        var text = Self.formulaBomb()
        text = text.replacingOccurrences(of: "[] x=0 -> 2.0", with: "[] x=0 & f26 > -1 -> 2.0")
        text += "module n = m [x=y] endmodule\n"
        let model = try checked(text).model
        #expect(model.commands.count == 2)
        #expect(model.commands[1].guardExpression.dagNodeCount < 200)
        // The copy's formulas test the copy's variable.
        #expect(model.commands[1].guardExpression.dagNodeCount == model.commands[0].guardExpression.dagNodeCount)
    }

    /// Regression: `x+x+...+x` (a 200 KB label) crashed the front end with a stack overflow, since
    /// an operator chain is a left-deep tree.
    @Test func longOperatorChainIsALocatedError() throws {
        let sum = Array(repeating: "x", count: 100_000).joined(separator: "+")
        let found = try diagnostics("ctmc\nmodule m x : [0..1]; endmodule\nlabel \"l\" = \(sum) > 3;")
        #expect(found.count == 1)
        #expect(found[0].location.line == 3 && found[0].location.column == 13)
        #expect(found[0].message.hasPrefix("expression nested too deeply: more than 1000 levels"))
        // The snippet is a window around the caret, not the 200 KB line.
        #expect(found[0].snippet.utf8.count < 400)
    }

    @Test func deepParenthesesAndUnaryChainsAreLocatedErrors() throws {
        let parens = String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
        let found = try diagnostics("ctmc\nconst int N = \(parens);\nmodule m x : bool; endmodule")
        #expect(summaries(found).first?.hasPrefix("2:115: expression nested too deeply: more than 100 levels") == true)
        let minus = String(repeating: "- ", count: 300) + "1"
        let unary = try diagnostics("ctmc\nconst int N = \(minus);")
        #expect(unary.first?.location.line == 2)
        #expect(unary.first?.message.hasPrefix("expression nested too deeply: more than 100 levels") == true)
        let nots = String(repeating: "!", count: 300) + "true"
        #expect(
            try diagnostics("ctmc\nconst bool B = \(nots);").first?.message.contains("more than 100 levels") == true)
        let conditional = Array(repeating: "true ? 1 :", count: 300).joined(separator: " ") + " 2"
        #expect(
            try diagnostics("ctmc\nconst int K = \(conditional);").first?.message.contains("more than 100 levels")
                == true)
    }

    /// Formula references add their body's depth: a chain of formulas cannot make a typed
    /// expression deeper than the budget either.
    @Test func deepFormulaChainIsALocatedError() throws {
        var lines = ["ctmc", "module m x : [0..3]; endmodule", "formula g0 = x;"]
        for level in 1...1200 { lines.append("formula g\(level) = g\(level - 1) + 1;") }
        lines.append("label \"deep\" = g1200 > 0;")
        let found = try diagnostics(lines.joined(separator: "\n"))
        #expect(found.count == 1)
        #expect(found[0].message.hasPrefix("expression nested too deeply: more than 1000 levels"))
        #expect(found[0].location.file == "m.prism" && found[0].location.line > 3)
    }

    /// The node budget: many short labels add up to more nodes than any real model has.
    @Test func tooManyExpressionNodesIsALocatedError() throws {
        let sum = Array(repeating: "x", count: 500).joined(separator: "+")
        var lines = ["ctmc", "module m x : [0..1]; endmodule"]
        for index in 0..<900 { lines.append("label \"l\(index)\" = \(sum) > 3;") }
        let found = try diagnostics(lines.joined(separator: "\n"))
        #expect(found.count == 1)
        #expect(found[0].message == "this file has too many expression nodes: more than 400000")
        #expect(found[0].location.line > 300)
    }

    /// Renamed copies multiply the base module's commands; the typed-node budget stops that.
    @Test func renamedCopiesCountAgainstTheNodeBudget() throws {
        let guardSum = Array(repeating: "x", count: 400).joined(separator: "+")
        var lines = ["ctmc", "module m x : [0..1];"]
        for _ in 0..<20 { lines.append("  [] \(guardSum) > 0 -> 1 : (x'=0);") }
        lines.append("endmodule")
        for index in 0..<60 { lines.append("module c\(index) = m [x=x\(index)] endmodule") }
        let found = try diagnostics(lines.joined(separator: "\n"))
        #expect(
            found.contains {
                $0.message == "the renamed modules' copies has too many expression nodes: more than 400000"
            })
    }

    /// A task may check under a smaller node budget (the server does, in its own process), and
    /// the refusal is recognisable as the budget's, so the check can be handed to a larger one.
    @Test func aTaskCanCheckUnderASmallerNodeBudget() throws {
        let sum = Array(repeating: "x", count: 500).joined(separator: "+")
        var lines = ["ctmc", "module m x : [0..1]; endmodule"]
        for index in 0..<30 { lines.append("label \"l\(index)\" = \(sum) > 3;") }
        let model = lines.joined(separator: "\n")
        let small = FrontEndLimits.$nodeBudget.withValue(20_000) {
            let found = (try? diagnostics(model)) ?? []
            return (found.map(\.message), found.contains { FrontEndLimits.isNodeBudgetRefusal($0.message) })
        }
        #expect(small.0 == ["this file has too many expression nodes: more than 20000"])
        #expect(small.1)
        #expect(FrontEndLimits.maximumNodes == FrontEndLimits.defaultMaximumNodes)
        #expect(try checked(model).model.labels.count == 30)
        #expect(!FrontEndLimits.isNodeBudgetRefusal("expected ';'"))
    }

    /// Too many errors stop being recorded: each costs a scan of its line.
    @Test func errorsAreCapped() throws {
        let uses = (0..<5000).map { "[] u\($0) > 0 -> (x'=0);" }.joined(separator: " ")
        let found = try diagnostics("ctmc\nmodule m x : [0..1]; \(uses) endmodule")
        #expect(found.count == 101)
        #expect(found.contains { $0.message == "too many errors; stopping here" })
    }

    /// The deepest accepted expressions fit in a thread with half the stack the server's threads
    /// have (Swift's task threads and the main thread get 8 MiB on Linux), even in a debug build.
    @Test func deepestAcceptedInputFitsHalfTheServersStack() throws {
        let chain = Array(repeating: "x", count: 990).joined(separator: "+")
        let parens = String(repeating: "(", count: 99) + "x" + String(repeating: ")", count: 99)
        let model =
            "ctmc\nmodule m x : [0..1]; [] x=0 -> (x'=1); endmodule\nlabel \"a\" = \(chain) > 3;\nlabel \"b\" = \(parens) > 0;\n"
        let result = Locked<Bool?>(nil)
        let thread = Thread {
            let program = FrontEnd.check(
                model: SourceText(name: "m.prism", text: model), properties: nil, constants: .none)
            if case .success(let checked) = program {
                result.set(checked.model.labels.count == 2)
            } else {
                result.set(false)
            }
        }
        thread.stackSize = 4 << 20
        thread.start()
        let deadline = Date().addingTimeInterval(60)
        while result.get() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(result.get() == true)
    }
}

/// A value shared with another thread.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
