import Testing

@testable import StaminaNumerics

/// The coded value layout must compute bit for bit what the plain one computes: the same doubles
/// in the same order. Oracle: the plain layout.
@Suite struct PoissonMixtureTests {
    @Test func codedValuesGiveIdenticalResults() throws {
        let size = 3000
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<size {
            transitions.append((i, (i + 1) % size, 1 + Double(i % 5)))
            transitions.append((i, (i * 7 + 3) % size, 0.25))
        }
        let rates = rateMatrix(states: size, transitions)
        let absorbing = (0..<size).map { $0 % 97 == 0 }
        let plain = UniformisedChain(rates: rates, absorbing: absorbing)
        var coded = plain
        coded.code()
        #expect(coded.probabilityCoding != nil && coded.diagonalCoding != nil)
        let poisson = try FoxGlynn.weights(rate: plain.rate * 2, accuracy: 1e-9)
        var initial = [Double](repeating: 0, count: size)
        initial[1] = 0.75
        initial[2] = 0.25
        let first = try PoissonMixture(
            chain: plain, initial: initial, weights: poisson.weights, first: poisson.left, threads: 1)
        let second = try PoissonMixture(
            chain: coded, initial: initial, weights: poisson.weights, first: poisson.left, threads: 1)
        #expect(first.result == second.result)
        #expect(first.iterations == second.iterations)
    }

    @Test func valueCodingRoundTrips() {
        let values = (0..<10_000).map { Double($0 % 300) / 7 }
        let coding = ValueCoding(values)
        #expect(coding.map { c in c.codes.map { c.table[Int($0)] } } == values)
        #expect(coding?.table.count == 300)
        // Too many distinct values: no coding.
        #expect(ValueCoding((0..<70_000).map(Double.init)) == nil)
    }
}
