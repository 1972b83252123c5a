// Checked models built by hand (the PRISM front end is a separate target; these tests exercise
// the engine alone) and the closed forms they are checked against.

import Foundation
import PRISM
@testable import StaminaEngine

enum Build {
    static let here = SourceLocation(file: "test.prism", line: 1, column: 1)

    static func int(_ slot: Int) -> Expr { .variable(slot: slot, type: .int) }
    static func bool(_ slot: Int) -> Expr { .variable(slot: slot, type: .bool) }
    static func lit(_ value: Int64) -> Expr { .literal(.int(value)) }
    static func real(_ value: Double) -> Expr { .literal(.double(value)) }
    static let yes = Expr.literal(.bool(true))
    static func add(_ a: Expr, _ b: Expr) -> Expr { .arithmetic(.add, a, b) }
    static func sub(_ a: Expr, _ b: Expr) -> Expr { .arithmetic(.subtract, a, b) }
    static func mul(_ a: Expr, _ b: Expr) -> Expr { .arithmetic(.multiply, a, b) }
    static func cmp(_ op: ComparisonOperator, _ a: Expr, _ b: Expr) -> Expr { .compare(op, a, b) }

    static func variable(_ name: String, _ range: ClosedRange<Int64>?, initial: Int64 = 0) -> Variable {
        Variable(
            name: name, type: .int, lowerBound: range?.lowerBound, upperBound: range?.upperBound,
            initial: .int(initial), module: 0, location: here)
    }

    static func boolVariable(_ name: String, initial: Bool = false) -> Variable {
        Variable(
            name: name, type: .bool, lowerBound: 0, upperBound: 1, initial: .bool(initial), module: 0, location: here)
    }

    /// `[] guard -> rate : (slot'=value) & ...;` with one update.
    static func command(_ guardExpression: Expr, _ rate: Expr, _ assignments: [(Int, Expr)], line: Int = 1) -> Command {
        Command(
            module: 0, action: nil, guardExpression: guardExpression,
            updates: [Update(rate: rate, assignments: assignments.map { Assignment(slot: $0.0, value: $0.1) })],
            location: SourceLocation(file: "test.prism", line: line, column: 3), text: "command on line \(line)")
    }

    /// One module, every command unsynchronised.
    static func ctmc(_ variables: [Variable], _ commands: [Command], type: ModelType = .ctmc, initial: Expr? = nil)
        -> CheckedModel
    {
        CheckedModel(
            type: type, variables: variables, modules: ["m"], commands: commands,
            groups: commands.indices.map { SynchronizationGroup(action: nil, parts: [[$0]]) },
            initialStates: initial, labels: [], rewards: [], constants: [])
    }

    static func property(_ path: PathFormula, _ text: String = "P=? [ ... ]") -> CheckedProperty {
        CheckedProperty(name: nil, formula: .probability(.query, path, nil), text: text, location: here)
    }

    static func eventually(_ goal: Expr, within time: Double?) -> PathFormula {
        .eventually(.atom(goal), TimeBound(upper: time))
    }

    /// Pure birth (Poisson arrivals) with rate lambda, unbounded counter.
    static func poisson(lambda: Double) -> CheckedModel {
        ctmc([variable("n", nil)], [command(yes, real(lambda), [(0, add(int(0), lit(1)))])])
    }

    /// M/M/1 from empty (unbounded queue).
    static func mm1(lambda: Double, mu: Double) -> CheckedModel {
        ctmc(
            [variable("q", nil)],
            [
                command(yes, real(lambda), [(0, add(int(0), lit(1)))], line: 1),
                command(cmp(.greater, int(0), lit(0)), real(mu), [(0, sub(int(0), lit(1)))], line: 2),
            ])
    }

    /// M/M/infinity from empty: death rate mu * n.
    static func mmInfinity(lambda: Double, mu: Double) -> CheckedModel {
        ctmc(
            [variable("n", nil)],
            [
                command(yes, real(lambda), [(0, add(int(0), lit(1)))], line: 1),
                command(
                    cmp(.greater, int(0), lit(0)), mul(real(mu), .intToDouble(int(0))), [(0, sub(int(0), lit(1)))],
                    line: 2),
            ])
    }
}

enum ClosedForm {
    /// P(Poisson(mean) >= k).
    static func poissonTail(mean: Double, atLeast k: Int) -> Double {
        var term = exp(-mean)
        var below = 0.0
        for j in 0..<k {
            below += term
            term *= mean / Double(j + 1)
        }
        return 1 - below
    }
}

extension Build {
    /// The tandem queue of STAMINA's case studies (serverC with two phases, serverM), capacity c,
    /// synchronising on `route`. Reachable states: (2c + 1)(c + 1) (sc = 0 with ph = 2 is unreachable).
    static func tandem(capacity c: Int64) -> CheckedModel {
        let (sc, ph, sm) = (int(0), int(1), int(2))
        func and(_ a: Expr, _ b: Expr) -> Expr { .logical(.and, a, b) }
        func cmd(_ module: Int, _ action: String?, _ g: Expr, _ rate: Double, _ assignments: [(Int, Expr)], _ line: Int)
            -> Command
        {
            Command(
                module: module, action: action, guardExpression: g,
                updates: [
                    Update(rate: real(rate), assignments: assignments.map { Assignment(slot: $0.0, value: $0.1) })
                ],
                location: SourceLocation(file: "tandem.prism", line: line, column: 2), text: "line \(line)")
        }
        let commands = [
            cmd(0, nil, cmp(.less, sc, lit(c)), 4 * Double(c), [(0, add(sc, lit(1)))], 1),
            cmd(0, "route", and(cmp(.greater, sc, lit(0)), cmp(.equal, ph, lit(1))), 1.8, [(0, sub(sc, lit(1)))], 2),
            cmd(0, nil, and(cmp(.greater, sc, lit(0)), cmp(.equal, ph, lit(1))), 0.2, [(1, lit(2))], 3),
            cmd(
                0, "route", and(cmp(.greater, sc, lit(0)), cmp(.equal, ph, lit(2))), 2,
                [(1, lit(1)), (0, sub(sc, lit(1)))], 4),
            cmd(1, "route", cmp(.less, sm, lit(c)), 1, [(2, add(sm, lit(1)))], 5),
            cmd(1, nil, cmp(.greater, sm, lit(0)), 4, [(2, sub(sm, lit(1)))], 6),
        ]
        var variables = [variable("sc", 0...c), variable("ph", 1...2, initial: 1), variable("sm", 0...c)]
        variables[2].module = 1
        return CheckedModel(
            type: .ctmc, variables: variables, modules: ["serverC", "serverM"], commands: commands,
            groups: [
                SynchronizationGroup(action: nil, parts: [[0]]), SynchronizationGroup(action: nil, parts: [[2]]),
                SynchronizationGroup(action: nil, parts: [[5]]),
                SynchronizationGroup(action: "route", parts: [[1, 3], [4]]),
            ],
            initialStates: nil, labels: [], rewards: [], constants: [])
    }
}
