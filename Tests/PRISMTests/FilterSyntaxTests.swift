// filter(op, prop, states) in the front end: operators and their aliases, the default states,
// the property's text, and located refusals.

import PRISM
import Testing

@Suite struct FilterSyntaxTests {
    static let model = PropertyLoweringTests.model

    @Test func operatorsAliasesDefaultStatesAndText() throws {
        let properties = try checked(
            Self.model,
            properties: """
                filter(min, P=? [ F<=1 "top" ], x<2)
                "m": filter(max, P=? [ F "top" ]);
                filter(+, R{"time"}=? [ F "top" ], true)
                filter(&, P>=0.5 [ F<=1 "top" ], "init")
                filter(|, P<0.1 [ F<=1 "top" ])
                filter(count, P>0 [ F "top" ], x=1)
                filter(first, P=? [ F<=1 "top" ], "init")
                filter(printall, P>=0.2 [ F<=1 "top" ])
                """
        ).properties
        #expect(properties.map { $0.filter?.op } == [.min, .max, .sum, .forall, .exists, .count, .first, .printall])
        #expect(properties[0].filter?.statesText == "x<2")
        #expect(properties[1].filter?.statesText == nil)
        #expect(properties[1].filter?.states.inlined == .atom(.literal(.bool(true))))
        #expect(properties[1].name == "m")
        #expect(properties[1].text == "filter(max, P=? [ F \"top\" ])")
        #expect(properties[3].filter?.states == .initial)
        #expect(
            properties[0].formula.inlined
                == .probability(.query, .eventually(PropertyLoweringTests.top, TimeBound(upper: 1)), nil))
    }

    @Test func refusalsAreLocated() throws {
        let found = try summaries(
            diagnostics(
                Self.model,
                properties: """
                    filter(median, P=? [ F "top" ])
                    filter(min, P>=0.5 [ F "top" ])
                    filter(count, P=? [ F "top" ])
                    filter(max, P=? [ F "top" ], P>0.5 [ F "top" ])
                    filter(sum, x>1)
                    filter(avg, "init", x<2)
                    """))
        #expect(
            found == [
                "1:8: unknown filter operator 'median' (known: min, max, argmin, argmax, count, sum, avg, first, print, printall, forall, exists, range, state)",
                "2:13: filter 'min' needs a numerical property such as P=? [ ... ], found a true/false one",
                "3:15: filter 'count' needs a true/false property such as P>=0.5 [ ... ] or a state formula, found a numerical one (=?)",
                "4:30: the states of a filter must be a formula without P, S or R operators",
                "5:13: filter 'sum' needs a numerical property such as P=? [ ... ], found a true/false one",
                "6:13: filter 'avg' needs a numerical property such as P=? [ ... ], found a true/false one",
            ])
    }

    @Test func syntaxErrorsAreLocated() throws {
        let found = try summaries(
            diagnostics(
                Self.model,
                properties: """
                    P=? [ F "top" ] + filter(min, P=? [ F "top" ])
                    filter(min P=? [ F "top" ])
                    """))
        #expect(
            found == [
                "1:19: filter(...) is only supported as a whole property, not inside an expression",
                "2:12: expected ',' after the filter operator, found 'P'",
            ])
    }
}
