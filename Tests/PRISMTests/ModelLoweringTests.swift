import PRISM
import Testing

@Suite struct ModelLoweringTests {
    static let tandem = """
        ctmc
        const int c = 2;
        const double lambda = 4*c;
        global g : bool init true;
        formula busy = sc > 0;
        module serverC
            sc : [0..c];
            ph : [1..2] init 2;
            [] sc<c -> lambda: (sc'=sc+1);
            [route] busy & ph=1 -> 0.5: (sc'=sc-1) + 1.5: (ph'=2) & (g'=false);
        endmodule
        module serverM
            sm : [0..c];
            u : int init -3;
            [route] sm<c -> 1: (sm'=sm+1);
            [] sm>0 -> 2 : (sm'=sm-1);
            [] true -> true;
        endmodule
        module serverN = serverM [sm=sn, u=v, route=route2] endmodule
        label "full" = sc=c;
        rewards "time" true : 1; [route] sc>0 : 2.5; endrewards
        """

    @Test func variablesGetSlotsBoundsAndInitialValues() throws {
        let model = try checked(Self.tandem).model
        #expect(model.type == .ctmc)
        #expect(model.variables.map(\.name) == ["g", "sc", "ph", "sm", "u", "sn", "v"])
        #expect(model.variables.map(\.module) == [nil, 0, 0, 1, 1, 2, 2])
        let sc = model.variables[1]
        #expect(sc.lowerBound == 0 && sc.upperBound == 2 && sc.bitWidth == 2 && sc.initial == .int(0))
        #expect(model.variables[2].initial == .int(2))
        #expect(model.variables[0].type == .bool && model.variables[0].initial == .bool(true))
        #expect(model.variables[0].lowerBound == 0 && model.variables[0].upperBound == 1)
        let u = model.variables[4]
        #expect(u.lowerBound == nil && u.upperBound == nil && u.bitWidth == nil && u.initial == .int(-3))
        #expect(model.modules == ["serverC", "serverM", "serverN"])
        #expect(
            model.constants == [
                BoundConstant(name: "c", value: .int(2)), BoundConstant(name: "lambda", value: .double(8)),
            ])
    }

    @Test func commandsCarryRatesAssignmentsAndRenaming() throws {
        let model = try checked(Self.tandem).model
        #expect(model.commands.count == 8)
        let first = model.commands[0]
        #expect(first.action == nil)
        #expect(
            first.updates == [
                Update(
                    rate: .literal(.double(8)),
                    assignments: [
                        Assignment(slot: 1, value: .arithmetic(.add, .variable(slot: 1, type: .int), .literal(.int(1))))
                    ])
            ])
        let route = model.commands[1]
        #expect(route.action == "route")
        #expect(route.updates.count == 2)
        #expect(route.updates[1].assignments.map(\.slot) == [2, 0])
        #expect(
            route.guardExpression.inlined
                == .logical(
                    .and,
                    .compare(.greater, .variable(slot: 1, type: .int), .literal(.int(0))),
                    .compare(.equal, .variable(slot: 2, type: .int), .literal(.int(1)))))
        let trueUpdate = model.commands[4]
        #expect(trueUpdate.updates == [Update(rate: .literal(.double(1)), assignments: [])])
        // The renamed copy assigns its own variables and uses the renamed action.
        let renamed = model.commands[5]
        #expect(renamed.module == 2 && renamed.action == "route2")
        #expect(renamed.updates[0].assignments.map(\.slot) == [5])
        #expect(renamed.text == "[route2] sn<c -> 1: (sn'=sn+1);")
        #expect(renamed.location.line == 15)
    }

    @Test func defaultCompositionMakesOneGroupPerUnlabelledCommandAndPerAction() throws {
        let model = try checked(Self.tandem).model
        #expect(
            model.groups == [
                SynchronizationGroup(action: nil, parts: [[0]]),
                SynchronizationGroup(action: nil, parts: [[3]]),
                SynchronizationGroup(action: nil, parts: [[4]]),
                SynchronizationGroup(action: nil, parts: [[6]]),
                SynchronizationGroup(action: nil, parts: [[7]]),
                SynchronizationGroup(action: "route", parts: [[1], [2]]),
                SynchronizationGroup(action: "route2", parts: [[5]]),
            ])
    }

    @Test func labelsAndRewardsAreLowered() throws {
        let model = try checked(Self.tandem).model
        #expect(
            model.labels.map { Label(name: $0.name, expression: $0.expression.inlined) } == [
                Label(name: "full", expression: .compare(.equal, .variable(slot: 1, type: .int), .literal(.int(2))))
            ])
        #expect(model.rewards.count == 1)
        #expect(model.rewards[0].name == "time")
        #expect(
            model.rewards[0].stateRewards == [
                StateReward(guardExpression: .literal(.bool(true)), value: .literal(.double(1)))
            ])
        #expect(model.rewards[0].transitionRewards.map(\.action) == ["route"])
    }

    @Test func initBlockLeavesInitialValuesNil() throws {
        let model = try checked(
            """
            ctmc
            module m x : [0..3]; y : bool; [] x<3 -> 1:(x'=x+1); endmodule
            init x=1 & !y endinit
            """
        ).model
        #expect(model.variables.map(\.initial) == [nil, nil])
        #expect(
            model.initialStates
                == .logical(
                    .and,
                    .compare(.equal, .variable(slot: 0, type: .int), .literal(.int(1))),
                    .not(.variable(slot: 1, type: .bool))))
    }

    @Test func stochasticIsCtmcAndOtherTypesParse() throws {
        #expect(try checked("stochastic module m x:bool; endmodule").model.type == .ctmc)
        #expect(try checked("dtmc module m x:bool; endmodule").model.type == .dtmc)
        #expect(try checked("mdp module m x:bool; endmodule").model.type == .mdp)
        #expect(try checked("ma module m x:bool; endmodule").model.type == .ma)
        #expect(try checked("pta module m x:bool; endmodule").model.type == .pta)
    }
}
