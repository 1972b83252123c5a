import Foundation
import StaminaNumerics
import Testing

/// Oracle: gambler's ruin closed forms, in extended precision.
@Suite struct ReachabilityTests {
    /// States 0...n; from 0 < i < n up at rate p, down at rate q; 0 and n have no transitions.
    func gamblersRuin(n: Int, p: Double, q: Double) -> SparseMatrix {
        var transitions: [(Int, Int, Double)] = []
        for i in 1..<n {
            transitions.append((i, i + 1, p))
            transitions.append((i, i - 1, q))
        }
        return rateMatrix(states: n + 1, transitions)
    }

    /// P(reach n before 0 | start i) = ((q/p)^i - 1)/((q/p)^n - 1).
    func winProbability(_ i: Int, n: Int, p: Double, q: Double) -> Double {
        if p == q { return Double(i) / Double(n) }
        let r = OracleFloat(q) / OracleFloat(p)
        return Double((pow(r, OracleFloat(i)) - 1) / (pow(r, OracleFloat(n)) - 1))
    }

    @Test(arguments: [(20, 1.0, 1.0), (30, 1.0, 1.5), (50, 2.0, 1.0)])
    func gamblersRuinBounds(n: Int, p: Double, q: Double) throws {
        let target = (0...n).map { $0 == n }
        let precision = 1e-9
        let bounds = try Reachability.until(
            rates: gamblersRuin(n: n, p: p, q: q), allowed: [Bool](repeating: true, count: n + 1),
            target: target, precision: precision)
        for i in 0...n {
            let exact = winProbability(i, n: n, p: p, q: q)
            #expect(bounds.lower[i] <= exact + 1e-15 && exact <= bounds.upper[i] + 1e-15, "state \(i)")
            #expect(bounds.upper[i] - bounds.lower[i] <= precision)
        }
        #expect(bounds.lower[0] == 0 && bounds.upper[0] == 0)
        #expect(bounds.lower[n] == 1 && bounds.upper[n] == 1)
    }

    @Test func disallowedStatesCutPaths() throws {
        // Forbidding state 3 turns it into a ruin boundary: from i > 3 the game is played on 3...n.
        let n = 12
        let allowed = (0...n).map { $0 != 3 }
        let bounds = try Reachability.until(
            rates: gamblersRuin(n: n, p: 1, q: 2), allowed: allowed, target: (0...n).map { $0 == n },
            precision: 1e-10)
        for i in 0...n {
            let exact = i <= 3 ? 0 : winProbability(i - 3, n: n - 3, p: 1, q: 2)
            #expect(bounds.lower[i] <= exact + 1e-15 && exact <= bounds.upper[i] + 1e-15, "state \(i)")
        }
        #expect(bounds.upper[2] == 0)
    }

    @Test(arguments: [(16, 1.0, 1.0), (16, 1.0, 3.0)])
    func expectedDurationOfGamblersRuin(n: Int, p: Double, q: Double) throws {
        // Time until 0 or n with reward 1 per time unit: steps / (p + q), where the expected number
        // of steps is i (n - i) for p = q and i/(q - p) - n/(q - p) (1 - (q/p)^i)/(1 - (q/p)^n) else.
        let target = (0...n).map { $0 == 0 || $0 == n }
        let result = try Reachability.expectedReward(
            rates: gamblersRuin(n: n, p: p, q: q), target: target,
            stateRewards: [Double](repeating: 1, count: n + 1), precision: 1e-9)
        let pUp = p / (p + q)
        let qDown = q / (p + q)
        for i in 0...n {
            let steps: Double
            if p == q {
                steps = Double(i * (n - i))
            } else {
                let r = qDown / pUp
                let ruin = (1 - pow(r, Double(i))) / (1 - pow(r, Double(n)))
                steps = Double(i) / (qDown - pUp) - Double(n) / (qDown - pUp) * ruin
            }
            let exact = steps / (p + q)
            #expect(result.lower[i] <= exact * (1 + 1e-13) && exact <= result.upper[i] * (1 + 1e-13), "state \(i)")
            #expect(result.upper[i] - result.lower[i] <= 1e-9 * max(1, exact) * 1.01)
        }
    }

    @Test func expectedRewardIsInfiniteWhereTargetMayBeMissed() throws {
        // From 1 the walk may end in 0 (no transitions) instead of the target 2.
        let rates = rateMatrix(states: 4, [(1, 0, 1), (1, 2, 1), (3, 2, 4)])
        let result = try Reachability.expectedReward(
            rates: rates, target: [false, false, true, false], stateRewards: [1, 1, 1, 2], precision: 1e-12)
        #expect(result.lower[0] == .infinity && result.lower[1] == .infinity)
        #expect(result.lower[2] == 0 && result.upper[2] == 0)
        // From 3: one sojourn of mean 1/4 earning 2 per time unit.
        #expect(result.lower[3] <= 0.5 && 0.5 <= result.upper[3])
    }
}
