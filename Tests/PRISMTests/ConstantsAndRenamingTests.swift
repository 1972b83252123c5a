import PRISM
import Testing

@Suite struct ConstantsAndRenamingTests {
    @Test func overridesBindUndefinedConstantsWithTheirTypes() throws {
        let model = try checked(
            """
            ctmc
            const int N;
            const double lambda;
            const bool fast;
            const M = N + 1;
            rate mu = 2;
            prob p = 0.5;
            module m x : [0..M]; [] fast -> lambda : (x'=N); endmodule
            """, constants: ["N": "3", "lambda": "1", "fast": "true"]
        ).model
        #expect(
            model.constants == [
                BoundConstant(name: "N", value: .int(3)), BoundConstant(name: "lambda", value: .double(1)),
                BoundConstant(name: "fast", value: .bool(true)), BoundConstant(name: "M", value: .int(4)),
                BoundConstant(name: "mu", value: .double(2)), BoundConstant(name: "p", value: .double(0.5)),
            ])
        #expect(model.variables[0].upperBound == 4)
        #expect(model.commands[0].guardExpression == .literal(.bool(true)))
        #expect(model.commands[0].updates[0].rate == .literal(.double(1)))
    }

    @Test func overridesReplaceDefinedValues() throws {
        let model = try checked("ctmc\nconst int N = 2;\nmodule m x : [0..N]; endmodule", constants: ["N": "7"]).model
        #expect(model.variables[0].upperBound == 7)
    }

    @Test func overridesFromTheCommandLineSyntax() throws {
        let overrides = try ConstantOverrides(parsing: "N=5,T=0.25")
        let result = FrontEnd.check(
            model: SourceText(name: "m.prism", text: "ctmc\nconst int N;\nmodule m x : [0..N]; endmodule"),
            properties: SourceText(name: "p.csl", text: "const double T;\nP=? [ F<=T x=N ]"), constants: overrides)
        let program = try result.get()
        #expect(
            program.properties[0].formula
                == .probability(
                    .query,
                    .eventually(
                        .atom(.compare(.equal, .variable(slot: 0, type: .int), .literal(.int(5)))),
                        TimeBound(upper: 0.25)), nil))
    }

    @Test func renamingExpandsFormulasAndRenamesConstantsAndActions() throws {
        let model = try checked(
            """
            ctmc
            const double r1 = 1;
            const double r2 = 2;
            formula ready = s1 = 0;
            module P1 s1 : [0..1]; [go1] ready -> r1 : (s1'=1); [sync] s1=1 -> (s1'=0); endmodule
            module P2 = P1 [s1=s2, r1=r2, go1=go2] endmodule
            """
        ).model
        let copy = model.commands[2]
        #expect(copy.module == 1 && copy.action == "go2")
        // `ready` was expanded before renaming, so it tests s2 in the copy.
        #expect(copy.guardExpression.inlined == .compare(.equal, .variable(slot: 1, type: .int), .literal(.int(0))))
        #expect(copy.updates[0].rate == .literal(.double(2)))
        #expect(model.groups.contains(SynchronizationGroup(action: "sync", parts: [[1], [3]])))
    }

    @Test func renamedVariableClashPointsAtTheRenaming() throws {
        let found = try diagnostics(
            """
            ctmc
            global y : bool;
            module m x : bool; endmodule
            module n = m [x=y] endmodule
            """)
        #expect(summaries(found) == ["4:17: 'y' is already defined as a variable"])
    }

    @Test func globalsMayBeAssignedByAnyModule() throws {
        let model = try checked(
            """
            ctmc
            global g : [0..3];
            module a [] g<3 -> (g'=g+1); endmodule
            module b [] g>0 -> (g'=g-1); endmodule
            """
        ).model
        #expect(model.variables.map(\.module) == [nil])
        #expect(model.commands.map { $0.updates[0].assignments[0].slot } == [0, 0])
    }

    @Test func duplicateRewardNamesAreRefused() throws {
        let found = try diagnostics(
            """
            ctmc
            module m x : bool; endmodule
            rewards "r" true : 1; endrewards
            rewards "r" true : 2; endrewards
            """)
        #expect(summaries(found) == ["4:9: reward structure \"r\" is already defined"])
    }
}
