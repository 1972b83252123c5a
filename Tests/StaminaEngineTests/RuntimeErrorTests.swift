// Model errors at run time are reported with the state valuation and the command, never wrapped.

import PRISM
import Testing
@testable import StaminaEngine

@Suite struct RuntimeErrorTests {
    static func error(_ model: CheckedModel, exact: Bool = true) -> EngineError? {
        var settings = CheckSettings()
        settings.exact = exact
        let property = Build.property(Build.eventually(Build.yes, within: 1))
        do {
            _ = try CheckRun(model: model, properties: [property], settings: settings).run(observer: nil)
            return nil
        } catch {
            return error
        }
    }

    @Test func negativeRateNamesStateAndCommand() throws {
        let x = Build.int(0)
        let model = Build.ctmc(
            [Build.variable("x", 0...5)],
            [
                Build.command(
                    Build.cmp(.less, x, Build.lit(5)), .intToDouble(Build.sub(x, Build.lit(2))),
                    [(0, Build.add(x, Build.lit(1)))], line: 7)
            ])
        let error = try #require(Self.error(model))
        #expect(error.code == "INVALID_RATE")
        #expect(error.description.contains("x=0"))
        #expect(error.description.contains("test.prism:7:3"))
    }

    @Test func outOfRangeUpdateIsNotWrapped() throws {
        let x = Build.int(0)
        let model = Build.ctmc(
            [Build.variable("x", 0...3)], [Build.command(Build.yes, Build.real(1), [(0, Build.add(x, Build.lit(1)))])])
        let error = try #require(Self.error(model))
        #expect(error.code == "OUT_OF_RANGE")
        #expect(error.description.contains("x=4"))
        #expect(error.description.contains("(x=3)"))
    }

    @Test func unboundedOverflowIsReported() throws {
        let n = Build.int(0)
        let model = Build.ctmc(
            [Build.variable("n", nil, initial: 1)],
            [Build.command(Build.yes, Build.real(1), [(0, Build.mul(n, Build.lit(1000)))])])
        let error = try #require(Self.error(model))
        #expect(error.code == "OVERFLOW")
        #expect(error.description.contains("n=1000000"))
    }

    @Test func int64OverflowInAnExpressionIsReported() throws {
        let n = Build.int(0)
        let huge = Build.lit(Int64.max)
        let model = Build.ctmc(
            [Build.variable("n", 0...1)],
            [Build.command(Build.cmp(.greater, Build.add(huge, n), Build.lit(0)), Build.real(1), [(0, Build.lit(1))])])
        let error = try #require(Self.error(model))
        #expect(error.code == "OVERFLOW")
        #expect(error.description.contains("n=1"))
    }

    @Test func dtmcIsRefusedByName() {
        let model = Build.ctmc([Build.variable("x", 0...1)], [], type: .dtmc)
        let error = Self.error(model)
        #expect(error?.description == "model type dtmc is not supported; STAMINA analyses CTMCs")
        #expect(error?.isInputError == true)
    }
}
