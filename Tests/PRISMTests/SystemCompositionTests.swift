import PRISM
import Testing

@Suite struct SystemCompositionTests {
    /// Three modules; commands are numbered 0...6 in this order.
    static let modules = """
        ctmc
        module MA a : bool; [x] !a -> 1:(a'=true); [y] a -> 2:(a'=false); [] a -> 3:(a'=false); endmodule
        module MB b : bool; [x] !b -> 1:(b'=true); [z] b -> 2:(b'=false); endmodule
        module MC c : bool; [x] !c -> 1:(c'=true); [y] c -> 2:(c'=false); endmodule
        """

    func groups(_ system: String) throws -> Set<SynchronizationGroup> {
        Set(try checked(Self.modules + "\nsystem \(system) endsystem").model.groups)
    }

    @Test func fullParallelSynchronisesOnSharedActions() throws {
        let expected: Set<SynchronizationGroup> = [
            .init(action: nil, parts: [[2]]),
            .init(action: "x", parts: [[0], [3], [5]]),
            .init(action: "y", parts: [[1], [6]]),
            .init(action: "z", parts: [[4]]),
        ]
        #expect(try groups("MA || MB || MC") == expected)
        // Without a system block the result is the same.
        #expect(Set(try checked(Self.modules).model.groups) == expected)
    }

    @Test func interleavingNeverSynchronises() throws {
        #expect(
            try groups("MA ||| MB ||| MC") == [
                .init(action: nil, parts: [[2]]),
                .init(action: "x", parts: [[0]]), .init(action: "x", parts: [[3]]), .init(action: "x", parts: [[5]]),
                .init(action: "y", parts: [[1]]), .init(action: "y", parts: [[6]]), .init(action: "z", parts: [[4]]),
            ])
    }

    @Test func parallelOverActionsSynchronisesOnlyThose() throws {
        #expect(
            try groups("(MA |[y]| MC) ||| MB") == [
                .init(action: nil, parts: [[2]]),
                .init(action: "x", parts: [[0]]), .init(action: "x", parts: [[5]]), .init(action: "x", parts: [[3]]),
                .init(action: "y", parts: [[1], [6]]), .init(action: "z", parts: [[4]]),
            ])
        // An action in the set that one side lacks is blocked.
        #expect(try groups("(MA |[z]| MB) ||| MC").filter { $0.action == "z" }.isEmpty)
    }

    @Test func hidingMakesActionsInternalAndStopsSynchronisation() throws {
        #expect(
            try groups("MA/{x} || MB || MC") == [
                .init(action: nil, parts: [[2]]), .init(action: nil, parts: [[0]]),
                .init(action: "x", parts: [[3], [5]]),
                .init(action: "y", parts: [[1], [6]]), .init(action: "z", parts: [[4]]),
            ])
    }

    @Test func renamingRelabelsActions() throws {
        #expect(
            try groups("MA{y<-z} || MB || MC") == [
                .init(action: nil, parts: [[2]]),
                .init(action: "x", parts: [[0], [3], [5]]),
                .init(action: "z", parts: [[1], [4]]),
                .init(action: "y", parts: [[6]]),
            ])
    }

    @Test func systemErrorsAreLocated() throws {
        let found = summaries(try diagnostics(Self.modules + "\nsystem MA || MD || MA endsystem"))
        #expect(
            found == [
                "5:8: module 'MB' does not appear in the system definition",
                "5:8: module 'MC' does not appear in the system definition",
                "5:14: unknown module 'MD' in the system definition",
                "5:20: module 'MA' appears more than once in the system definition",
            ])
    }
}
