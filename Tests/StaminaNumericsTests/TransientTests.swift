import Foundation
import StaminaNumerics
import Testing

/// Oracles: closed forms of small CTMCs; tolerance 1e-15 absolute for the lower-bound property
/// (the oracles' own rounding), errorBound for the summed shortfall.
@Suite struct TransientTests {
    @Test(arguments: [(0.7, 2.3, 0.0), (0.7, 2.3, 0.4), (5.0, 0.1, 3.0), (1.0, 1.0, 50.0)])
    func twoStateChainMatchesClosedForm(a: Double, b: Double, time: Double) throws {
        // 0 -> 1 at rate a, 1 -> 0 at rate b, start in 0 (p0 = 1).
        let rates = rateMatrix(states: 2, [(0, 1, a), (1, 0, b)])
        let accuracy = 1e-10
        let result = try Uniformization.transient(
            rates: rates, initial: [1, 0], time: time, absorbing: [false, false], accuracy: accuracy)
        let stationary = b / (a + b)
        let p = stationary + (1 - stationary) * exp(-(a + b) * time)
        expectCertified(result, exact: [p, 1 - p], accuracy: accuracy)
    }

    @Test func poissonProcessMatchesPoissonProbabilities() throws {
        // Pure birth at rate 2 over t = 2.5, truncated at state 40 which is absorbing.
        let last = 40
        let rate = 2.0
        let time = 2.5
        let rates = rateMatrix(states: last + 1, (0..<last).map { ($0, $0 + 1, rate) })
        var initial = [Double](repeating: 0, count: last + 1)
        initial[0] = 1
        var absorbing = [Bool](repeating: false, count: last + 1)
        absorbing[last] = true
        let accuracy = 1e-12
        let result = try Uniformization.transient(
            rates: rates, initial: initial, time: time, absorbing: absorbing, accuracy: accuracy)
        var exact = (0..<last).map { Double(poissonOracle($0, rate * time)) }
        exact.append(max(0, 1 - exact.reduce(0, +)))
        expectCertified(result, exact: exact, accuracy: accuracy)
        #expect(result.uniformizationRate >= rate)
    }

    @Test func erlangAbsorptionTimeDistribution() throws {
        // k = 3 phases at rate mu = 2: P(T <= t) = 1 - sum_{i<k} e^{-mu t} (mu t)^i / i!.
        let phases = 3
        let mu = 2.0
        let time = 1.7
        let rates = rateMatrix(states: phases + 1, (0..<phases).map { ($0, $0 + 1, mu) })
        let result = try Uniformization.transient(
            rates: rates, initial: [1, 0, 0, 0], time: time, absorbing: [false, false, false, true],
            accuracy: 1e-10)
        let x = mu * time
        let inPhase = (0..<phases).map { exp(-x) * pow(x, Double($0)) / tgamma(Double($0 + 1)) }
        let cdf = 1 - inPhase.reduce(0, +)
        expectCertified(result, exact: inPhase + [cdf], accuracy: 1e-10)
    }

    @Test func infiniteServerQueueFromEmpty() throws {
        // M/M/inf with lambda = 3, mu = 0.5 from empty: N(t) ~ Poisson(lambda/mu (1 - e^{-mu t})).
        // Truncated at 80 customers; the probability of ever getting there by t = 4 is below 1e-30.
        let size = 81
        let lambda = 3.0
        let mu = 0.5
        let time = 4.0
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<size {
            if i + 1 < size { transitions.append((i, i + 1, lambda)) }
            if i > 0 { transitions.append((i, i - 1, Double(i) * mu)) }
        }
        var initial = [Double](repeating: 0, count: size)
        initial[0] = 1
        let result = try Uniformization.transient(
            rates: rateMatrix(states: size, transitions), initial: initial, time: time,
            absorbing: [Bool](repeating: false, count: size), accuracy: 1e-11)
        let mean = lambda / mu * (1 - exp(-mu * time))
        let exact = (0..<size).map { Double(poissonOracle($0, mean)) }
        expectCertified(result, exact: exact, accuracy: 1e-11)
    }

    @Test func probabilityBoundsOfAStateSetContainTheTruth() throws {
        // Erlang-3 as above: mass in the absorbing state is the CDF, in the phases its complement.
        let rates = rateMatrix(states: 4, (0..<3).map { ($0, $0 + 1, 2.0) })
        let result = try Uniformization.transient(
            rates: rates, initial: [1, 0, 0, 0], time: 1.7, absorbing: [false, false, false, true],
            accuracy: 1e-7)
        let x = 3.4
        let cdf = 1 - exp(-x) * (1 + x + x * x / 2)
        let absorbed = result.probabilityBounds(of: [false, false, false, true])
        let phases = result.probabilityBounds(of: [true, true, true, false])
        #expect(absorbed.lower <= cdf && cdf <= absorbed.upper)
        #expect(phases.lower <= 1 - cdf && 1 - cdf <= phases.upper)
        #expect(absorbed.upper - absorbed.lower <= 1.01e-7)
    }

    @Test func overflowingExitRatesAreRejected() {
        let rates = rateMatrix(states: 3, [(0, 1, 1e308), (0, 2, 1e308)])
        #expect(throws: NumericsError.self) {
            try Uniformization.transient(
                rates: rates, initial: [1, 0, 0], time: 1, absorbing: [false, false, false], accuracy: 1e-6)
        }
    }

    @Test func absorbingFlagStopsOutgoingTransitions() throws {
        // State 1 has transitions but is flagged absorbing: the chain is then 0 -> 1 at rate 1.
        let rates = rateMatrix(states: 3, [(0, 1, 1), (1, 2, 5), (1, 0, 2), (2, 2, 7)])
        let time = 0.8
        let result = try Uniformization.transient(
            rates: rates, initial: [1, 0, 0], time: time, absorbing: [false, true, false], accuracy: 1e-10)
        expectCertified(result, exact: [exp(-time), 1 - exp(-time), 0], accuracy: 1e-10)
    }

    @Test func selfLoopsAreIgnored() throws {
        let withLoops = rateMatrix(states: 2, [(0, 0, 100), (0, 1, 1), (1, 0, 2), (1, 1, 3)])
        let result = try Uniformization.transient(
            rates: withLoops, initial: [0.5, 0.5], time: 0.3, absorbing: [false, false], accuracy: 1e-10)
        let stationary = 2.0 / 3
        let p = stationary + (0.5 - stationary) * exp(-3 * 0.3)
        expectCertified(result, exact: [p, 1 - p], accuracy: 1e-10)
        #expect(result.uniformizationRate < 3)
    }

    @Test func twoThreadsGiveTheSameVector() throws {
        // A ring with a shortcut, large enough to be split across threads.
        let size = 200_000
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<size {
            transitions.append((i, (i + 1) % size, 1 + Double(i % 7)))
            transitions.append((i, (i * 31 + 5) % size, 0.5))
        }
        let rates = rateMatrix(states: size, transitions)
        var initial = [Double](repeating: 0, count: size)
        initial[0] = 1
        let absorbing = [Bool](repeating: false, count: size)
        let one = try Uniformization.transient(
            rates: rates, initial: initial, time: 0.5, absorbing: absorbing, accuracy: 1e-8)
        let two = try Uniformization.transient(
            rates: rates, initial: initial, time: 0.5, absorbing: absorbing, accuracy: 1e-8, threads: 2)
        #expect(one.distribution == two.distribution)
        #expect(one.errorBound == two.errorBound && one.errorBound <= 1e-8)
    }

    @Test func steadyStateDetectionKeepsTheCertificate() throws {
        // All mass is absorbed quickly; the vector reaches a floating-point fixpoint long before the
        // Poisson window ends, so the remaining weights are applied at once.
        let rates = rateMatrix(states: 3, [(0, 1, 50), (1, 2, 50), (2, 2, 1), (0, 0, 0)])
        let time = 100.0
        let result = try Uniformization.transient(
            rates: rates, initial: [1, 0, 0], time: time, absorbing: [false, false, true], accuracy: 1e-10)
        let poisson = try FoxGlynn.weights(rate: result.uniformizationRate * time, accuracy: 0.9e-10)
        #expect(result.iterations < poisson.right)
        expectCertified(result, exact: [0, 0, 1], accuracy: 1e-10)
    }

    @Test func invalidInputIsRejectedWithAReason() {
        let rates = rateMatrix(states: 2, [(0, 1, 1), (1, 0, -2)])
        #expect(throws: NumericsError.invalidRate(row: 1, value: -2)) {
            try Uniformization.transient(
                rates: rates, initial: [1, 0], time: 1, absorbing: [false, false], accuracy: 1e-6)
        }
        let good = rateMatrix(states: 2, [(0, 1, 1)])
        #expect(throws: NumericsError.self) {
            try Uniformization.transient(rates: good, initial: [1], time: 1, absorbing: [false, false], accuracy: 1e-6)
        }
        #expect(throws: NumericsError.self) {
            try Uniformization.transient(
                rates: good, initial: [1, 0], time: -1, absorbing: [false, false], accuracy: 1e-6)
        }
        #expect(throws: NumericsError.self) {
            try Uniformization.transient(
                rates: good, initial: [1, 0], time: 1, absorbing: [false, false], accuracy: 0)
        }
        let outOfRange = SparseMatrix(rowStart: [0, 1, 1], columns: [5], values: [1])
        #expect(throws: NumericsError.self) {
            try Uniformization.transient(
                rates: outOfRange, initial: [1, 0], time: 1, absorbing: [false, false], accuracy: 1e-6)
        }
    }
}
