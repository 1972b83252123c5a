// Constant ranges as in PRISM's experiments: `N=1:2:9` (start:step:end), `N=1:3` (step 1), doubles
// counted by steps (the end is kept despite rounding), and bad ranges refused with a diagnostic.

import Testing
@testable import PRISM

@Suite struct ConstantExperimentTests {
    @Test func rangesExpandToTheirProductInOrder() throws {
        let experiment = try ConstantExperiment(parsing: "N=1:2:5,T=0.1:0.1:0.3,x=7")
        #expect(experiment.varying == ["N", "T"])
        #expect(experiment.valuations.count == 9)
        #expect(experiment.valuations.first == ["1", "0.1"])
        #expect(experiment.valuations.last?.first == "5")
        // 0.1 + 2 x 0.1 is 0.30000000000000004, still within the range's end.
        #expect(experiment.valuations.map { $0[1] }.prefix(3).count == 3)
        let overrides = experiment.overrides(4).values
        #expect(overrides.contains { $0.name == "x" && $0.value == "7" })
        #expect(overrides.contains { $0.name == "N" && $0.value == "3" })
        #expect(try ConstantExperiment(parsing: "N=1:3").valuations == [["1"], ["2"], ["3"]])
    }

    @Test func withoutRangesItIsNoExperiment() throws {
        let experiment = try ConstantExperiment(parsing: "N=10,lambda=0.5")
        #expect(!experiment.isExperiment)
        #expect(experiment.overrides(0).values.count == 2)
        #expect(try !ConstantExperiment(parsing: "").isExperiment)
    }

    @Test(arguments: ["N=1:0:3", "N=3:1", "N=a:b", "N=1:2:3:4", "N=1:1000000", "N=1:100,M=1:100"])
    func badRangesAreRefused(text: String) {
        #expect(throws: Diagnostics.self) { try ConstantExperiment(parsing: text) }
    }
}
