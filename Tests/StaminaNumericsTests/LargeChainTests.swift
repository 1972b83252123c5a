import Foundation
import StaminaNumerics
import Testing

/// Chains long or stiff enough to exercise what small examples do not: deep graphs (the SCC
/// search must not recurse), long Poisson windows. Oracles: closed forms.
@Suite struct LargeChainTests {
    @Test func stiffTwoStateChainOverALongWindow() throws {
        // q t = 7e4 products; closed form as in TransientTests.
        let a = 3000.0
        let b = 7000.0
        let time = 10.0
        let accuracy = 1e-8
        let result = try Uniformization.transient(
            rates: rateMatrix(states: 2, [(0, 1, a), (1, 0, b)]), initial: [1, 0], time: time,
            absorbing: [false, false], accuracy: accuracy)
        let stationary = b / (a + b)
        let p = stationary + (1 - stationary) * exp(-(a + b) * time)
        #expect(result.iterations > 60_000)
        expectCertified(result, exact: [p, 1 - p], accuracy: accuracy)
    }

    /// A path 0 -> 1 -> ... -> n-1 (rate 1 each) where every state also fails to state n at rate
    /// 1e-6: P(reach n-1 from i) = (1/(1 + 1e-6))^(n-1-i).
    func leakyPath(length n: Int) -> SparseMatrix {
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<(n - 1) {
            transitions.append((i, i + 1, 1))
            transitions.append((i, n, 1e-6))
        }
        return rateMatrix(states: n + 1, transitions)
    }

    @Test func deepPathReachability() throws {
        let n = 300_000
        let target = (0...n).map { $0 == n - 1 }
        let bounds = try Reachability.until(
            rates: leakyPath(length: n), allowed: [Bool](repeating: true, count: n + 1), target: target,
            precision: 1e-9)
        // Acyclic and swept successors first: one sweep settles it, a second confirms.
        #expect(bounds.iterations <= 2)
        for i in stride(from: 0, to: n, by: 9973) {
            let exact = exp(-Double(n - 1 - i) * log1p(1e-6))
            #expect(bounds.lower[i] <= exact * (1 + 1e-12) && exact <= bounds.upper[i] * (1 + 1e-12), "state \(i)")
        }
        #expect(bounds.upper[n] == 0)
    }

    @Test func deepPathSteadyState() throws {
        let n = 300_000
        var initial = [Double](repeating: 0, count: n + 1)
        initial[0] = 1
        let result = try SteadyState.distribution(rates: leakyPath(length: n), initial: initial, precision: 1e-10)
        let reachEnd = exp(-Double(n - 1) * log1p(1e-6))
        #expect(abs(result[n - 1] - reachEnd) <= 1e-9)
        #expect(abs(result[n] - (1 - reachEnd)) <= 1e-9)
        #expect(result[0] == 0 && result[n / 2] == 0)
    }
}
