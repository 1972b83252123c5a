import Foundation
import StaminaNumerics
import Testing

/// Oracles: detailed balance for birth-death chains; absorption probabilities by hand.
@Suite struct SteadyStateTests {
    /// Birth rate lambda_i = 2 + sin(i), death rate mu_i = 1 + i/10, states 0...n.
    func birthDeath(n: Int) -> (SparseMatrix, [Double]) {
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<n {
            transitions.append((i, i + 1, 2 + sin(Double(i))))
            transitions.append((i + 1, i, 1 + Double(i + 1) / 10))
        }
        // pi_{i+1} / pi_i = lambda_i / mu_{i+1}.
        var weights = [1.0]
        for i in 0..<n { weights.append(weights[i] * (2 + sin(Double(i))) / (1 + Double(i + 1) / 10)) }
        let total = weights.reduce(0, +)
        return (rateMatrix(states: n + 1, transitions), weights.map { $0 / total })
    }

    @Test(arguments: [30, 1500])
    func birthDeathChainSatisfiesDetailedBalance(n: Int) throws {
        // 30 states are solved directly, 1500 iteratively.
        let (rates, exact) = birthDeath(n: n)
        var initial = [Double](repeating: 0, count: n + 1)
        initial[n / 2] = 1
        let result = try SteadyState.distribution(rates: rates, initial: initial, precision: 1e-12)
        for i in 0...n { #expect(abs(result[i] - exact[i]) <= 1e-9, "state \(i)") }
    }

    @Test func twoBottomComponentsShareTheMass() throws {
        // 0 <-> 4 transient cycle; 0 -> 1 (rate 1), 0 -> 2 (rate 3); {1, 3} cycle; 2 absorbing.
        // From 0 and from 4 (which only returns to 0) mass ends in {1, 3} with probability 1/4.
        // Inside {1, 3}: 1 -> 3 at 2, 3 -> 1 at 5, so pi(1) = 5/7, pi(3) = 2/7.
        let rates = rateMatrix(
            states: 5, [(0, 1, 1), (0, 2, 3), (0, 4, 6), (4, 0, 1), (1, 3, 2), (3, 1, 5), (2, 2, 9)])
        let result = try SteadyState.distribution(rates: rates, initial: [0.5, 0, 0, 0, 0.5], precision: 1e-12)
        let exact = [0, 0.25 * 5 / 7, 0.75, 0.25 * 2 / 7, 0]
        for i in 0..<5 { #expect(abs(result[i] - exact[i]) <= 1e-11, "state \(i)") }
    }

    @Test func initialMassInsideABottomComponentStays() throws {
        let rates = rateMatrix(states: 3, [(0, 1, 1), (1, 0, 1), (2, 0, 1)])
        let result = try SteadyState.distribution(rates: rates, initial: [0, 0, 1], precision: 1e-12)
        #expect(abs(result[0] - 0.5) <= 1e-12 && abs(result[1] - 0.5) <= 1e-12 && result[2] == 0)
    }
}
