import PRISM
import Testing

@Suite struct PropertyLoweringTests {
    static let model = """
        ctmc
        const int N = 3;
        module m
            x : [0..N];
            [go] x<N -> 2: (x'=x+1);
            [] x>0 -> 1: (x'=x-1);
        endmodule
        label "top" = x=N;
        rewards "time" true : 1; endrewards
        rewards "steps" [go] true : 1; endrewards
        """

    func formulas(_ properties: String, constants: [String: String] = [:]) throws -> [StateFormula] {
        try checked(Self.model, properties: properties, constants: constants).properties.map(\.formula.inlined)
    }

    static let top = StateFormula.atom(.compare(.equal, .variable(slot: 0, type: .int), .literal(.int(3))))
    static let zero = StateFormula.atom(.compare(.equal, .variable(slot: 0, type: .int), .literal(.int(0))))

    @Test func timeBoundsFollowPrismMeaning() throws {
        let found = try formulas(
            """
            P=? [ F<=10 "top" ]
            P=? [ F<2.5 "top" ]
            P=? [ F>=1 "top" ]
            P=? [ F>1 "top" ]
            P=? [ F[1,2] "top" ]
            P=? [ F "top" ]
            P=? [ F=3 "top" ]
            """)
        #expect(
            found == [
                .probability(.query, .eventually(Self.top, TimeBound(upper: 10)), nil),
                .probability(.query, .eventually(Self.top, TimeBound(upper: 2.5, upperStrict: true)), nil),
                .probability(.query, .eventually(Self.top, TimeBound(lower: 1)), nil),
                .probability(.query, .eventually(Self.top, TimeBound(lower: 1, lowerStrict: true)), nil),
                .probability(.query, .eventually(Self.top, TimeBound(lower: 1, upper: 2)), nil),
                .probability(.query, .eventually(Self.top, .unbounded), nil),
                .probability(.query, .eventually(Self.top, TimeBound(lower: 3, upper: 3)), nil),
            ])
    }

    @Test func pathOperatorsBoundsAndOptimisation() throws {
        let found = try formulas(
            """
            const int T;
            P>=0.5 [ x=0 U<=T "top" ];
            P<0.1 [ G x=0 ];
            Pmax=? [ X x=3 ];
            P min=? [ x=0 W x=3 ];
            P=? [ x=0 R x=3 ]
            """, constants: ["T": "4"])
        #expect(
            found
                == [
                    .probability(.compare(.greaterOrEqual, 0.5), .until(Self.zero, Self.top, TimeBound(upper: 4)), nil),
                    .probability(.compare(.less, 0.1), .globally(Self.zero, .unbounded), nil),
                    .probability(.query, .next(Self.top, .unbounded), .maximum),
                    .probability(.query, .weakUntil(Self.zero, Self.top, .unbounded), .minimum),
                    .probability(.query, .release(Self.zero, Self.top, .unbounded), nil),
                ].map { $0 })
    }

    @Test func steadyStateRewardsAndBuiltinLabels() throws {
        let found = try formulas(
            """
            const double T = 2;
            S=? [ "top" ]
            R{"time"}=? [ C<=T ]
            R{2}=? [ I=T ]
            R=? [ F "top" ]
            R{"steps"}=? [ S ]
            R{"time"}=? [ C ]
            "init" => P>=0.1 [ F "deadlock" ]
            """)
        #expect(
            found == [
                .steadyState(.query, Self.top),
                .reward(.index(0), .query, .cumulative(2), nil),
                .reward(.index(1), .query, .instantaneous(2), nil),
                .reward(.index(0), .query, .reachability(Self.top), nil),
                .reward(.index(1), .query, .steadyState, nil),
                .reward(.index(0), .query, .total, nil),
                .logical(
                    .implies, .initial,
                    .probability(.compare(.greaterOrEqual, 0.1), .eventually(.deadlock, .unbounded), nil)),
            ])
    }

    @Test func namesTextAndPropertyFileDefinitions() throws {
        let program = try checked(
            Self.model,
            properties: """
                label "low" = x<2;
                formula half = x*2 >= N;
                "reach": P=? [ F "low" & half ];
                P=? [F x=1]; P=? [F x=2]
                """)
        #expect(program.properties.map(\.name) == ["reach", nil, nil])
        #expect(program.properties.map(\.text) == ["P=? [ F \"low\" & half ]", "P=? [F x=1]", "P=? [F x=2]"])
        #expect(program.properties[0].location.line == 3)
        #expect(program.properties[0].location.column == 1)
    }
}
