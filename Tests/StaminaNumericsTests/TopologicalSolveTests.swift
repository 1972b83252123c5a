import Foundation
import StaminaNumerics
import Testing

/// The component-by-component solver on chains where value iteration creeps (large strongly
/// connected components that are left rarely), against closed forms in extended precision.
@Suite struct TopologicalSolveTests {
    /// A ring 0 -> 1 -> ... -> k-1 -> 0 at rate gamma; even states also jump to the target (k) and
    /// odd ones to a trap (k + 1) at rate lambda. By symmetry x_even = (gamma + lambda)/(2 gamma +
    /// lambda) and x_odd = gamma/(2 gamma + lambda); the ring is left once per ~gamma/lambda jumps.
    @Test(arguments: [(1_000, 200.0, 1e-3), (64, 200.0, 1e-2)])
    func slowlyLeftRing(k: Int, gamma: Double, lambda: Double) throws {
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<k {
            transitions.append((i, (i + 1) % k, gamma))
            transitions.append((i, i % 2 == 0 ? k : k + 1, lambda))
        }
        let rates = rateMatrix(states: k + 2, transitions)
        let target = (0..<(k + 2)).map { $0 == k }
        let bounds = try Reachability.until(
            rates: rates, allowed: [Bool](repeating: true, count: k + 2), target: target, precision: 1e-13)
        let g = OracleFloat(gamma)
        let l = OracleFloat(lambda)
        let even = Double((g + l) / (2 * g + l))
        let odd = Double(g / (2 * g + l))
        for i in 0..<k {
            let exact = i % 2 == 0 ? even : odd
            #expect(bounds.lower[i] <= exact && exact <= bounds.upper[i], "state \(i)")
            // Certified: rounding times ~gamma/lambda expected jumps, far below 1e-9.
            #expect(bounds.upper[i] - bounds.lower[i] <= 1e-9, "state \(i)")
        }
    }

    /// A fair gambler's ruin on 0...n (a diffusive chain: ~n^2/4 jumps to leave): P(reach n) = i/n
    /// and the expected time to 0 or n is i (n - i) / (p + q).
    @Test func largeFairGamblersRuin() throws {
        let n = 600
        var transitions: [(Int, Int, Double)] = []
        for i in 1..<n {
            transitions.append((i, i + 1, 1))
            transitions.append((i, i - 1, 1))
        }
        let rates = rateMatrix(states: n + 1, transitions)
        let all = [Bool](repeating: true, count: n + 1)
        let bounds = try Reachability.until(
            rates: rates, allowed: all, target: (0...n).map { $0 == n }, precision: 1e-13)
        let time = try Reachability.expectedReward(
            rates: rates, target: (0...n).map { $0 == 0 || $0 == n },
            stateRewards: [Double](repeating: 1, count: n + 1), precision: 1e-9)
        for i in 0...n {
            let exact = Double(OracleFloat(i) / OracleFloat(n))
            #expect(bounds.lower[i] <= exact && exact <= bounds.upper[i], "state \(i)")
            #expect(bounds.upper[i] - bounds.lower[i] <= 1e-8, "state \(i)")
            let steps = Double(OracleFloat(i * (n - i)) / 2)
            #expect(time.lower[i] <= steps && steps <= time.upper[i], "state \(i)")
            #expect(time.upper[i] - time.lower[i] <= 1e-8 * max(1, steps), "state \(i)")
        }
    }

    /// Two components in series: a ring that leaves (slowly) into a second ring, which leaves into
    /// the target or a trap. The first ring's values are the second ring's entry value, passed on
    /// without being widened by the first ring's mixing time.
    @Test func widthsPassThroughComponents() throws {
        let k = 500
        var transitions: [(Int, Int, Double)] = []
        // Ring A: states 0..<k, leaves to ring B's state k at rate 1 from state 0.
        for i in 0..<k { transitions.append((i, (i + 1) % k, 100)) }
        transitions.append((0, k, 1))
        // Ring B: states k..<2k, even positions to the target 2k, odd ones to the trap 2k + 1.
        for i in 0..<k {
            transitions.append((k + i, k + (i + 1) % k, 100))
            transitions.append((k + i, i % 2 == 0 ? 2 * k : 2 * k + 1, 1e-2))
        }
        let states = 2 * k + 2
        let rates = rateMatrix(states: states, transitions)
        let bounds = try Reachability.until(
            rates: rates, allowed: [Bool](repeating: true, count: states),
            target: (0..<states).map { $0 == 2 * k }, precision: 1e-13)
        let g = OracleFloat(100)
        let l = OracleFloat(1e-2)
        let entry = Double((g + l) / (2 * g + l))
        for i in 0..<(2 * k) {
            let exact = i < k ? entry : ((i - k) % 2 == 0 ? entry : Double(g / (2 * g + l)))
            #expect(bounds.lower[i] <= exact && exact <= bounds.upper[i], "state \(i)")
            #expect(bounds.upper[i] - bounds.lower[i] <= 1e-9, "state \(i)")
        }
    }
}
